"""The benchmarks are not run by CI; these checks keep them from rotting as the services change."""

import importlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks.measure.logs import HandledMessage
from benchmarks.measure.phases import phase_summary
from benchmarks.measure.report import report_lines
from benchmarks.measure.summary import median_run
from benchmarks.measure.worker_processes import WorkerLogs, cpu_seconds, peak_rss_mib

REPO = Path(__file__).resolve().parents[2]
MODULES = sorted(
    ".".join(path.relative_to(REPO).with_suffix("").parts)
    for path in (REPO / "benchmarks").rglob("*.py")
    if path.name != "__init__.py"
)


@pytest.mark.parametrize("module", MODULES)
def test_benchmark_module_imports(module):
    importlib.import_module(module)


def test_generator_writes_every_feed_for_a_small_batch(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "benchmarks.generate", "--lines", "100", "--out", str(tmp_path)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    feeds = {path.name.split("-")[0] for path in tmp_path.glob("*.json")}
    assert feeds == {
        "ZEMM004",
        "ZEMM005",
        "ZEMM006",
        "ZEMM007",
        "ZFMIOR002",
        "ZFMIOR003",
        "ZSDR002",
        "ZSDR010",
    }


def test_worker_logs_keep_complete_json_lines_only(tmp_path):
    log = tmp_path / "audit.log"
    log.write_text(
        '{"event": "worker.started", "timestamp": "2026-01-01T00:00:01Z"}\n'
        "ior: cannot reach http://127.0.0.1:1: is it running?\n"
        '{"event": "metr',
        encoding="utf-8",
    )
    logs = WorkerLogs([log])
    assert [event["event"] for event in logs.events()] == ["worker.started"]
    with log.open("a", encoding="utf-8") as rest:
        rest.write('ics", "timestamp": "2026-01-01T00:00:02Z"}\n')
    assert [event["event"] for event in logs.events()] == ["worker.started", "metrics"]


def test_peak_rss_and_cpu_time_are_read_from_proc():
    assert peak_rss_mib(os.getpid()) > 0
    assert cpu_seconds(os.getpid()) > 0


def test_report_lists_every_worker_process_and_leaves_out_their_api_calls():
    handled = [HandledMessage("audit", "extract.accepted", "done", started=1.0, finished=2.0)]
    phase = phase_summary(handled, start=0.0, cpu_seconds=1.0, api_calls={}, published=1)
    workers = {"audit": {"peak_rss_mib": 90.0, "cpu_seconds": 1.5}}
    run = {
        "mode": "emulator-processes",
        "phases": {"daily": phase, "reference": phase},
        "peak_rss_mib": 200.0,
        "workers": workers,
        "outcome": {},
    }
    machine = {
        "cores": 2,
        "cpu": "cpu",
        "ram_gib": 1.0,
        "python": "3",
        "load_average_1min_at_start": 0,
    }
    batch = {"lines": 1, "invoices": 1, "component_lines": 1, "files": 8, "folder": "batch"}
    lines = report_lines(machine, batch, [median_run([run])])
    assert "  audit                         90     1.50" in lines
    assert any("not counted with --processes" in line for line in lines)
