"""The whole pipeline on a synthetic SAP batch, stage by stage, through queues and without them.

Run from the repository root: `.venv/bin/python -m benchmarks.pipeline [--lines 10000] [--runs 3]`.
Generates the batch (benchmarks/generate.py) unless it is there already, then runs it `--runs`
times in each mode, each run in a fresh process:
- through the queues, on the embedded emulator (moto, default) or on `--endpoint URL` (LocalStack;
  set AWS_ENDPOINT_URL_DYNAMODB too when DynamoDB runs apart), every service as a worker thread
  of one process, or with `--processes` as a worker process of its own, as deployed;
- in-process, the baseline: the same apps called directly, events routed in memory, same storage.
`--in-process` runs the baseline only, `--skip-baseline` the queues only. Prints medians per
stage, totals, messages, AWS API calls per service, peak RSS (per worker with `--processes`) and
the ratio queues/in-process; writes the runs and medians as JSON (`--json-out`) and, when
matplotlib is installed, a PNG.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

from benchmarks.generate import GeneratedBatch, generate_batch
from benchmarks.measure.chart import write_chart
from benchmarks.measure.report import report_lines
from benchmarks.measure.run import IN_PROCESS, PROCESSES, THREADS, mode_name
from benchmarks.measure.summary import median_run

OUT = Path("out/benchmark")
BUSY_LOAD = 1.0


def main() -> None:
    arguments = _arguments()
    machine = _machine()
    if machine["load_average_1min_at_start"] > BUSY_LOAD:
        print(
            f"warning: load average {machine['load_average_1min_at_start']:.1f} before the start; "
            "other work on this machine will slow the runs down",
            flush=True,
        )
    folder = arguments.batch or OUT / f"batch-{arguments.lines}"
    print(f"generating the batch of {arguments.lines:,} lines into {folder} ...", flush=True)
    batch = generate_batch(folder, arguments.lines)
    queues = PROCESSES if arguments.processes else THREADS
    layouts = [layout for layout in (queues, IN_PROCESS) if _wanted(arguments, layout)]
    runs: dict[str, list[dict[str, Any]]] = {mode_name(arguments.endpoint, m): [] for m in layouts}
    for number in range(1, arguments.runs + 1):
        for layout in layouts:
            result = _one_run(folder, arguments.endpoint, layout)
            runs[result["mode"]].append(result)
            print(
                f"run {number}/{arguments.runs} {result['mode']:18} "
                + ", ".join(
                    f"{phase} {figures['total_seconds']:.2f} s"
                    for phase, figures in result["phases"].items()
                )
                + f", peak RSS {result['peak_rss_mib']:.0f} MiB",
                flush=True,
            )
    medians = [median_run(mode_runs) for mode_runs in runs.values()]
    summary = _batch_summary(batch, arguments.lines)
    print()
    print("\n".join(report_lines(machine, summary, medians)))
    json_out = arguments.json_out or OUT / f"pipeline-{arguments.lines}-{'-'.join(runs)}.json"
    json_out.parent.mkdir(parents=True, exist_ok=True)
    document = {"machine": machine, "batch": summary, "medians": medians, "runs": runs}
    json_out.write_text(json.dumps(document, indent=2), encoding="utf-8")
    print(f"\nwrote {json_out}")
    png = json_out.with_suffix(".png")
    title = f"{arguments.lines:,} invoice lines, median of {arguments.runs} runs"
    if write_chart(medians, title, png):
        print(f"wrote {png}")
    else:
        print("no chart: matplotlib is not installed (.venv/bin/pip install matplotlib)")


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--lines", type=int, default=10_000, help="ZEMM004 invoice lines")
    parser.add_argument("--runs", type=int, default=3, help="runs per mode (medians reported)")
    parser.add_argument("--endpoint", help="AWS endpoint URL (LocalStack); default: embedded moto")
    parser.add_argument("--in-process", action="store_true", help="run the baseline only")
    parser.add_argument("--skip-baseline", action="store_true", help="run the queues only")
    parser.add_argument(
        "--processes",
        action="store_true",
        help="queues: every service in a worker process of its own (default: threads of one)",
    )
    parser.add_argument(
        "--batch", type=Path, help=f"folder the batch is generated in (default {OUT}/batch-LINES)"
    )
    parser.add_argument("--json-out", type=Path, help="result file (a PNG is written beside it)")
    arguments = parser.parse_args()
    if arguments.in_process and arguments.skip_baseline:
        parser.error("--in-process and --skip-baseline leave nothing to run")
    if arguments.in_process and arguments.processes:
        parser.error("--processes is a layout of the queues; --in-process runs without them")
    return arguments


def _wanted(arguments: argparse.Namespace, layout: str) -> bool:
    return not arguments.skip_baseline if layout == IN_PROCESS else not arguments.in_process


def _one_run(folder: Path, endpoint: str | None, layout: str) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as scratch:
        result_file = Path(scratch) / "result.json"
        command = [sys.executable, "-m", "benchmarks.measure.run", "--batch", str(folder)]
        command += ["--result", str(result_file)]
        command += ["--endpoint", endpoint] if endpoint else []
        command += {IN_PROCESS: ["--in-process"], PROCESSES: ["--processes"]}.get(layout, [])
        if subprocess.run(command, check=False).returncode != 0:
            sys.exit(f"the {mode_name(endpoint, layout)} run failed; its error is above")
        result: dict[str, Any] = json.loads(result_file.read_text(encoding="utf-8"))
        return result


def _batch_summary(batch: GeneratedBatch, lines: int) -> dict[str, Any]:
    return {
        **asdict(batch),
        "folder": str(batch.folder),
        "lines": lines,
        "files": len(batch.records),
    }


def _machine() -> dict[str, Any]:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    kib = next(
        int(line.split()[1])
        for line in Path("/proc/meminfo").read_text(encoding="utf-8").splitlines()
        if line.startswith("MemTotal")
    )
    return {
        "cores": os.cpu_count(),
        "cpu": cpu,
        "ram_gib": kib / 2**20,
        "python": platform.python_version(),
        "date": time.strftime("%Y-%m-%d"),
        "load_average_1min_at_start": os.getloadavg()[0],
    }


if __name__ == "__main__":
    main()
