"""Ingestion on the embedded emulator, through the real worker, S3 notifications and SNS."""

import io
import json
from pathlib import Path

import pytest
from openpyxl import Workbook

from contracts.envelope import Envelope
from contracts.topology import (
    ALERT_RAISED,
    BUCKET_PROCESSED,
    BUCKET_RAW,
    EXTRACT_ACCEPTED,
    EXTRACT_REJECTED,
    QUEUE_INGESTION,
    TOPOLOGY,
)
from services.runtime.aws.blobs import split_uri
from services.runtime.aws.queues import wait_until_idle
from services.runtime.context import RuntimeContext, load_app, processor_for
from services.runtime.messaging.messages import InboundMessage
from services.runtime.messaging.processor import Outcome
from services.runtime.messaging.runner import BackgroundWorkers
from services.runtime.operations.observer import EventObserver
from tests.conftest import wait_for

pytestmark = pytest.mark.integration

SAP_KEY = "sap/ZSDR010/2026/11/22/ZSDR010-20261122-0001.json"


def customer(customer_id: str = "0000100001", **overrides: object) -> dict:
    return {
        "customer_id": customer_id,
        "name": "Acme Furniture Inc",
        "aliases": ["ACME", "Acme Furn."],
        "country": "US",
        "city": "Dallas",
        "active": True,
        **overrides,
    }


def extract(records: list[dict], **overrides: object) -> bytes:
    document = {
        "feed": "ZSDR010",
        "extract_id": "ZSDR010-20261122-0001",
        "extracted_at": "2026-11-22T02:00:00Z",
        "sap_system": "PRD",
        "record_count": len(records),
        "records": records,
        **overrides,
    }
    return json.dumps(document).encode()


def put(context: RuntimeContext, key: str, body: bytes) -> str:
    context.clients.s3.put_object(Bucket=BUCKET_RAW, Key=key, Body=body)
    return f"s3://{BUCKET_RAW}/{key}"


def ingest(context: RuntimeContext, *files: tuple[str, bytes]) -> list[Envelope]:
    """Push files and run the ingestion worker until its queue is idle; return the events."""
    with (
        EventObserver(context.clients, context.names) as observer,
        BackgroundWorkers(context, ["ingestion"]),
    ):
        for key, body in files:
            put(context, key, body)
        assert wait_until_idle(context.clients, context.names, [QUEUE_INGESTION], timeout=30)
        return observer.collect()


def of_type(events: list[Envelope], event_type: str) -> list[Envelope]:
    return [event for event in events if event.type == event_type]


def read_json(context: RuntimeContext, uri: str) -> dict:
    return json.loads(context.blobs.get(*split_uri(uri)))


def test_pushed_extract_is_accepted_and_its_records_stored(context):
    events = ingest(context, (SAP_KEY, extract([customer(), customer("0000100002")])))
    [accepted] = of_type(events, EXTRACT_ACCEPTED)
    assert accepted.data["feed"] == "ZSDR010"
    assert accepted.data["records"]["row_count"] == 2
    assert accepted.correlationid == "ZSDR010-20261122-0001"
    body = context.blobs.get(*split_uri(accepted.data["records"]["uri"]))
    rows = [json.loads(line) for line in body.splitlines()]
    assert rows[0]["customer_id"] == "0000100001"
    assert of_type(events, EXTRACT_REJECTED) == []


def test_same_file_twice_gives_one_accepted_event(context):
    body = extract([customer()])
    events = ingest(context, (SAP_KEY, body), (SAP_KEY.replace("0001.json", "copy.json"), body))
    assert len(of_type(events, EXTRACT_ACCEPTED)) == 1


def test_file_quarantined_under_the_wrong_feed_is_accepted_when_uploaded_under_the_right_one(
    context,
):
    body = (Path(__file__).parents[2] / "samples/uploads/ZSDR010/customers-manual.csv").read_bytes()
    wrong = ingest(context, ("upload/ZEMM006/customers-manual.csv", body))
    right = ingest(context, ("upload/ZSDR010/customers-manual.csv", body))
    assert of_type(wrong, EXTRACT_ACCEPTED) == [] and of_type(wrong, EXTRACT_REJECTED)
    assert len(of_type(right, EXTRACT_ACCEPTED)) == 1


