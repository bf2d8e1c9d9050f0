"""The daily feeds into datasets in `processed`: ZEMM004 invoice lines and ZSDR002 declared lines.

Every object key derives from the extract (see `locations`), so handling the same extract again
overwrites identical objects and table rows instead of adding new ones.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime

from contracts.datasets import DeclaredLine, HeldBackLine
from contracts.events import (
    DeclaredLinesNormalizedV1,
    ExtractAcceptedV1,
    InvoicesNormalizedV1,
    ObjectRef,
)
from contracts.feeds import Zemm004Record, Zsdr002Record
from contracts.invoice_lines import extract_items
from contracts.reference_batch import ReferenceBatch
from contracts.topology import BUCKET_PROCESSED, TABLE_INVOICE_LINES, TABLE_PO_REFERENCE
from services.normalization import locations
from services.normalization.config import NormalizationConfig
from services.normalization.customer_matching import CustomerMatcher
from services.normalization.dataset_files import parquet_partitions
from services.normalization.invoices import (
    InvoiceRun,
    line_versions,
    normalize_invoices,
    rejected_lines,
)
from services.normalization.outcome import LoadOutcome
from services.normalization.po_reference import po_reference_rows
from services.normalization.records import Indexed
from services.normalization.reference_loads import feed_sync
from services.normalization.report import excluded_records
from services.runtime.aws.blobs import BlobStore, s3_uri
from services.runtime.aws.jsonlines import json_lines
from services.runtime.aws.parallel import alongside, side_by_side
from services.runtime.aws.reference_store import ReferenceStore

JSON_LINES = "application/x-ndjson"
PARQUET = "application/vnd.apache.parquet"
# The reference extracts an invoice batch is normalized against (its lineage in the event).
REFERENCE_INPUTS = ("ZEMM005", "ZFMIOR002", "ZFMIOR003", "ZEMM007", "ZEMM006", "ZSDR010")


class DailyLoader:
    def __init__(
        self,
        blobs: BlobStore,
        store: ReferenceStore,
        config: NormalizationConfig,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ):
        self._blobs = blobs
        self._store = store
        self._config = config
        self._clock = clock

    def normalize_invoices(
        self, accepted: ExtractAcceptedV1, records: Sequence[Indexed[Zemm004Record]]
    ) -> LoadOutcome:
        inputs = self._inputs(accepted)
        reference = ReferenceBatch(self._store)
        matcher = CustomerMatcher(reference.customers, self._config.thresholds)
        run = normalize_invoices(
            records, accepted.extract_id, reference, matcher, self._config.hts_expiry_warning
        )
        po_rows = po_reference_rows(records, run.excluded, accepted.extract_id)
        versions = line_versions(run, accepted)
        rejected = self._rejected(accepted)

        def write_tables() -> None:
            self._store.write_rows(TABLE_PO_REFERENCE, po_rows)
            self._store.write_rows(TABLE_INVOICE_LINES, extract_items(versions))

        # The tables and the datasets are independent writes: the tables' BatchWriteItem round
        # trips go on while the datasets are built and put. The event and the feed sync follow
        # only once the rows are in, so customs generation finds this extract's lines.
        with alongside(write_tables):
            lines = self._put(
                locations.invoice_lines_key(accepted),
                json_lines(run.lines),
                len(run.lines),
                "jsonl",
            )
            manifest = self._write_partitions(accepted, run)
            held_back = self._put(
                locations.held_back_lines_key(accepted),
                json_lines(run.held_back),
                len(run.held_back),
                "jsonl",
            )
            rejected_ref = self._put(
                locations.rejected_lines_key(accepted), json_lines(rejected), len(rejected), "jsonl"
            )
        event = InvoicesNormalizedV1(
            extract_id=accepted.extract_id,
            lines=lines,
            lines_parquet=manifest,
            line_count=len(run.lines),
            error_count=len(run.excluded),
            invoice_numbers=tuple(
                sorted(
                    {version.invoice_number for version in versions}
                    | {line.invoice_number for line in rejected if line.invoice_number}
                )
            ),
            entry_dates=tuple(sorted({line.entry_date for line in run.lines})),
            inputs=inputs,
            source_uri=accepted.source_uri,
            held_back=held_back,
            rejected=rejected_ref,
        )
        self._store.stamp(feed_sync(accepted, TABLE_PO_REFERENCE, self._clock()))
        return LoadOutcome((event,), run.findings, excluded_records(run.excluded))

    def store_declared_lines(
        self, accepted: ExtractAcceptedV1, records: Sequence[Indexed[Zsdr002Record]]
    ) -> LoadOutcome:
        """SAP's declaration is stored whole: it is what ours is compared with, flaws included."""
        lines = [DeclaredLine.model_validate(record.model_dump()) for _, record in records]
        ref = self._put(
            locations.declared_lines_key(accepted), json_lines(lines), len(lines), "jsonl"
        )
        invoices = tuple(sorted({line.invoice_number for line in lines}))
        event = DeclaredLinesNormalizedV1(
            extract_id=accepted.extract_id, lines=ref, invoice_numbers=invoices
        )
        self._store.stamp(feed_sync(accepted, ref.uri.rsplit("/", 1)[0], self._clock()))
        return LoadOutcome((event,))

    def _write_partitions(self, accepted: ExtractAcceptedV1, run: InvoiceRun) -> ObjectRef:
        """One Parquet file per entry date, and a manifest listing them with their checksums.

        The event has room for one Parquet reference, and a batch spans several entry dates:
        the manifest is that reference (format json), its partitions are the Parquet files.
        """

        def put_partition(partition: tuple[date, tuple[bytes, int]]) -> ObjectRef:
            day, (body, rows) = partition
            return self._put(locations.invoice_partition_key(accepted, day), body, rows, "parquet")

        partitions = side_by_side(put_partition, parquet_partitions(run.lines).items())
        manifest = {
            "dataset": s3_uri(BUCKET_PROCESSED, locations.INVOICES_DATASET),
            "partitioning": "hive",
            "extract_id": accepted.extract_id,
            "partitions": [partition.model_dump() for partition in partitions],
        }
        body = json.dumps(manifest, indent=2).encode()
        key = locations.invoice_manifest_key(accepted)
        return self._put(key, body, len(run.lines), "json")

    def _rejected(self, accepted: ExtractAcceptedV1) -> list[HeldBackLine]:
        if accepted.rejected_records is None:
            return []
        body = self._blobs.get_verified(accepted.rejected_records)
        documents = [json.loads(line) for line in body.splitlines() if line.strip()]
        return rejected_lines(documents, accepted.extract_id)

    def _inputs(self, accepted: ExtractAcceptedV1) -> tuple[ObjectRef, ...]:
        syncs = [sync for sync in self._store.syncs() if sync.feed in REFERENCE_INPUTS]
        return (accepted.records, *(sync.records for sync in syncs))

    def _put(self, key: str, body: bytes, rows: int, fmt: str) -> ObjectRef:
        content_type = {"jsonl": JSON_LINES, "parquet": PARQUET}.get(fmt, "application/json")
        return self._blobs.put(
            BUCKET_PROCESSED, key, body, content_type=content_type, row_count=rows, fmt=fmt
        )
