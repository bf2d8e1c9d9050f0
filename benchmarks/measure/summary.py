"""Several runs of one mode folded into one: every figure the median over the runs."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from statistics import median
from typing import Any

from benchmarks.measure.phases import STAGES

Run = Mapping[str, Any]
_STAGE_FIGURES = ("start", "end", "busy", "messages")


def median_run(runs: Sequence[Run]) -> dict[str, Any]:
    return {
        "mode": runs[0]["mode"],
        "runs": len(runs),
        "phases": {
            phase: _median_phase([run["phases"][phase] for run in runs])
            for phase in runs[0]["phases"]
        },
        "peak_rss_mib": median(run["peak_rss_mib"] for run in runs),
        "peak_rss_mib_max": max(run["peak_rss_mib"] for run in runs),
        "workers": _median_workers([run["workers"] for run in runs]),
        "outcome": runs[0]["outcome"],
        "same_outcome_every_run": all(run["outcome"] == runs[0]["outcome"] for run in runs),
    }


def _median_phase(phases: Sequence[Run]) -> dict[str, Any]:
    stages = {}
    for stage in STAGES:
        present = [phase["stages"][stage] for phase in phases if stage in phase["stages"]]
        if present:
            stages[stage] = {
                figure: median(s[figure] for s in present) for figure in _STAGE_FIGURES
            }
    services = {service for phase in phases for service in phase["api_calls"]}
    api_calls = {
        service: _median_counts([phase["api_calls"].get(service, {}) for phase in phases])
        for service in services
    }
    return {
        "total_seconds": median(phase["total_seconds"] for phase in phases),
        "total_seconds_each_run": [phase["total_seconds"] for phase in phases],
        "cpu_seconds": median(phase["cpu_seconds"] for phase in phases),
        "stages": stages,
        "messages_published": median(phase["messages_published"] for phase in phases),
        "messages_handled": median(phase["messages_handled"] for phase in phases),
        "messages_failed": max(phase["messages_failed"] for phase in phases),
        "api_calls": dict(sorted(api_calls.items(), key=lambda item: -sum(item[1].values()))),
    }


def _median_workers(
    runs: Sequence[Mapping[str, Mapping[str, float]]],
) -> dict[str, dict[str, float]]:
    """Per worker process, the median of each of its figures; empty when the services ran as
    threads (or were called directly)."""
    return {
        service: {figure: median(run[service][figure] for run in runs) for figure in figures}
        for service, figures in runs[0].items()
    }


def _median_counts(counts: Sequence[Mapping[str, int]]) -> dict[str, float]:
    operations = {operation for count in counts for operation in count}
    medians = {op: median(count.get(op, 0) for count in counts) for op in operations}
    return dict(sorted(medians.items(), key=lambda item: -item[1]))


def ratio(numerator: Run, denominator: Run, phase: str) -> float:
    """How many times longer `numerator` took than `denominator` for `phase` (medians)."""
    return float(
        numerator["phases"][phase]["total_seconds"] / denominator["phases"][phase]["total_seconds"]
    )
