"""The audit service on the emulator: immutable records with Object Lock, the index, and the
reports read from them (`ior audit`, `ior report ieepa-refunds`)."""

import hashlib
import json
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from botocore.exceptions import ClientError

from contracts.audit_layout import lines_key, record_key
from contracts.datasets import CalculationRecordV1
from contracts.envelope import Envelope, EventData, new_envelope
from contracts.errors import AuditObjectUnverified
from contracts.events import (
    EVENT_MODELS,
    AlertRaisedV1,
    ComparisonCompletedV1,
    ComparisonRequestedV1,
    CustomsLinesGeneratedV1,
    CustomsTotalsV1,
    DeclaredLinesNormalizedV1,
    ExtractAcceptedV1,
    ExtractRejectedV1,
    InvoicesNormalizedV1,
    ObjectRef,
    QualityReportedV1,
    ReferenceUpdatedV1,
    Severity,
    parse_event,
)
from contracts.topology import (
    AUDIT_SUPERSEDED_BY,
    AUDIT_SUPERSEDED_INVOICES,
    BUCKET_AUDIT,
    BUCKET_PROCESSED,
    CUSTOMS_LINES_GENERATED,
    FEED_SYNC_CALC,
    TABLE_AUDIT_INDEX,
    TABLE_FEED_SYNC,
    TOPOLOGY,
)
from entrypoints.reports import audit_lookup, ieepa_refunds
from services.audit.errors import AuditKeyTaken
from services.audit.index import AuditIndex
from services.audit.locked_store import LockedStore
from services.runtime.context import RuntimeContext, load_app, processor_for
from services.runtime.messaging.messages import ConsumedEvent, InboundMessage
from services.runtime.messaging.processor import Outcome
from services.runtime.messaging.publisher import message_attributes
from tests.unit.test_audit_layout import CALC_ID, calculation_record, input_file
from tests.unit.test_ieepa_refunds import sample_lines

pytestmark = pytest.mark.integration

D = Decimal
RETENTION = timedelta(days=2555)
SHA = "e" * 64
REF = ObjectRef(uri="s3://ior-processed/x/y.jsonl", sha256=SHA, row_count=1)
NOW = datetime(2026, 11, 22, 2, 0, tzinfo=UTC)
OTHER_EVENTS: dict[str, EventData] = {
    model.TYPE: model
    for model in (
        ExtractAcceptedV1(
            feed="ZEMM004",
            extract_id="ZEMM004-20261122-0001",
            source_uri="s3://ior-raw/sap/ZEMM004/2026/11/22/ZEMM004-20261122-0001.json",
            sha256=SHA,
            extracted_at=NOW,
            sap_system="PRD",
            records=REF,
            rejected_count=0,
        ),
        ExtractRejectedV1(
            feed="ZEMM006",
            extract_id=None,
            source_uri="s3://ior-raw/sap/ZEMM006/x.json",
            sha256=SHA,
            whole_file=True,
            reason="record_count 2 != 1 records",
            rejected_count=0,
            accepted_count=0,
            report_uri="s3://ior-raw/quarantine/ZEMM006/r.json",
            quarantined_uri=None,
            findings=(),
        ),
        ReferenceUpdatedV1(
            table="ior-hts-codes", feed="ZFMIOR003", extract_id="e", row_count=9, synced_at=NOW
        ),
        InvoicesNormalizedV1(
            extract_id="e",
            lines=REF,
            line_count=1,
            error_count=0,
            invoice_numbers=("I",),
            entry_dates=(date(2026, 7, 1),),
            inputs=(REF,),
        ),
        DeclaredLinesNormalizedV1(extract_id="e", lines=REF, invoice_numbers=("I",)),
        QualityReportedV1(
            extract_id="e", feed="ZEMM004", report=REF, error_count=1, warning_count=2
        ),
        ComparisonCompletedV1(
            calc_id=CALC_ID, report=REF, passed=22, failed=2, ours_only=1, theirs_only=0
        ),
        AlertRaisedV1(severity=Severity.ERROR, service="comparison", title="t", detail="d"),
        ComparisonRequestedV1(calc_id=CALC_ID, invoice_numbers=("I",), requested_by="user-1"),
    )
}


def envelope_of(data: EventData, cause: str = "cause") -> Envelope:
    return new_envelope(data, source="ior.test", subject="s", correlationid="batch-1", cause=cause)


