"""The comparison service on the emulator, with lines modelled on samples/README.md.

Three invoices of the sample batch with SAP's deliberate discrepancies: D1 (duty off), D2 (wrong
HTS), D3 (SAP misses the aluminum line) and T1 (weight within tolerance). Expected: 11 lines of
ours, 10 of SAP's; 10 matched (8 PASS, 2 FAIL), 1 ours only, an alert.
"""

import json
from decimal import Decimal

import pytest

from contracts.datasets import CalculationRecordV1, Component
from contracts.envelope import Envelope, new_envelope
from contracts.events import (
    AlertRaisedV1,
    ComparisonCompletedV1,
    CustomsLinesGeneratedV1,
    CustomsTotalsV1,
    DeclaredLinesNormalizedV1,
    ObjectRef,
    Severity,
    parse_event,
)
from contracts.topology import (
    ALERT_RAISED,
    BUCKET_PROCESSED,
    COMPARISON_COMPLETED,
    CUSTOMS_LINES_GENERATED,
    DECLARED_LINES_NORMALIZED,
    FEED_SYNC_COMPARISON,
    TABLE_FEED_SYNC,
)
from services.comparison.pending import PendingCalc, calc_key
from services.runtime.context import RuntimeContext, load_app, processor_for
from services.runtime.messaging.messages import ConsumedEvent, InboundMessage
from services.runtime.messaging.processor import Outcome
from services.runtime.messaging.publisher import message_attributes
from services.runtime.operations.observer import EventObserver
from tests.conftest import wait_for
from tests.unit.test_comparison_matching import customs_line, declared_line

pytestmark = pytest.mark.integration

D = Decimal
CALC_ID = "CALC-20261122-020000-AB12"
NSW, SFW, VBM = "NSW-2606-0512", "SFW-2608-0219", "VBM-251183"
M2, M9 = "000000000010004712", "000000000010006101"
# (invoice, line, component, material, hts, coo, weight, value, duty)
CORRECT = [
    (NSW, 10, "FULL", "000000000010005101", "9404210010", "CN", "441.600", "1189.20", "457.84"),
    (NSW, 20, "FULL", "000000000010005200", "9404909505", "CN", "2700.000", "8100.00", "1903.50"),
    (SFW, 10, "FULL", "000000000010004711", "9403200080", "CN", "7800.000", "28350.00", "14175.00"),
    (SFW, 20, "FULL", "000000000010008001", "9401614011", "CN", "1920.000", "8760.00", "2190.00"),
    (VBM, 10, "NON_METAL", M2, "9403200080", "VN", "4561.325", "18806.76", "3761.35"),
    (VBM, 10, "STEEL", M2, "9403200080", "VN", "11038.624", "45513.24", "22756.62"),
    (
        VBM,
        20,
        "FULL",
        "000000000010005100",
        "9404210010",
        "VN",
        "28350.000",
        "106875.00",
        "24581.25",
    ),
    (VBM, 30, "NON_METAL", M9, "9403200050", "VN", "1728.000", "4483.14", "896.63"),
    (VBM, 30, "STEEL", M9, "9403200050", "VN", "6336.000", "16438.15", "8219.08"),
    (VBM, 30, "ALUMINUM", M9, "9403200050", "VN", "1088.000", "2822.71", "1411.36"),
    (VBM, 40, "FULL", "000000000010007001", "9403509045", "VN", "1420.000", "4160.00", "832.00"),
]
SAP_CHANGES = {
    (NSW, 10, "FULL"): {"duty_usd": D("451.90")},  # D1
    (SFW, 20, "FULL"): {"hts_code": "9403200080"},  # D2
    (VBM, 30, "ALUMINUM"): None,  # D3: SAP has no such line
    (VBM, 20, "FULL"): {"net_weight_kg": D("28400.000")},  # T1: +0.18 %
}


def fields(row) -> dict:
    invoice, line, component, material, hts, coo, weight, value, duty = row
    return {
        "invoice_number": invoice,
        "line_number": line,
        "component": Component(component),
        "material": material,
        "hts_code": hts,
        "country_of_origin": coo,
        "net_weight_kg": D(weight),
        "entered_value_usd": D(value),
        "duty_usd": D(duty),
    }


