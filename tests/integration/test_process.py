"""`ior process` on the embedded emulator: a message a service gives up on fails the run, and the
run says which one, why, and where to look."""

import json
import shutil
from pathlib import Path

import pytest
import structlog

from contracts.errors import IorError
from contracts.topology import EXTRACT_ACCEPTED
from entrypoints.cli import main
from services.audit.handler import AuditHandler
from services.runtime.context import RuntimeContext
from services.runtime.messaging.dead_letters import DeadLetters
from services.runtime.messaging.messages import InboundMessage
from services.runtime.operations.dlq import service_queues

pytestmark = pytest.mark.integration
CUSTOMERS = Path(__file__).resolve().parents[2] / "samples" / "batch" / "ZSDR010-20261122-0001.json"


class AuditRefused(IorError):
    """The test's stand-in for a permanent failure of a handler."""

    error_type = "audit-refused"


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """One reference feed: the quickest run through ingestion, normalization and audit."""
    extracts = tmp_path / "extracts"
    extracts.mkdir()
    shutil.copy(CUSTOMERS, extracts)
    return extracts


@pytest.fixture
def restored_logging():
    """`ior process` points the logs at its OUT folder; later tests log as before."""
    saved = structlog.get_config()
    yield
    structlog.configure(**saved)


@pytest.fixture
def audit_refuses_accepted_extracts(monkeypatch):
    record_event = AuditHandler.record_event

    def refuse(self, event):
        if event.envelope.type == EXTRACT_ACCEPTED:
            raise AuditRefused(f"audit refused {event.envelope.id}")
        return record_event(self, event)

    monkeypatch.setattr(AuditHandler, "record_event", refuse)


def process(folder: Path, out: Path, endpoint: str) -> int:
    return main(["process", str(folder), "--out", str(out), "--endpoint", endpoint])


@pytest.mark.usefixtures("restored_logging", "audit_refuses_accepted_extracts")
def test_a_dead_lettered_message_fails_the_run_and_is_listed(
    context, emulator, folder, tmp_path, capsys
):
    assert process(folder, tmp_path / "out", emulator) == 1
    summary = json.loads((tmp_path / "out" / "summary.json").read_text())
    assert summary["passed"] is False
    [letter] = summary["dead_letters"]
    assert (letter["service"], letter["type"], letter["error_type"]) == (
        "audit",
        EXTRACT_ACCEPTED,
        "audit-refused",
    )
    assert letter["error_message"].startswith("audit refused ")
    assert letter["correlationid"] == "ZSDR010-20261122-0001"
    printed = capsys.readouterr().out
    assert f"✗ audit: {EXTRACT_ACCEPTED} (ZSDR010-20261122-0001) audit-refused: audit" in printed
    assert f"look: ior dlq peek audit --endpoint {emulator}" in printed
    assert '"passed": false' in printed


@pytest.mark.usefixtures("restored_logging")
def test_dead_letters_of_an_earlier_run_do_not_fail_this_one(
    context: RuntimeContext, emulator, folder, tmp_path
):
    dlq_url = context.names.queue_url(service_queues("audit").dlq)
    earlier = InboundMessage("earlier", "{}", {"type": EXTRACT_ACCEPTED})
    DeadLetters(context.clients.sqs, dlq_url, "audit").send(earlier, "audit-refused", "earlier")
    assert process(folder, tmp_path / "out", emulator) == 0
    summary = json.loads((tmp_path / "out" / "summary.json").read_text())
    assert (summary["passed"], summary["dead_letters"]) == (True, [])