def calculation_event(
    context: RuntimeContext, record: CalculationRecordV1 | None = None, lines=None
) -> Envelope:
    record = record or calculation_record()
    lines = sample_lines(record.calc_id) if lines is None else lines
    body = b"".join(line.model_dump_json().encode() + b"\n" for line in lines)
    lines_ref = context.blobs.put(
        BUCKET_PROCESSED, f"customs-lines/{record.calc_id}.jsonl", body, content_type="x"
    )
    calculation = context.blobs.put(
        BUCKET_PROCESSED,
        f"customs-lines/{record.calc_id}.calculation.json",
        record.model_dump_json().encode(),
        content_type="application/json",
    )
    data = CustomsLinesGeneratedV1(
        calc_id=record.calc_id,
        lines=lines_ref,
        workbook=lines_ref,
        calculation=calculation,
        invoice_numbers=record.invoice_numbers,
        po_numbers=record.po_numbers,
        line_count=len(lines),
        exception_count=0,
        packaging_count=0,
        totals=CustomsTotalsV1(entered_value_usd=D(1), duty_usd=D(1), mpf_usd=D(0), hmf_usd=D(0)),
    )
    return envelope_of(data, cause=record.calc_id)


def deliver(context: RuntimeContext, envelope: Envelope, message_id: str = "m1") -> Outcome:
    attributes = {k: v["StringValue"] for k, v in message_attributes(envelope).items()}
    message = InboundMessage(message_id, envelope.to_json(), attributes)
    return processor_for(load_app("audit", context), context).process(message)


def versions(context: RuntimeContext, prefix: str = "") -> list[str]:
    listed = context.clients.s3.list_object_versions(Bucket=BUCKET_AUDIT, Prefix=prefix)
    return sorted(version["Key"] for version in listed.get("Versions", []))


def index_items(context: RuntimeContext) -> list[dict]:
    return context.clients.dynamodb.scan(TableName=TABLE_AUDIT_INDEX)["Items"]


def assert_locked_for_2555_days(context: RuntimeContext, key: str) -> None:
    head = context.clients.s3.head_object(Bucket=BUCKET_AUDIT, Key=key)
    assert head["ObjectLockMode"] == "COMPLIANCE"
    expected = datetime.now(UTC) + RETENTION
    assert abs(head["ObjectLockRetainUntilDate"] - expected) < timedelta(minutes=5)


def test_every_event_type_is_covered_here():
    assert set(OTHER_EVENTS) | {CUSTOMS_LINES_GENERATED} == {m.TYPE for m in EVENT_MODELS}


@pytest.mark.parametrize("event_type", sorted(OTHER_EVENTS))
def test_event_is_written_once_under_compliance_retention_even_when_redelivered(
    context, event_type
):
    envelope = envelope_of(OTHER_EVENTS[event_type])
    assert deliver(context, envelope, "first") is Outcome.DONE
    assert deliver(context, envelope, "redelivered") is Outcome.DONE

    key = f"events/{envelope.time:%Y/%m/%d}/{event_type}/{envelope.id}.json"
    assert versions(context) == [key]
    assert_locked_for_2555_days(context, key)
    written = Envelope.from_json(context.blobs.get(BUCKET_AUDIT, key))
    assert written == envelope


def test_a_key_already_written_is_not_written_again_even_past_idempotency(context):
    app = load_app("audit", context)
    envelope = envelope_of(OTHER_EVENTS[ExtractAcceptedV1.TYPE])
    for _ in range(2):  # the handler itself, as after an expired idempotency record
        app.handlers[envelope.type](ConsumedEvent(envelope, parse_event(envelope)))
    assert len(versions(context)) == 1


def test_an_event_published_again_with_another_time_is_the_one_recorded(context):
    """Ids come from the cause: a message handled again past its idempotency record republishes
    its events with their ids and a new `time`: the first record stands, none is dead-lettered."""
    app = load_app("audit", context)
    envelope = envelope_of(OTHER_EVENTS[ExtractAcceptedV1.TYPE])
    again = envelope.model_copy(update={"time": envelope.time + timedelta(minutes=5)})
    for published in (envelope, again):
        app.handlers[published.type](ConsumedEvent(published, parse_event(published)))

    key = f"events/{envelope.time:%Y/%m/%d}/{envelope.type}/{envelope.id}.json"
    assert versions(context) == [key]
    assert Envelope.from_json(context.blobs.get(BUCKET_AUDIT, key)) == envelope


