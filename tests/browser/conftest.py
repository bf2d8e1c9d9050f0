"""The portal's pages in a real browser: Debian's chromium (headless) driven by Selenium, on
the portal app served by uvicorn in a thread over the embedded emulator after the sample
pipeline, with the service workers running so an upload is ingested while the page follows it.

Sign-in is the dev login of `ior serve --dev-login` (the OIDC code flow with PKCE against a
local issuer). Each page's screenshot goes to `out/screenshots/`, and its times (server, and
the browser's load) to `out/screenshots/timings.json`.
"""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn

from entrypoints.process import find_extract_files, run_pipeline
from services.portal.app import dev_login_app
from services.runtime.context import RuntimeContext, available_services
from services.runtime.messaging.runner import BackgroundWorkers
from services.runtime.operations.dlq import service_queues
from tests.integration.conftest import emulator, fresh_context  # noqa: F401 - the fixture

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "samples"
SCREENSHOTS = ROOT / "out" / "screenshots"
WAIT_SECONDS = 20


def browser_binaries() -> tuple[str, str]:
    """chromium and its matching chromedriver, installed from Debian when absent."""
    found = shutil.which("chromium"), shutil.which("chromedriver")
    if None in found:
        for command in (["update", "-q"], ["install", "-y", "-q", "chromium", "chromium-driver"]):
            subprocess.run(["apt-get", *command], check=False, capture_output=True)
        found = shutil.which("chromium"), shutil.which("chromedriver")
    if None in found:
        pytest.skip(
            "no chromium/chromedriver, and `apt-get install chromium chromium-driver` failed"
        )
    return found  # type: ignore[return-value]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Served:
    """The portal app under uvicorn in a daemon thread."""

    def __init__(self, context: RuntimeContext) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.context = context
        config = uvicorn.Config(
            dev_login_app(context, self.url), host="127.0.0.1", port=self.port, log_level="warning"
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, daemon=True)

    def __enter__(self) -> Served:
        self._thread.start()
        deadline = time.monotonic() + WAIT_SECONDS
        while not self._server.started:
            assert time.monotonic() < deadline, "uvicorn did not start"
            time.sleep(0.05)
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=WAIT_SECONDS)


# Module-scoped: the workers and the server stop with the browser tests, before the other suites
# (moto's state is per process, and these workers would take their messages).
@pytest.fixture(scope="module")
def portal(emulator: str) -> Iterator[Served]:  # noqa: F811 - the imported fixture
    context = fresh_context(emulator)
    run = run_pipeline(context, find_extract_files(SAMPLES), lambda _: None)
    assert run.settled and not run.dead_letters
    # One dead letter: the badge is red from the first page, and Operations has one to replay.
    dlq = context.names.queue_url(service_queues("comparison").dlq)
    context.clients.sqs.send_message(QueueUrl=dlq, MessageBody='{"type": "ior.test.poison"}')
    with BackgroundWorkers(context, available_services()), Served(context) as served:
        yield served


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    chromium, chromedriver = browser_binaries()
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1280,1000"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(chromedriver), options=options)
    driver.implicitly_wait(0)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    yield driver
    driver.quit()


@pytest.fixture(scope="module")
def timings() -> Iterator[dict[str, dict[str, float]]]:
    measured: dict[str, dict[str, float]] = {}
    yield measured
    (SCREENSHOTS / "timings.json").write_text(json.dumps(measured, indent=2) + "\n")
