"""Normalization on the embedded emulator: the real ingestion and normalization workers, SNS/SQS,
S3 and DynamoDB, fed with the sample batch of samples/README.md (and small extracts of it)."""

import io
import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from contracts.datasets import CustomerRow, NormalizedInvoiceLine, ProductMasterRow
from contracts.envelope import Envelope
from contracts.events import ObjectRef, parse_event
from contracts.reference_batch import ReferenceBatch
from contracts.topology import (
    ALERT_RAISED,
    DECLARED_LINES_NORMALIZED,
    EXTRACT_ACCEPTED,
    INVOICES_NORMALIZED,
    QUALITY_REPORTED,
    QUEUE_INGESTION,
    QUEUE_NORMALIZATION,
    REFERENCE_UPDATED,
    SNAPSHOT_TABLES,
    TABLE_CUSTOMERS,
    TABLE_PO_REFERENCE,
    TOPOLOGY,
)
from services.normalization.po_reference import PoReferenceRow
from services.runtime.aws.blobs import split_uri
from services.runtime.aws.landing import land, push_key
from services.runtime.aws.queues import queue_depth, wait_until_idle
from services.runtime.aws.reference_store import ReferenceStore
from services.runtime.context import RuntimeContext, load_app
from services.runtime.messaging.messages import ConsumedEvent
from services.runtime.messaging.runner import BackgroundWorkers
from services.runtime.operations.observer import EventObserver

pytestmark = pytest.mark.integration

SAMPLES = Path(__file__).resolve().parents[2] / "samples" / "batch"
DAILY = ("ZEMM004", "ZSDR002")
D = Decimal
UNWEIGHED = "000000000010007010"  # M15 of samples/README.md


def sample(feed: str) -> Path:
    [path] = SAMPLES.glob(f"{feed}-*-0001.json")
    return path


WEEKLY_SAMPLES = [sample(f) for f in ("ZEMM005", "ZFMIOR002", "ZFMIOR003", "ZEMM007", "ZSDR010")]
DAILY_SAMPLES = [sample(feed) for feed in DAILY]


def run_pipeline(context: RuntimeContext, *waves: list[Path]) -> list[Envelope]:
    """Push each wave of sample files and let both workers settle before the next wave."""
    queues = [QUEUE_INGESTION, QUEUE_NORMALIZATION]
    with (
        EventObserver(context.clients, context.names) as observer,
        BackgroundWorkers(context, ["ingestion", "normalization"]),
    ):
        for wave in waves:
            for path in wave:
                land(context.clients, path, push_key(path))
            assert wait_until_idle(context.clients, context.names, queues, timeout=60)
        events = observer.collect()
    dlq = TOPOLOGY.queue(QUEUE_NORMALIZATION).dlq_name
    assert queue_depth(context.clients, context.names, dlq).idle
    return events


def of_type(events: list[Envelope], event_type: str) -> list[Envelope]:
    return [event for event in events if event.type == event_type]


def only(events: list[Envelope], event_type: str, **data: object) -> Envelope:
    [event] = [
        e for e in of_type(events, event_type) if all(e.data[k] == v for k, v in data.items())
    ]
    return event


def read_json(context: RuntimeContext, uri: str) -> dict:
    return json.loads(context.blobs.get(*split_uri(uri)))


def master(context: RuntimeContext, day: date = date(2026, 11, 22)) -> dict[str, ProductMasterRow]:
    """Every ZEMM005 material of the snapshot in force, with its weights valid on `day`."""
    batch = ReferenceBatch(ReferenceStore(context.clients.dynamodb))
    products = (batch.product_at(material, day) for material in batch.materials)
    return {product.material: product for product in products if product is not None}


def test_product_master_joins_both_feeds_with_weights_in_kg_and_leading_zeros(context):
    run_pipeline(context, [sample("ZEMM005"), sample("ZFMIOR002")])
    rows = master(context)
    assert len(rows) == 15  # 17 ZEMM005 records, 2 rejected by ingestion
    base, split_king = rows["000000000010004711"], rows["000000000010004712"]
    assert (base.net_weight_kg, base.steel_kg) == (D("51.0"), D("35.7"))  # the 2026-06-01 record
    assert split_king.net_weight_kg == D("143.3") * D("0.45359237")  # LB
    assert split_king.steel_kg == D("101.4") * D("0.45359237")
    assert rows["000000000010005200"].net_weight_kg == D("1.350")  # pillow, G
    assert rows["000000000010006101"].aluminum_kg == D("3.4")  # rejected 2026 record ignored
    assert rows["000000000010006001"].aluminum_share == D(1)
    assert "000000000010009001" not in rows  # its ZEMM005 record was rejected
    assert rows[UNWEIGHED].net_weight_kg is None  # in ZEMM005, not weighed yet