def test_an_event_published_again_with_other_processing_details_keeps_the_first(context):
    app = load_app("audit", context)
    envelope = envelope_of(OTHER_EVENTS[ExtractAcceptedV1.TYPE])
    app.handlers[envelope.type](ConsumedEvent(envelope, parse_event(envelope)))
    other = envelope.model_copy(update={"data": {**envelope.data, "rejected_count": 7}})
    app.handlers[other.type](ConsumedEvent(other, parse_event(other)))

    key = f"events/{envelope.time:%Y/%m/%d}/{envelope.type}/{envelope.id}.json"
    assert versions(context) == [key]
    assert Envelope.from_json(context.blobs.get(BUCKET_AUDIT, key)) == envelope


def test_bytes_that_are_no_event_of_that_id_under_an_event_key_are_refused(context):
    app = load_app("audit", context)
    envelope = envelope_of(OTHER_EVENTS[ExtractAcceptedV1.TYPE])
    key = f"events/{envelope.time:%Y/%m/%d}/{envelope.type}/{envelope.id}.json"
    forge(context, key, b'{"forged": true}')

    with pytest.raises(AuditKeyTaken, match="already holds other bytes"):
        app.handlers[envelope.type](ConsumedEvent(envelope, parse_event(envelope)))


def test_calculation_record_and_lines_are_copied_verbatim_under_retention(context):
    envelope = calculation_event(context)
    data = parse_event(envelope)

    assert deliver(context, envelope) is Outcome.DONE

    assert versions(context, "calculations/") == [record_key(CALC_ID), lines_key(CALC_ID)]
    for key, ref in ((record_key(CALC_ID), data.calculation), (lines_key(CALC_ID), data.lines)):
        assert context.blobs.get(BUCKET_AUDIT, key) == context.blobs.get_verified(ref)
        assert_locked_for_2555_days(context, key)


def test_calculation_redelivered_writes_no_second_record_or_index_item(context):
    envelope = calculation_event(context)
    app = load_app("audit", context)
    deliver(context, envelope, "first")
    deliver(context, envelope, "redelivered")
    app.handlers[envelope.type](ConsumedEvent(envelope, parse_event(envelope)))

    assert len(versions(context)) == 3  # the event, the record, the lines
    assert len(index_items(context)) == 5  # CALC + 2 POs + 2 files


def test_index_items_already_there_are_left_as_they_are_and_not_counted(context):
    index = AuditIndex(context.clients.dynamodb)
    first = [{"pk": "CALC#A", "sk": f"PO#{n}", "po_number": str(n)} for n in range(30)]
    assert index.add(first) == 30
    again = [{**item, "po_number": "changed"} for item in first[:20]]
    assert index.add([*again, {"pk": "CALC#A", "sk": "FILE#f", "file_name": "f"}]) == 1
    assert {item["po_number"]["S"] for item in index_items(context) if "po_number" in item} == {
        str(n) for n in range(30)
    }


def test_index_items_are_read_in_batches_and_added_in_transactions_never_batch_written(context):
    """BatchWriteItem could also delete: the audit role may only add (conditional puts)."""
    calls: Counter[str] = Counter()
    context.clients.dynamodb.meta.events.register(
        "before-parameter-build.dynamodb",
        lambda event_name, **_: calls.update([event_name.rsplit(".", 1)[1]]),
    )
    index = AuditIndex(context.clients.dynamodb)
    items = [{"pk": "CALC#B", "sk": f"PO#{n}", "po_number": str(n)} for n in range(120)]
    assert index.add(items) == 120
    assert calls == {"BatchGetItem": 2, "TransactWriteItems": 2}
    assert index.add(items) == 0  # redelivered: read again, nothing written
    assert calls == {"BatchGetItem": 4, "TransactWriteItems": 2}


@pytest.mark.parametrize(
    "lookup",
    [
        {"calc_id": CALC_ID},
        {"po": "4500018640"},
        {"file_name": "ZEMM004-20261122-0001.json"},
    ],
    ids=["calc-id", "po", "file"],
)
def test_audit_record_is_found_by_calc_id_po_and_file_name(context, lookup):
    deliver(context, calculation_event(context))

    (found,) = audit_lookup(context, **lookup)

    assert found["calc_id"] == CALC_ID
    assert found["record"] == calculation_record().model_dump(mode="json")
    assert found["record_uri"] == f"s3://{BUCKET_AUDIT}/{record_key(CALC_ID)}"
    assert found["line_count"] == 4
    assert found["totals"] == {"entered_value_usd": "1189.20", "duty_usd": "457.84"}
    assert found["verified"] == f"verified: sha256 matches version {found['record_version_id']}"


