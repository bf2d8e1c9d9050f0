"""What `ior process` and `ior demo` make of a run in which a service dead-lettered a message."""

import json

from contracts.envelope import Envelope
from entrypoints.process import DeadLetter, PipelineRun, current_lines, dead_letter_lines, summarize


def dead_letter(service: str = "normalization", **overrides: str) -> DeadLetter:
    fields = {
        "message_id": "m-1",
        "type": "ior.extract.accepted",
        "correlationid": "ZEMM004-20261122-0001",
        "error_type": "object-missing",
        "error_message": "processed/extracts/ZEMM004/x.jsonl is gone; push the extract again",
        "failed_at": "2026-11-22T02:00:05+00:00",
        **overrides,
    }
    return DeadLetter(service=service, **fields)


def test_a_settled_run_with_a_dead_letter_is_not_completed_and_fails():
    run = PipelineRun(files=[], dead_letters=[dead_letter()])
    assert (run.completed, run.failed) == (False, True)
    summary = summarize(run)
    assert summary["passed"] is False
    assert summary["dead_letters"][0]["error_type"] == "object-missing"


def test_each_dead_letter_is_one_line_with_its_reason_and_each_service_where_to_look():
    letters = [dead_letter(), dead_letter(message_id="m-2"), dead_letter("audit")]
    lines = dead_letter_lines(letters, "http://localhost:4566")
    assert lines[0] == (
        "✗ normalization: ior.extract.accepted (ZEMM004-20261122-0001) object-missing: "
        "processed/extracts/ZEMM004/x.jsonl is gone; push the extract again"
    )
    assert lines[3:] == [
        "look: ior dlq peek audit --endpoint http://localhost:4566",
        "look: ior dlq peek normalization --endpoint http://localhost:4566",
    ]


def test_an_embedded_run_says_its_queues_end_with_the_command():
    *_, note = dead_letter_lines([dead_letter()], endpoint=None)
    assert "embedded emulator's queues end with this command" in note


def calculation(calc_id: str, invoices: list[str], **succession) -> tuple[Envelope, bytes]:
    data = {"calc_id": calc_id, **succession}
    event = Envelope.model_construct(type="ior.customs-lines.generated", data=data)
    body = b"".join(
        json.dumps({"invoice_number": invoice, "calc_id": calc_id}).encode() + b"\n"
        for invoice in invoices
    )
    return event, body


def test_the_outputs_hold_each_invoices_lines_of_its_current_calculation_only():
    first = calculation("CALC-1", ["A", "B"])
    second = calculation("CALC-2", ["A", "C"], supersedes={"A": "CALC-1"})
    late = calculation("CALC-3", ["C"], superseded_by={"C": "CALC-2"})
    kept = [json.loads(line) for line in current_lines([first, second, late]).splitlines()]
    assert [(line["calc_id"], line["invoice_number"]) for line in kept] == [
        ("CALC-1", "B"),
        ("CALC-2", "A"),
        ("CALC-2", "C"),
    ]