def our_lines(invoices=(NSW, SFW, VBM)):
    return [customs_line(calc_id=CALC_ID, **fields(row)) for row in CORRECT if row[0] in invoices]


def sap_lines(invoices=(NSW, SFW, VBM)):
    lines = []
    for row in CORRECT:
        change = SAP_CHANGES.get(row[:3], {})
        if row[0] in invoices and change is not None:
            lines.append(declared_line(**{**fields(row), **change}))
    return lines


def put_jsonl(context: RuntimeContext, key: str, rows) -> ObjectRef:
    body = b"".join(row.model_dump_json().encode() + b"\n" for row in rows)
    return context.blobs.put(
        BUCKET_PROCESSED, key, body, content_type="application/x-ndjson", row_count=len(rows)
    )


def calculation_record(context: RuntimeContext, lines: ObjectRef, invoices) -> ObjectRef:
    """The calculation record the event points to: every line declared (no exceptions)."""
    record = CalculationRecordV1(
        calc_id=CALC_ID,
        calculated_at="2026-11-22T02:00:00+00:00",
        producer="test",
        inputs=(),
        reference_versions={},
        rates_used=(),
        invoice_numbers=tuple(invoices),
        po_numbers=("4500018577",),
        line_count=0,
        totals={},
        reconciliation=(),
        exceptions=(),
        packaging_lines=(),
        lines_uri=lines.uri,
        lines_sha256=lines.sha256,
        workbook_uri=lines.uri,
    )
    return context.blobs.put(
        BUCKET_PROCESSED,
        f"customs-lines/{CALC_ID}/calculation.json",
        record.model_dump_json().encode(),
        content_type="application/json",
    )


def customs_event(context: RuntimeContext, invoices=(NSW, SFW, VBM)) -> Envelope:
    lines = our_lines(invoices)
    ref = put_jsonl(context, f"customs-lines/{CALC_ID}.jsonl", lines)
    data = CustomsLinesGeneratedV1(
        calc_id=CALC_ID,
        lines=ref,
        workbook=ref,
        calculation=calculation_record(context, ref, invoices),
        invoice_numbers=tuple(invoices),
        po_numbers=("4500018577",),
        line_count=len(lines),
        exception_count=0,
        packaging_count=0,
        totals=CustomsTotalsV1(entered_value_usd=D(0), duty_usd=D(0), mpf_usd=D(0), hmf_usd=D(0)),
    )
    return new_envelope(
        data, source="ior.customs_generation", subject=CALC_ID, correlationid="batch-1", cause="c"
    )


def declared_event(context: RuntimeContext, invoices=(NSW, SFW, VBM), extract="0001") -> Envelope:
    extract_id = f"ZSDR002-20261122-{extract}"
    ref = put_jsonl(context, f"normalized/ZSDR002/{extract_id}.jsonl", sap_lines(invoices))
    data = DeclaredLinesNormalizedV1(extract_id=extract_id, lines=ref, invoice_numbers=invoices)
    return new_envelope(
        data, source="ior.normalization", subject=extract_id, correlationid="batch-1", cause=extract
    )


def deliver(context: RuntimeContext, envelope: Envelope, message_id: str = "m1") -> Outcome:
    attributes = {k: v["StringValue"] for k, v in message_attributes(envelope).items()}
    message = InboundMessage(message_id, envelope.to_json(), attributes)
    return processor_for(load_app("comparison", context), context).process(message)


def published(observer: EventObserver, expected: int) -> list[Envelope]:
    """The events published, once `expected` arrived (and whatever came with them)."""
    seen: list[Envelope] = []

    def enough() -> bool:
        seen.extend(observer.collect())
        return len(seen) >= expected

    wait_for(enough, timeout=10)
    return seen + observer.collect()


def of_type(events: list[Envelope], event_type: str) -> list:
    return [parse_event(event) for event in events if event.type == event_type]