def test_lookup_by_po_lists_every_calculation_of_that_po_oldest_first(context):
    later = "CALC-20261123-020000-CD34"
    deliver(context, calculation_event(context, calculation_record(later)), "later")
    deliver(context, calculation_event(context), "earlier")

    assert [r["calc_id"] for r in audit_lookup(context, po="4500018577")] == [CALC_ID, later]
    assert audit_lookup(context, po="no-such-po") == []
    assert audit_lookup(context, calc_id="CALC-20990101-000000-NONE") == []


def test_lookup_needs_exactly_one_criterion(context):
    with pytest.raises(ValueError, match="exactly one"):
        audit_lookup(context, calc_id=CALC_ID, po="4500018577")


def test_last_calculation_is_recorded_for_ior_status_and_never_goes_back(context):
    later = calculation_record(
        "CALC-20261123-020000-CD34", calculated_at="2026-11-23T02:00:00+00:00"
    )
    deliver(context, calculation_event(context, later), "later")
    deliver(context, calculation_event(context), "earlier, replayed")

    item = context.clients.dynamodb.get_item(
        TableName=TABLE_FEED_SYNC, Key={"feed": {"S": FEED_SYNC_CALC}}
    )["Item"]
    assert item["calc_id"]["S"] == later.calc_id


def test_calculation_record_that_does_not_match_its_checksum_is_dead_lettered(context):
    envelope = calculation_event(context)
    data = parse_event(envelope)
    tampered = data.model_copy(
        update={"calculation": data.calculation.model_copy(update={"sha256": SHA})}
    )
    assert deliver(context, envelope_of(tampered)) is Outcome.DEAD_LETTERED
    assert versions(context, "calculations/") == []


def test_ieepa_refunds_are_read_from_the_audit_records(context):
    other = calculation_record(
        "CALC-20261123-020000-CD34",
        inputs=(input_file("ZEMM004", "ZEMM004-20261123-0001.json"),),
    )
    deliver(context, calculation_event(context), "a")
    deliver(
        context,
        calculation_event(
            context, other, sample_lines(other.calc_id, "NSW-2509-0291", date(2025, 9, 25))
        ),
        "b",
    )

    report = ieepa_refunds(context, date(2025, 9, 1), date(2025, 9, 20))
    everything = ieepa_refunds(context)

    assert [entry.invoice_number for entry in report.entries] == ["SFW-2508-0147"]
    assert report.duty_usd == D("5106.00")
    assert [entry.invoice_number for entry in everything.entries] == [
        "SFW-2508-0147",
        "NSW-2509-0291",
    ]
    assert ieepa_refunds(context, date(2026, 1, 1), None).entries == ()


def forge(context: RuntimeContext, key: str, body: bytes) -> str:
    """What a forger with s3:PutObject does: a plain put (the bucket policy refuses it on AWS,
    the emulator has no bucket policies); returns the version it added."""
    return context.clients.s3.put_object(Bucket=BUCKET_AUDIT, Key=key, Body=body)["VersionId"]


def forged_record(calc_id: str = CALC_ID) -> bytes:
    record = calculation_record(calc_id).model_dump(mode="json")
    return json.dumps({**record, "totals": dict.fromkeys(record["totals"], "0.00")}).encode()


def test_a_conditional_write_on_an_audit_key_already_written_is_refused(context):
    deliver(context, calculation_event(context))

    with pytest.raises(ClientError) as refused:
        context.clients.s3.put_object(
            Bucket=BUCKET_AUDIT, Key=record_key(CALC_ID), Body=forged_record(), IfNoneMatch="*"
        )
    assert refused.value.response["Error"]["Code"] == "PreconditionFailed"
    with pytest.raises(AuditKeyTaken, match="already holds other bytes"):
        LockedStore(context.clients.s3).write_once(
            record_key(CALC_ID), forged_record(), content_type="application/json"
        )
    assert versions(context, record_key(CALC_ID)) == [record_key(CALC_ID)]


