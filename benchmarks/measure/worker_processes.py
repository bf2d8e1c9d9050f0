"""Every service in a worker process of its own, as deployed: one `ior worker NAME` per service.

Each worker's output goes to a file; the JSON lines in it are the ones the thread layout captures
in memory (the EMF `metrics` line of every settled message among them), so the same code reads
both. Peak RSS (`VmHWM`) and CPU time per worker come from /proc, read just before it is stopped.
The workers are always stopped on the way out, whatever went wrong: SIGTERM (they finish the
messages in hand), then SIGKILL for one that does not stop in time.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import Any

from services.runtime.settings import Settings

REPO = Path(__file__).resolve().parents[2]
START_TIMEOUT_SECONDS = 120
STOP_TIMEOUT_SECONDS = 60
_TAIL_LINES = 20
_CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


class WorkerDied(RuntimeError):
    """A worker process exited while the run still needed it."""


class WorkerLogs:
    """The workers' JSON log lines in time order, read on from where the last call stopped; only
    complete lines, since a worker may be halfway through writing one."""

    def __init__(self, files: Sequence[Path]) -> None:
        self._offsets = dict.fromkeys(files, 0)
        self._events: list[dict[str, Any]] = []

    def events(self) -> list[dict[str, Any]]:
        for path, offset in self._offsets.items():
            with path.open("rb") as log:
                log.seek(offset)
                written = log.read()
            complete = written[: written.rfind(b"\n") + 1]
            self._offsets[path] = offset + len(complete)
            self._events += json_lines(complete.decode("utf-8", errors="replace"))
        self._events.sort(key=lambda event: str(event.get("timestamp", "")))
        return list(self._events)


def json_lines(text: str) -> list[dict[str, Any]]:
    """structlog's JSON lines in a worker's output; the CLI's one-line errors and any traceback
    are for a person and are left out."""
    events = []
    for line in text.splitlines():
        try:
            event = json.loads(line)
        except json.JSONDecodeError:
            continue
        if isinstance(event, dict) and "event" in event:
            events.append(event)
    return events


class WorkerProcesses:
    """`python -m entrypoints.cli worker NAME` for each service, on `endpoint`, logging to
    `folder`."""

    def __init__(self, services: Sequence[str], settings: Settings, folder: Path) -> None:
        self._services = tuple(services)
        self._files = {service: folder / f"{service}.log" for service in services}
        self._environment = worker_environment(os.environ, settings)
        self._processes: dict[str, subprocess.Popen[bytes]] = {}
        self.logs = WorkerLogs(list(self._files.values()))

    def __enter__(self) -> WorkerProcesses:
        try:
            for service in self._services:
                with self._files[service].open("wb") as log:  # the worker keeps its own handle
                    self._processes[service] = subprocess.Popen(
                        [sys.executable, "-m", "entrypoints.cli", "worker", service],
                        stdin=subprocess.DEVNULL,
                        stdout=log,
                        stderr=subprocess.STDOUT,
                        env=self._environment,
                        cwd=REPO,
                    )
            self._wait_until_started()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def check_alive(self) -> None:
        """Raise `WorkerDied`, with the end of its log, for a worker that has exited."""
        for service, process in self._processes.items():
            code = process.poll()
            if code is not None:
                lines = self._files[service].read_text(encoding="utf-8", errors="replace")
                tail = "\n".join(lines.splitlines()[-_TAIL_LINES:])
                raise WorkerDied(
                    f"the {service} worker (pid {process.pid}) exited with code {code} during the "
                    f"run; the end of its log:\n{tail}"
                )

    def cpu_seconds(self) -> float:
        """CPU time of all the workers so far."""
        self.check_alive()
        return sum(cpu_seconds(process.pid) for process in self._processes.values())

    def usage(self) -> dict[str, dict[str, float]]:
        """{service: {peak_rss_mib, cpu_seconds}}, over the worker's whole life so far."""
        self.check_alive()
        return {
            service: {
                "peak_rss_mib": peak_rss_mib(process.pid),
                "cpu_seconds": cpu_seconds(process.pid),
            }
            for service, process in self._processes.items()
        }

    def stop(self) -> None:
        # SIGTERM to all first, so that they wind down side by side.
        for process in self._processes.values():
            if process.poll() is None:
                process.terminate()
        for process in self._processes.values():
            try:
                process.wait(timeout=STOP_TIMEOUT_SECONDS)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    def _wait_until_started(self) -> None:
        """Until every worker polls its queue: their start-up (imports, apps built) is not part of
        the phases, as the thread layout builds its workers before the first put too."""
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while True:
            self.check_alive()
            events = self.logs.events()
            started = {e.get("service") for e in events if e["event"] == "worker.started"}
            if started >= set(self._services):
                return
            if time.monotonic() > deadline:
                missing = ", ".join(sorted(set(self._services) - started))
                raise TimeoutError(
                    f"workers not started within {START_TIMEOUT_SECONDS} s: {missing}"
                )
            time.sleep(0.1)


def worker_environment(environment: Mapping[str, str], settings: Settings) -> dict[str, str]:
    """The run's own environment (credentials, region) with the run's endpoints instead of the
    shell's (with the embedded emulator, a DynamoDB Local left in the shell is not used), at the
    level that writes the metrics lines, and polling as briefly as the thread layout's workers."""
    return {
        **{k: v for k, v in environment.items() if not k.startswith("AWS_ENDPOINT_URL")},
        **settings.endpoint_environment(),
        "IOR_LOG_LEVEL": "INFO",
        "IOR_RECEIVE_WAIT_SECONDS": str(settings.receive_wait_seconds),
    }


def peak_rss_mib(pid: int) -> float:
    status = Path(f"/proc/{pid}/status").read_text(encoding="utf-8")
    kib = next(line.split()[1] for line in status.splitlines() if line.startswith("VmHWM:"))
    return int(kib) / 1024


def cpu_seconds(pid: int) -> float:
    """User + system time; the fields after the command name, which may itself hold spaces."""
    stat = Path(f"/proc/{pid}/stat").read_text(encoding="utf-8")
    fields = stat.rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / _CLOCK_TICKS