def pending_calc(context: RuntimeContext) -> PendingCalc:
    return PendingCalc.model_validate_json(context.blobs.get(BUCKET_PROCESSED, calc_key(CALC_ID)))


def report_of(context: RuntimeContext, completed: ComparisonCompletedV1) -> dict:
    return json.loads(context.blobs.get_verified(completed.report))


def test_the_samples_deliberate_discrepancies_are_reported_and_alerted(context):
    with EventObserver(context.clients, context.names) as observer:
        assert deliver(context, declared_event(context)) is Outcome.DONE
        assert deliver(context, customs_event(context)) is Outcome.DONE
        events = published(observer, 2)

    (completed,) = of_type(events, COMPARISON_COMPLETED)
    counts = (completed.passed, completed.failed, completed.ours_only, completed.theirs_only)
    assert counts == (8, 2, 1, 0)
    report = report_of(context, completed)
    failed = {
        (line["invoice_number"], line["line_number"]): line["discrepancies"]
        for line in report["lines"]
        if line["status"] == "FAIL"
    }
    assert failed == {
        (NSW, 10): [{"field": "duty_usd", "ours": "457.84", "theirs": "451.90", "delta": "-5.94"}],
        (SFW, 20): [
            {"field": "hts_code", "ours": "9401614011", "theirs": "9403200080", "delta": None}
        ],
    }
    assert [(x["invoice_number"], x["component"]) for x in report["ours_only"]] == [
        (VBM, "ALUMINUM")
    ]
    t1 = next(x for x in report["lines"] if (x["invoice_number"], x["line_number"]) == (VBM, 20))
    assert t1["status"] == "PASS"
    (alert,) = of_type(events, ALERT_RAISED)
    assert isinstance(alert, AlertRaisedV1)
    assert alert.severity is Severity.ERROR
    assert "2 line(s) failed, 1 ours only, 0 SAP only" in alert.title
    assert alert.refs[0] == completed.report.uri
    assert alert.refs[1].endswith("/comparison.xlsx")


def test_the_last_comparison_is_recorded_for_ior_status(context):
    deliver(context, declared_event(context))
    deliver(context, customs_event(context))
    item = context.clients.dynamodb.get_item(
        TableName=TABLE_FEED_SYNC, Key={"feed": {"S": FEED_SYNC_COMPARISON}}
    )["Item"]
    assert (item["calc_id"]["S"], item["result"]["S"]) == (CALC_ID, "FAIL")
    assert (item["passed"]["N"], item["failed"]["N"], item["ours_only"]["N"]) == ("8", "2", "1")


def test_comparison_waits_for_a_late_zsdr002_then_runs(context):
    with EventObserver(context.clients, context.names) as observer:
        deliver(context, customs_event(context))
        assert observer.collect() == []
        assert pending_calc(context).completed_by is None

        declared = declared_event(context)
        deliver(context, declared)
        (completed,) = of_type(published(observer, 2), COMPARISON_COMPLETED)

    assert (completed.passed, completed.failed, completed.ours_only) == (8, 2, 1)
    assert pending_calc(context).completed_by == declared.id


def test_a_later_declaration_reruns_the_comparison_and_an_unchanged_result_raises_no_alert(
    context,
):
    deliver(context, customs_event(context))
    with EventObserver(context.clients, context.names) as observer:
        deliver(context, declared_event(context))
        [first, _] = published(observer, 2)
    with EventObserver(context.clients, context.names) as observer:
        deliver(context, declared_event(context, extract="0002"))  # the same lines, sent again
        [again] = published(observer, 1)
    assert (again.type, again.id) == (COMPARISON_COMPLETED, first.id)


