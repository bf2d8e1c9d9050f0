"""Service workers as separate processes, the way they run in production:
`python -m entrypoints.cli worker SERVICE... --endpoint LOCALSTACK`, each with its own log file."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# LocalStack derives the account from the access key; every client and worker uses the same one.
CREDENTIALS = {"AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test"}
REGION = "us-east-1"
# Short long-polls and heartbeats, so workers stop and re-deliver within seconds.
WORKER_ENV = {"IOR_RECEIVE_WAIT_SECONDS": "1", "IOR_VISIBILITY_HEARTBEAT_SECONDS": "1"}


@dataclass(frozen=True)
class Endpoints:
    aws: str
    dynamodb: str
    started_here: bool


def process_environment(endpoints: Endpoints, **extra: str) -> dict[str, str]:
    """This process's environment, pointed at the emulators with the test credentials."""
    dropped = {"AWS_SESSION_TOKEN", "AWS_PROFILE"}
    environment = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith("AWS_ENDPOINT_URL") and name not in dropped
    }
    environment |= CREDENTIALS | extra
    environment |= {"AWS_REGION": REGION, "AWS_ENDPOINT_URL_DYNAMODB": endpoints.dynamodb}
    return environment


@dataclass
class WorkerProcess:
    """`python -m entrypoints.cli worker SERVICE...` against the e2e endpoints, output in a log."""

    services: tuple[str, ...]
    endpoints: Endpoints
    log_path: Path
    env: dict[str, str] = field(default_factory=dict)
    process: subprocess.Popen[bytes] | None = None

    def start(self) -> WorkerProcess:
        environment = process_environment(self.endpoints, **WORKER_ENV, **self.env)
        command = [sys.executable, "-m", "entrypoints.cli", "worker", *self.services]
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                [*command, "--endpoint", self.endpoints.aws],
                cwd=ROOT,
                env=environment,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        return self

    @property
    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def kill(self) -> None:
        """SIGKILL: no graceful stop, in-flight messages stay in flight."""
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self, timeout: float = 30) -> int | None:
        """SIGTERM and wait: in-flight messages finish, received ones are released."""
        if self.process is None:
            return None
        if self.alive:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        return self.process.returncode

    def log_tail(self, lines: int = 40) -> str:
        text = self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
        return "\n".join(text.splitlines()[-lines:])


class Workers:
    """Starts worker processes for one test (or module) and stops every one of them after it."""

    def __init__(self, endpoints: Endpoints, log_dir: Path) -> None:
        self._endpoints = endpoints
        self._log_dir = log_dir
        self.started: list[WorkerProcess] = []

    def start(self, *services: str, **env: str) -> WorkerProcess:
        log_path = self._log_dir / f"worker-{'-'.join(services)}-{len(self.started)}.log"
        worker = WorkerProcess(services, self._endpoints, log_path, env).start()
        self.started.append(worker)
        return worker

    def stop_all(self) -> None:
        for worker in self.started:
            worker.stop()
