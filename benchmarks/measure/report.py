"""The figures of a benchmark as a person reads them at a terminal."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from benchmarks.measure.phases import STAGES
from benchmarks.measure.summary import ratio

Run = Mapping[str, Any]
PHASE_TITLES = {
    "daily": "daily feeds (ZEMM004 + ZSDR002)",
    "reference": "weekly reference feeds (6 extracts)",
}
_TOP_OPERATIONS = 5


def report_lines(
    machine: Mapping[str, Any], batch: Mapping[str, Any], modes: Sequence[Run]
) -> list[str]:
    lines = [
        f"machine: {machine['cores']} cores, {machine['cpu']}, {machine['ram_gib']:.1f} GiB RAM, "
        f"Python {machine['python']}, load average {machine['load_average_1min_at_start']:.2f} "
        "at the start",
        f"batch: {batch['lines']:,} ZEMM004 lines, {batch['invoices']:,} invoices, "
        f"{batch['component_lines']:,} component lines, {batch['files']} files ({batch['folder']})",
        f"runs: {modes[0]['runs']} per mode, each in a fresh process; figures are medians",
    ]
    for phase in ("daily", "reference"):
        lines += ["", f"{PHASE_TITLES[phase]}: first S3 put -> last audit record"]
        lines += _stage_table(modes, phase)
    lines += ["", "AWS API calls per service, daily feeds (median run)"]
    for mode in modes:
        lines.append(f"  {mode['mode']}")
        for service, operations in mode["phases"]["daily"]["api_calls"].items():
            top = ", ".join(
                f"{op} {calls:g}" for op, calls in list(operations.items())[:_TOP_OPERATIONS]
            )
            lines.append(f"    {service:19} {sum(operations.values()):6g}  {top}")
        if mode["workers"]:
            lines.append(f"    {'services':19} not counted with --processes (clients out of reach)")
    lines += [
        "",
        "peak RSS of the run process (the services too unless they ran as worker processes; "
        "with the embedded emulator, moto too)",
    ]
    lines += [
        f"  {mode['mode']:18} {mode['peak_rss_mib']:6.0f} MiB (max of the runs "
        f"{mode['peak_rss_mib_max']:.0f} MiB)"
        for mode in modes
    ]
    for mode in modes:
        if mode["workers"]:
            lines += ["", *_worker_table(mode)]
    lines += ["", f"outcome: {modes[0]['outcome']}"]
    if any(
        not mode["same_outcome_every_run"] or mode["outcome"] != modes[0]["outcome"]
        for mode in modes
    ):
        lines.append("  WARNING: the runs did not all produce the same outcome")
    return lines


def _stage_table(modes: Sequence[Run], phase: str) -> list[str]:
    rows = [
        f"  {'':19}" + "".join(f" | {mode['mode']:^26}" for mode in modes),
        f"  {'stage':19}" + f" | {'from - to s':>13} {'busy s':>7} {'msgs':>4}" * len(modes),
    ]
    for stage in STAGES:
        cells = []
        for mode in modes:
            figures = mode["phases"][phase]["stages"].get(stage)
            cells.append(
                f" | {figures['start']:6.2f}-{figures['end']:6.2f} {figures['busy']:7.2f} "
                f"{figures['messages']:4g}"
                if figures
                else f" | {'-':^26}"
            )
        rows.append(f"  {stage:19}" + "".join(cells))
    totals = []
    for mode in modes:
        figures = mode["phases"][phase]
        total = f"{figures['total_seconds']:.2f} s ({_spread(figures['total_seconds_each_run'])})"
        totals.append(f" | {total:<26}")
    rows.append(f"  {'total':19}" + "".join(totals))
    rows.append(
        f"  {'process CPU':19}"
        + "".join(f" | {mode['phases'][phase]['cpu_seconds']:11.2f} s{'':13}" for mode in modes)
    )
    if any(mode["workers"] for mode in modes):
        rows.append("  (process CPU with worker processes: the run process's and the workers')")
    rows += [
        f"  messages, {mode['mode']}: {mode['phases'][phase]['messages_published']:g} published "
        f"(S3 notifications + SNS), {mode['phases'][phase]['messages_handled']:g} handled, "
        f"{mode['phases'][phase]['messages_failed']:g} failed"
        for mode in modes
    ]
    if len(modes) == 2:
        rows.append(
            f"  ratio {modes[0]['mode']}/{modes[1]['mode']}: {ratio(modes[0], modes[1], phase):.2f}"
        )
    return rows


def _worker_table(mode: Run) -> list[str]:
    workers = mode["workers"]
    rows = [
        f"per worker process, {mode['mode']} (whole run, start-up included)",
        f"  {'service':19} {'peak RSS MiB':>12} {'CPU s':>8}",
    ]
    rows += [
        f"  {service:19} {figures['peak_rss_mib']:12.0f} {figures['cpu_seconds']:8.2f}"
        for service, figures in workers.items()
    ]
    rss = sum(figures["peak_rss_mib"] for figures in workers.values())
    cpu = sum(figures["cpu_seconds"] for figures in workers.values())
    rows.append(f"  {'sum of the workers':19} {rss:12.0f} {cpu:8.2f}")
    return rows


def _spread(values: Sequence[float]) -> str:
    return " ".join(f"{value:.1f}" for value in values)