def test_a_corrected_declaration_is_compared_and_alerts_only_what_is_new(context):
    deliver(context, customs_event(context))
    deliver(context, declared_event(context))
    corrected = [
        line.model_copy(update={"duty_usd": line.duty_usd + 1})
        if line.invoice_number == NSW
        else line
        for line in sap_lines((NSW, SFW, VBM))
    ]
    ref = put_jsonl(context, "normalized/ZSDR002/ZSDR002-20261123-0001.jsonl", corrected)
    data = DeclaredLinesNormalizedV1(
        extract_id="ZSDR002-20261123-0001", lines=ref, invoice_numbers=(NSW, SFW, VBM)
    )
    envelope = new_envelope(
        data, source="ior.normalization", subject="x", correlationid="batch-1", cause="fix"
    )
    with EventObserver(context.clients, context.names) as observer:
        deliver(context, envelope)
        events = published(observer, 2)
    [alert] = [e for e in events if e.type == ALERT_RAISED]
    assert f"{NSW}/" in alert.data["detail"] and f"{SFW}/" not in alert.data["detail"]


def test_a_declaration_retried_after_its_run_publishes_the_same_events_again(context):
    # The runtime publishes after the handler returned; when that fails, the event is retried
    # and must yield its comparison again, not find it "already done".
    on_declared = load_app("comparison", context).handlers[DECLARED_LINES_NORMALIZED]
    deliver(context, customs_event(context))
    declared = declared_event(context)

    first = on_declared(ConsumedEvent(declared, parse_event(declared))).envelopes
    retried = on_declared(ConsumedEvent(declared, parse_event(declared))).envelopes

    assert [event.type for event in first] == [COMPARISON_COMPLETED, ALERT_RAISED]
    assert [event.id for event in retried] == [event.id for event in first]


def test_invoices_sap_has_not_declared_await_it_instead_of_being_ours_only(context):
    with EventObserver(context.clients, context.names) as observer:
        deliver(context, declared_event(context, invoices=(NSW,)))
        deliver(context, customs_event(context))
        (partial,) = of_type(published(observer, 2), COMPARISON_COMPLETED)
        partial_report = report_of(context, partial)

        deliver(context, declared_event(context, invoices=(SFW, VBM), extract="0002"))
        (complete,) = of_type(published(observer, 2), COMPARISON_COMPLETED)

    assert (partial.passed, partial.failed, partial.ours_only) == (1, 1, 0)
    assert partial_report["awaiting_sap"] == [SFW, VBM]
    assert partial_report["summary"]["awaiting_sap_lines"] == 9
    assert (complete.passed, complete.failed, complete.ours_only) == (8, 2, 1)
    assert report_of(context, complete)["awaiting_sap"] == []
    assert complete.report.uri != partial.report.uri  # the partial report stays readable


@pytest.mark.parametrize("sap_first", [True, False], ids=["sap-first", "sap-late"])
def test_redelivered_events_make_no_second_report_or_alert(context, sap_first):
    customs, declared = customs_event(context), declared_event(context)
    order = [declared, customs] if sap_first else [customs, declared]
    with EventObserver(context.clients, context.names) as observer:
        for envelope in order:
            deliver(context, envelope, message_id="first")
            deliver(context, envelope, message_id="redelivered")
        events = published(observer, 2)

    assert sorted(event.type for event in events) == [ALERT_RAISED, COMPARISON_COMPLETED]
    listed = context.clients.s3.list_objects_v2(
        Bucket=BUCKET_PROCESSED, Prefix=f"comparisons/{CALC_ID}/"
    )
    assert len(listed["Contents"]) == 2  # comparison.json and comparison.xlsx, once


def test_both_triggers_running_one_comparison_publish_the_same_event_ids(context):
    # The race the handler allows: the calc registers as pending, SAP's lines arrive and run it,
    # and the calc's own worker, reading SAP's lines again, runs it too.
    app = load_app("comparison", context)
    customs, declared = customs_event(context), declared_event(context)
    on_customs = app.handlers[CUSTOMS_LINES_GENERATED]
    on_declared = app.handlers[DECLARED_LINES_NORMALIZED]

    assert on_customs(ConsumedEvent(customs, parse_event(customs))).envelopes == ()
    by_sap = on_declared(ConsumedEvent(declared, parse_event(declared))).envelopes
    by_calc = on_customs(ConsumedEvent(customs, parse_event(customs))).envelopes

    assert [event.id for event in by_sap] == [event.id for event in by_calc]
    assert len(by_sap) == 2