def test_each_entry_date_takes_the_weight_record_valid_then(context):
    run_pipeline(context, [sample("ZEMM005"), sample("ZFMIOR002")])
    for day, net, valid_from in (
        (date(2025, 5, 31), D("54.0"), date(2024, 3, 1)),
        (date(2025, 9, 18), D("52.0"), date(2025, 6, 1)),
        (date(2026, 9, 15), D("51.0"), date(2026, 6, 1)),
    ):
        base = master(context, day)["000000000010004711"]
        assert (base.net_weight_kg, base.weight_valid_from) == (net, valid_from)


@pytest.mark.parametrize("first,second", [("ZFMIOR002", "ZEMM005"), ("ZEMM005", "ZFMIOR002")])
def test_product_master_is_complete_whichever_feed_arrives_first(context, first, second):
    events = run_pipeline(context, [sample(first)], [sample(second)])
    products = master(context)
    assert all(row.net_weight_kg is not None for m, row in products.items() if m != UNWEIGHED)
    updated = only(events, REFERENCE_UPDATED, feed=second)
    assert updated.data["table"] == SNAPSHOT_TABLES[second]


def test_reference_load_is_stamped_as_the_feeds_last_sap_sync(context):
    events = run_pipeline(context, [sample("ZSDR010")])
    updated = only(events, REFERENCE_UPDATED, feed="ZSDR010")
    assert (updated.data["table"], updated.data["row_count"]) == (TABLE_CUSTOMERS, 11)
    sync = ReferenceStore(context.clients.dynamodb).last_sync("ZSDR010")
    accepted = only(events, EXTRACT_ACCEPTED, feed="ZSDR010")
    assert (sync.extract_id, sync.table, sync.row_count) == (
        "ZSDR010-20261122-0001",
        TABLE_CUSTOMERS,
        11,
    )
    assert sync.records == ObjectRef.model_validate(accepted.data["records"])
    report = only(events, QUALITY_REPORTED, feed="ZSDR010")
    assert (report.data["error_count"], report.data["warning_count"]) == (0, 0)


def test_validity_lookups_hold_at_the_boundaries_via_the_reference_store(context):
    run_pipeline(context, [sample("ZFMIOR003"), sample("ZEMM007")])
    batch = ReferenceBatch(ReferenceStore(context.clients.dynamodb))
    mattress = "9404210010"
    assert batch.hts_at(mattress, date(2026, 6, 30)).general_rate_pct == D("3.0")
    assert batch.hts_at(mattress, date(2026, 7, 1)).general_rate_pct == D("3.5")
    assert batch.hts_at(mattress, date(2021, 12, 31)) is None

    def rule_ids(day: date) -> set[str]:
        return {rule.rule_id for rule in batch.rules_at(day)}

    assert "R232-ST-940320" in rule_ids(date(2026, 4, 5))  # last day of content-based 232
    assert "R232-ST-940320" not in rule_ids(date(2026, 4, 6))
    assert "R232-DER-94-FULL" in rule_ids(date(2026, 4, 6))
    assert "RIEEPA-FEN-CN-10" in rule_ids(date(2026, 2, 23))
    assert {"RIEEPA-FEN-CN-10", "RS122-ALL"} & rule_ids(date(2026, 2, 24)) == {"RS122-ALL"}


