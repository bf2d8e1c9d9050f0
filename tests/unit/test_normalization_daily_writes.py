"""What an invoice batch writes, and in which order: datasets, PO reference rows, the feed sync."""

import json
import threading
from datetime import UTC, date, datetime

import pytest

from contracts.events import ExtractAcceptedV1, ObjectRef
from contracts.reference_batch import FeedSync
from contracts.topology import TABLE_INVOICE_LINES, TABLE_PO_REFERENCE
from services.normalization.config import NormalizationConfig
from services.normalization.daily_loads import DailyLoader
from services.runtime.aws.blobs import s3_uri, sha256_hex
from tests.unit.test_normalization_factories import indexed, invoice, reference_rows

NOW = datetime(2026, 11, 22, 3, tzinfo=UTC)
ENTRY_DATES = (date(2025, 9, 18), date(2025, 9, 4), date(2025, 9, 11))


class PoWriteFailed(Exception):
    """The PO reference table refused the rows."""


class RecordingBlobs:
    def __init__(self) -> None:
        self.objects: dict[str, bytes] = {}
        self._lock = threading.Lock()

    def put(self, bucket, key, body, *, content_type, row_count=0, fmt="json") -> ObjectRef:
        with self._lock:
            self.objects[key] = body
        return ObjectRef(
            uri=s3_uri(bucket, key), sha256=sha256_hex(body), row_count=row_count, format=fmt
        )


class RecordingStore:
    """Reference tables in memory; records the order of PO writes and feed-sync stamps."""

    def __init__(self, fail_po_write: bool = False) -> None:
        self._tables = reference_rows()
        self._fail_po_write = fail_po_write
        self.history: list[str] = []

    def last_sync(self, feed):
        return self._tables.last_sync(feed)

    def snapshot_rows(self, table, snapshot, model):
        return self._tables.snapshot_rows(table, snapshot, model)

    def syncs(self) -> list[FeedSync]:
        return []

    def write_rows(self, table, rows) -> int:
        assert table in (TABLE_PO_REFERENCE, TABLE_INVOICE_LINES)
        if self._fail_po_write:
            raise PoWriteFailed(table)
        self.history.append(f"{table} rows {len(list(rows))}")
        return 0

    def stamp(self, sync: FeedSync) -> bool:
        self.history.append(f"stamp {sync.table}")
        return True


def accepted() -> ExtractAcceptedV1:
    return ExtractAcceptedV1(
        feed="ZEMM004",
        extract_id="ZEMM004-20261122-0001",
        source_uri="s3://ior-raw/sap/ZEMM004/x.json",
        sha256="1" * 64,
        extracted_at=datetime(2026, 11, 22, 1, tzinfo=UTC),
        sap_system="PRD",
        records=ObjectRef(
            uri="s3://ior-processed/extracts/ZEMM004/x.jsonl", sha256="0" * 64, row_count=3
        ),
        rejected_count=0,
    )


def normalize(store: RecordingStore, blobs: RecordingBlobs):
    records = indexed(
        *(
            invoice(line_number=10 * number, entry_date=day.isoformat())
            for number, day in enumerate(ENTRY_DATES, start=1)
        )
    )
    loader = DailyLoader(blobs, store, NormalizationConfig(), clock=lambda: NOW)
    return loader.normalize_invoices(accepted(), records)


def test_manifest_lists_one_partition_per_entry_date_in_date_order():
    blobs = RecordingBlobs()
    [event] = normalize(RecordingStore(), blobs).events
    manifest = json.loads(blobs.objects[event.lines_parquet.uri.split("/", 3)[3]])
    partitions = [ObjectRef.model_validate(partition) for partition in manifest["partitions"]]
    assert [p.uri.split("entry_date=")[1][:10] for p in partitions] == sorted(
        day.isoformat() for day in ENTRY_DATES
    )
    assert all(p.row_count == 1 and p.format == "parquet" for p in partitions)


def test_feed_sync_is_stamped_after_the_po_reference_rows_are_written():
    store = RecordingStore()
    normalize(store, RecordingBlobs())
    assert store.history == [
        f"{TABLE_PO_REFERENCE} rows {len(ENTRY_DATES)}",
        f"{TABLE_INVOICE_LINES} rows 1",  # one item: the extract's lines of its one invoice
        f"stamp {TABLE_PO_REFERENCE}",
    ]


def test_a_failed_po_reference_write_fails_the_batch_without_a_stamp():
    store = RecordingStore(fail_po_write=True)
    with pytest.raises(PoWriteFailed):
        normalize(store, RecordingBlobs())
    assert store.history == []