def test_the_index_names_the_version_audit_wrote_and_a_second_write_finds_it(context):
    deliver(context, calculation_event(context))
    head = context.clients.s3.head_object(Bucket=BUCKET_AUDIT, Key=record_key(CALC_ID))
    (entry,) = audit_lookup(context, calc_id=CALC_ID)

    again = LockedStore(context.clients.s3).write_once(
        record_key(CALC_ID), context.blobs.get(BUCKET_AUDIT, record_key(CALC_ID)), content_type="x"
    )

    assert entry["record_version_id"] == head["VersionId"] == again.audited.version_id
    assert again.new is False
    assert (
        entry["record_sha256"]
        == hashlib.sha256(context.blobs.get(BUCKET_AUDIT, record_key(CALC_ID))).hexdigest()
    )


def test_a_forged_later_version_is_not_shown_and_the_lookup_says_so(context):
    deliver(context, calculation_event(context))
    forged = forge(context, record_key(CALC_ID), forged_record())

    (found,) = audit_lookup(context, calc_id=CALC_ID)

    assert found["record"] == calculation_record().model_dump(mode="json")
    assert found["record"]["totals"] == {"entered_value_usd": "1189.20", "duty_usd": "457.84"}
    assert found["verified"].startswith(
        f"verified: sha256 matches version {found['record_version_id']}; ignored 1 other"
    )
    assert found["verified"].endswith(forged)


def test_a_record_whose_bytes_do_not_match_the_index_is_refused(context):
    deliver(context, calculation_event(context))
    context.clients.dynamodb.update_item(
        TableName=TABLE_AUDIT_INDEX,
        Key={"pk": {"S": f"CALC#{CALC_ID}"}, "sk": {"S": "CALC"}},
        UpdateExpression="SET record_sha256 = :forged",
        ExpressionAttributeValues={":forged": {"S": SHA}},
    )
    with pytest.raises(AuditObjectUnverified, match="not the one audit wrote"):
        audit_lookup(context, calc_id=CALC_ID)


def test_an_audit_key_a_forger_took_first_dead_letters_the_calculation(context):
    forge(context, record_key(CALC_ID), forged_record())

    assert deliver(context, calculation_event(context)) is Outcome.DEAD_LETTERED
    assert audit_lookup(context, calc_id=CALC_ID) == []


def test_ieepa_refunds_read_the_audited_lines_not_a_forged_later_version(context):
    deliver(context, calculation_event(context))
    forge(context, lines_key(CALC_ID), b"")

    assert ieepa_refunds(context).duty_usd > 0


def test_audit_only_reads_adds_and_marks_supersession_in_its_index(context):
    """What the audit role is allowed on its index (pulumi/ior_stack/iam.py), and nothing else."""
    calls: list[tuple[str, dict]] = []
    context.clients.dynamodb.meta.events.register(
        "provide-client-params.dynamodb",
        lambda params, model, **_: calls.append((model.name, params)),
    )
    later = calculation_record("CALC-20261123-020000-CD34", supersedes={"SFW-2508-0147": CALC_ID})
    deliver(context, calculation_event(context), "first")
    deliver(context, calculation_event(context, later), "later")

    on_index = [(name, params) for name, params in calls if _touches_index(params)]
    assert {name for name, _ in on_index} == {"BatchGetItem", "TransactWriteItems", "UpdateItem"}
    for name, params in on_index:
        if name == "TransactWriteItems":
            assert all(
                set(op) == {"Put"}
                and op["Put"]["ConditionExpression"] == "attribute_not_exists(pk)"
                for op in params["TransactItems"]
            )
        if name == "UpdateItem":
            assert params["UpdateExpression"] == (
                f"ADD {AUDIT_SUPERSEDED_INVOICES} :invoices, {AUDIT_SUPERSEDED_BY} :by"
            )
    assert set(TOPOLOGY.table(TABLE_AUDIT_INDEX).mutable_attributes) == {
        AUDIT_SUPERSEDED_INVOICES,
        AUDIT_SUPERSEDED_BY,
    }


def _touches_index(params: dict) -> bool:
    tables = {params.get("TableName"), *params.get("RequestItems", {})}
    tables |= {op[kind]["TableName"] for op in params.get("TransactItems", []) for kind in op}
    return TABLE_AUDIT_INDEX in tables