def test_sample_batch_end_to_end_normalizes_invoices_and_reports_quality(context):
    events = run_pipeline(context, WEEKLY_SAMPLES, DAILY_SAMPLES)
    normalized = only(events, INVOICES_NORMALIZED)
    assert (normalized.data["line_count"], normalized.data["error_count"]) == (21, 2)
    assert len(normalized.data["invoice_numbers"]) == 9
    assert normalized.data["entry_dates"][0] == "2025-09-18"
    input_uris = {ref["uri"] for ref in normalized.data["inputs"]}
    assert len(input_uris) == 6 and any("/ZEMM004/" in uri for uri in input_uris)

    body = context.blobs.get_verified(ObjectRef.model_validate(normalized.data["lines"]))
    lines = {
        line.record_index: line
        for line in map(NormalizedInvoiceLine.model_validate_json, body.splitlines())
    }
    assert 23 not in lines  # material not in master: held back
    assert (lines[8].customer_id, lines[8].customer_match_score) == ("0000100003", D("95.45"))
    assert (lines[7].customer_id, lines[7].customer_match_status) == ("0000100004", "review")
    assert lines[13].ship_to_name == '=HYPERLINK("http://x","Acme")'  # text, as typed
    assert lines[12].value_usd == D("11072.16")  # CNY 79200.00 at 0.1398

    quality = only(events, QUALITY_REPORTED, feed="ZEMM004")
    report = read_json(context, quality.data["report"]["uri"])
    found = {(f["record_index"], f["rule"], f["severity"]) for f in report["findings"]}
    assert found == {
        (7, "customer-match-for-review", "warning"),
        (13, "customer-unmatched", "warning"),
        (22, "customer-unmatched", "warning"),
        (23, "material-not-in-master", "error"),
        (24, "no-weight-record-valid-at-entry-date", "error"),
    }
    assert [r["record_index"] for r in report["excluded_records"]] == [23, 24]
    named = {
        f["record_index"]: (f["material"], f["material_description"]) for f in report["findings"]
    }
    assert (named[7], named[23], named[24]) == (
        (None, None),  # the customer, not the material
        ("000000000010009001", None),
        ("000000000010007010", "rattan side table (not weighed yet)"),
    )
    alert = only(events, ALERT_RAISED, service="normalization")
    assert alert.data["refs"] == [quality.data["report"]["uri"]]

    declared = only(events, DECLARED_LINES_NORMALIZED)
    assert declared.data["lines"]["row_count"] == 24


def test_parquet_partitions_are_listed_with_checksums_and_hold_every_line(context):
    events = run_pipeline(context, WEEKLY_SAMPLES, [sample("ZEMM004")])
    normalized = only(events, INVOICES_NORMALIZED)
    manifest_ref = ObjectRef.model_validate(normalized.data["lines_parquet"])
    manifest = json.loads(context.blobs.get_verified(manifest_ref))
    partitions = [ObjectRef.model_validate(p) for p in manifest["partitions"]]
    assert len(partitions) == 9
    assert all("/normalized/invoices/entry_date=" in p.uri for p in partitions)
    tables = [pq.read_table(io.BytesIO(context.blobs.get_verified(p))) for p in partitions]
    assert sum(table.num_rows for table in tables) == 21 == manifest_ref.row_count


def test_redelivered_extract_writes_no_duplicate_rows_and_the_same_events(context):
    events = run_pipeline(context, WEEKLY_SAMPLES, [sample("ZEMM004")])
    store = ReferenceStore(context.clients.dynamodb)
    before = (
        len(store.scan_rows(TABLE_PO_REFERENCE, PoReferenceRow)),
        len(store.scan_rows(TABLE_CUSTOMERS, CustomerRow)),
    )
    assert before == (23, 11)
    handler = load_app("normalization", context).handlers[EXTRACT_ACCEPTED]
    published = {e.id for e in events if e.source == "ior.normalization"}
    for feed in ("ZEMM004", "ZSDR010"):
        accepted = only(events, EXTRACT_ACCEPTED, feed=feed)
        # As after a crash between the writes and the acknowledgement: handled once more.
        again = handler(ConsumedEvent(accepted, parse_event(accepted)))
        assert {envelope.id for envelope in again} <= published
    after = (
        len(store.scan_rows(TABLE_PO_REFERENCE, PoReferenceRow)),
        len(store.scan_rows(TABLE_CUSTOMERS, CustomerRow)),
    )
    assert after == before
    rows = store.scan_rows(TABLE_PO_REFERENCE, PoReferenceRow)
    held_back = sorted(row.invoice_line for row in rows if not row.normalized)
    assert held_back == ["SFW-2608-0219#000030", "VBM-251183#000050"]