def test_redelivered_notification_has_one_effect(context):
    uri = put(context, SAP_KEY, extract([customer()]))
    queue = context.names.queue_url(QUEUE_INGESTION)

    def notification() -> list[dict]:
        messages = context.clients.sqs.receive_message(QueueUrl=queue, WaitTimeSeconds=1)
        return [m for m in messages.get("Messages", []) if '"Records"' in m["Body"]]

    [raw] = wait_for(notification)
    processor = processor_for(load_app("ingestion", context), context)
    with EventObserver(context.clients, context.names) as observer:
        first = processor.process(InboundMessage.from_sqs(raw))
        second = processor.process(InboundMessage.from_sqs(raw))
        events = wait_for(lambda: observer.collect() or None)
    assert (first, second) == (Outcome.DONE, Outcome.DONE)
    assert [e.data["source_uri"] for e in of_type(events, EXTRACT_ACCEPTED)] == [uri]


def test_bad_record_is_rejected_alone_and_the_rest_accepted(context):
    records = [customer(), customer("0000100002", country="XX"), customer("0000100003")]
    events = ingest(context, (SAP_KEY, extract(records)))
    [accepted] = of_type(events, EXTRACT_ACCEPTED)
    [rejected] = of_type(events, EXTRACT_REJECTED)
    assert accepted.data["records"]["row_count"] == 2
    assert accepted.data["rejected_count"] == 1
    assert rejected.data["whole_file"] is False
    report = read_json(context, rejected.data["report_uri"])
    [finding] = report["findings"]
    assert (finding["record_index"], finding["field"], finding["value"]) == (1, "country", "XX")
    assert finding["rule"]
    assert report["file"].endswith(SAP_KEY)
    assert len(of_type(events, ALERT_RAISED)) == 1


def invoice_line(line_number: int) -> dict:
    return {
        "invoice_number": "0090001234",
        "invoice_date": "2026-11-20",
        "po_number": "4500000001",
        "line_number": line_number,
        "material": "000000000010004711",
        "quantity": "4",
        "unit": "EA",
        "unit_price": "125.50",
        "currency": "USD",
        "incoterms": "FOB",
        "ship_to_name": "ACME furniture",
        "supplier_name": "Ningbo Comfort Co Ltd",
        "port_of_entry": "2704",
        "transport_mode": "OCEAN",
        "entry_date": "2026-11-22",
    }


def test_invoice_line_twice_in_one_extract_rejects_both_and_accepts_the_rest(context):
    lines = [invoice_line(10), invoice_line(20), invoice_line(10), invoice_line(30)]
    body = extract(lines, feed="ZEMM004", extract_id="ZEMM004-20261122-0001")
    events = ingest(context, ("sap/ZEMM004/2026/11/22/ZEMM004-20261122-0001.json", body))
    [accepted] = of_type(events, EXTRACT_ACCEPTED)
    [rejected] = of_type(events, EXTRACT_REJECTED)
    stored = context.blobs.get(*split_uri(accepted.data["records"]["uri"]))
    rows = [json.loads(line) for line in stored.splitlines()]
    assert [(row["record_index"], row["line_number"]) for row in rows] == [(1, 20), (3, 30)]
    assert (accepted.data["rejected_count"], rejected.data["accepted_count"]) == (2, 2)
    report = read_json(context, rejected.data["report_uri"])
    assert [(f["record_index"], f["field"], f["value"], f["rule"]) for f in report["findings"]] == [
        (
            0,
            "invoice_number/line_number",
            "0090001234/10",
            "duplicate line key: invoice 0090001234 line 10 also in record 2",
        ),
        (
            2,
            "invoice_number/line_number",
            "0090001234/10",
            "duplicate line key: invoice 0090001234 line 10 also in record 0",
        ),
    ]
    assert [f["record_index"] for f in rejected.data["findings"]] == [0, 2]


def test_unreadable_file_is_moved_whole_to_quarantine_with_a_report(context):
    events = ingest(context, (SAP_KEY, b'{"feed": "ZSDR010", "records": ['))
    [rejected] = of_type(events, EXTRACT_REJECTED)
    assert rejected.data["whole_file"] is True
    assert "not valid JSON" in rejected.data["reason"]
    quarantined = rejected.data["quarantined_uri"]
    assert "/quarantine/ZSDR010/" in quarantined
    assert context.blobs.get(*split_uri(quarantined)).startswith(b'{"feed"')
    listing = context.clients.s3.list_objects_v2(Bucket=BUCKET_RAW, Prefix="sap/")
    assert listing.get("KeyCount", 0) == 0, "the original is moved, not copied"
    report = read_json(context, rejected.data["report_uri"])
    assert report["whole_file"] and report["findings"][0]["field"] == "file"
    assert of_type(events, EXTRACT_ACCEPTED) == []


def test_record_count_mismatch_rejects_the_whole_file(context):
    events = ingest(context, (SAP_KEY, extract([customer()], record_count=3)))
    [rejected] = of_type(events, EXTRACT_REJECTED)
    assert rejected.data["whole_file"] and "record_count" in rejected.data["reason"]


