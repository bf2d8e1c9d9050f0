"""A phase of a run (the reference feeds, or the daily feeds) summed up stage by stage."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from benchmarks.measure.logs import HandledMessage

# The services in the order the chain runs them; each is one stage of the breakdown.
STAGES = ("ingestion", "normalization", "customs_generation", "comparison", "audit")
_COMPARISON_COUNTS = ("passed", "failed", "ours_only", "theirs_only")


def phase_summary(
    handled: Sequence[HandledMessage],
    *,
    start: float,
    cpu_seconds: float,
    api_calls: Mapping[str, Mapping[str, int]],
    published: int,
) -> dict[str, Any]:
    """Wall time from the phase's first S3 put (`start`) to its last audit record; per stage the
    span from its first message taken to its last settled, and the time spent handling them."""
    stages = {}
    for stage in STAGES:
        mine = [message for message in handled if message.service == stage]
        if mine:
            stages[stage] = {
                "start": min(message.started for message in mine) - start,
                "end": max(message.finished for message in mine) - start,
                "busy": sum(message.seconds for message in mine),
                "messages": len(mine),
            }
    audited = [message for message in handled if message.service == "audit"] or handled
    return {
        "total_seconds": max(message.finished for message in audited) - start,
        "cpu_seconds": cpu_seconds,
        "stages": stages,
        "messages_published": published,
        "messages_handled": len(handled),
        "messages_failed": sum(message.outcome != "done" for message in handled),
        "api_calls": api_calls,
    }


def published_by_phase(
    events: Sequence[Mapping[str, Any]], started: Mapping[str, float]
) -> Counter[str]:
    """SNS messages published per phase, from the publishers' own `event.published` lines: for
    services in worker processes, whose SNS calls the benchmark cannot hook."""
    phases = sorted(started.items(), key=lambda item: item[1])
    published: Counter[str] = Counter()
    for event in events:
        if event["event"] == "event.published":
            at = datetime.fromisoformat(event["timestamp"]).timestamp()
            phase = next((name for name, start in reversed(phases) if start <= at), None)
            if phase is not None:
                published[phase] += 1
    return published


def run_outcome(events: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """What the run produced, from the services' own log lines: the same in every mode."""
    outcome: dict[str, Any] = dict.fromkeys(
        ("records_accepted", "records_rejected", "quality_errors", "quality_warnings"), 0
    )
    for event in events:
        if event["event"] == "extract.ingested":
            outcome["records_accepted"] += event["accepted"]
            outcome["records_rejected"] += event["rejected"]
        elif event["event"] == "extract.normalized":
            outcome["quality_errors"] += event["errors"]
            outcome["quality_warnings"] += event["warnings"]
        elif event["event"] == "comparison.completed":
            outcome["comparison"] = {name: event[name] for name in _COMPARISON_COUNTS}
    return outcome