def test_file_over_the_size_limit_is_quarantined_without_being_read(make_context):
    context = make_context(max_file_bytes=100)
    events = ingest(context, (SAP_KEY, extract([customer()] * 5)))
    [rejected] = of_type(events, EXTRACT_REJECTED)
    assert "over the limit of 100" in rejected.data["reason"]


def test_extract_over_the_record_limit_is_rejected_whole(make_context):
    context = make_context(max_records=2)
    events = ingest(context, (SAP_KEY, extract([customer(str(i).zfill(10)) for i in range(3)])))
    [rejected] = of_type(events, EXTRACT_REJECTED)
    assert "more than the limit of 2" in rejected.data["reason"]


def test_path_traversal_in_an_upload_key_is_quarantined(context):
    events = ingest(context, ("upload/ZSDR010/..%2F..%2Fetc.csv", b"customer_id\n1\n"))
    [rejected] = of_type(events, EXTRACT_REJECTED)
    assert rejected.data["whole_file"] is True


def test_csv_upload_is_ingested_like_a_push(context):
    csv_body = (
        b"customer_id,name,aliases,country,city,active\n"
        b"0000100001,Acme Furniture Inc,ACME|Acme Furn.,US,Dallas,X\n"
    )
    events = ingest(context, ("upload/ZSDR010/customers.csv", csv_body))
    [accepted] = of_type(events, EXTRACT_ACCEPTED)
    assert accepted.data["extract_id"].startswith("UPLOAD-ZSDR010-")
    assert accepted.data["sap_system"] == "UPLOAD"
    [row] = [
        json.loads(x)
        for x in context.blobs.get(*split_uri(accepted.data["records"]["uri"])).splitlines()
    ]
    assert row["aliases"] == ["ACME", "Acme Furn."] and row["active"] is True


def test_xlsx_upload_keeps_leading_zeros(context):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["customer_id", "name", "aliases", "country", "city", "active"])
    sheet.append(["0000100001", "Acme Furniture Inc", "", "US", "Dallas", True])
    buffer = io.BytesIO()
    workbook.save(buffer)
    events = ingest(context, ("upload/ZSDR010/customers.xlsx", buffer.getvalue()))
    [accepted] = of_type(events, EXTRACT_ACCEPTED)
    [row] = [
        json.loads(x)
        for x in context.blobs.get(*split_uri(accepted.data["records"]["uri"])).splitlines()
    ]
    assert row["customer_id"] == "0000100001"


def test_csv_header_that_does_not_match_the_feed_is_rejected_whole(context):
    events = ingest(context, ("upload/ZSDR010/customers.csv", b"customer,nam\n1,x\n"))
    [rejected] = of_type(events, EXTRACT_REJECTED)
    assert "missing columns" in rejected.data["reason"]


def test_unknown_feed_is_rejected_whole(context):
    events = ingest(context, ("upload/ZZZ999/x.csv", b"a\n1\n"))
    [rejected] = of_type(events, EXTRACT_REJECTED)
    assert "unknown feed" in rejected.data["reason"]


def test_accepted_records_land_under_processed_extracts(context):
    ingest(context, (SAP_KEY, extract([customer()])))
    keys = [
        o["Key"] for o in context.clients.s3.list_objects_v2(Bucket=BUCKET_PROCESSED)["Contents"]
    ]
    assert len(keys) == 1 and keys[0].startswith("extracts/ZSDR010/ZSDR010-20261122-0001-")


def test_no_message_is_left_in_the_ingestion_dlq_for_good_and_bad_files(context):
    ingest(context, (SAP_KEY, extract([customer()])), ("sap/ZSDR010/2026/11/22/bad.json", b"nope"))
    dlq = context.names.queue_url(TOPOLOGY.queue(QUEUE_INGESTION).dlq_name)
    depth = context.clients.sqs.get_queue_attributes(
        QueueUrl=dlq, AttributeNames=["ApproximateNumberOfMessages"]
    )
    assert depth["Attributes"]["ApproximateNumberOfMessages"] == "0"


def test_sample_batch_files_are_all_ingested(context):
    samples = Path(__file__).resolve().parents[2] / "samples" / "batch"
    from services.runtime.aws.landing import push_key

    files = [(push_key(path), path.read_bytes()) for path in sorted(samples.glob("*.json"))]
    events = ingest(context, *files)
    sources = {
        e.data["source_uri"] for e in events if e.type in {EXTRACT_ACCEPTED, EXTRACT_REJECTED}
    }
    assert len(sources) == len(files)
