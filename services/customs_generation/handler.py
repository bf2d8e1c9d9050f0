"""Customs generation at the edge: `invoices.normalized` in → lines, workbook, record out.

Reads the normalized lines (checksum verified) and the reference tables once per batch, runs the
pure `calculate`, writes the customs-lines dataset (JSON lines + Parquet), the broker workbook and
the calculation record, and announces them. The CALC-ID derives from the consumed event (its time
and id), so a retried batch rewrites the same objects instead of producing a second workbook.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import cast

from contracts import datasets
from contracts.datasets import HeldBackLine
from contracts.envelope import Envelope, EventData, new_envelope
from contracts.events import (
    AlertRaisedV1,
    CustomsLinesGeneratedV1,
    InvoicesNormalizedV1,
    ObjectRef,
    Severity,
)
from contracts.reference_batch import FeedSync, ReferenceBatch
from contracts.topology import BUCKET_PROCESSED
from services.customs_generation.audit_sheet import AuditInputs, InputFile, ReferenceVersion
from services.customs_generation.calc_id import new_calc_id
from services.customs_generation.calculation import calculate
from services.customs_generation.invoice_ledger import InvoiceLedger, InvoiceState
from services.customs_generation.lines_parquet import customs_lines_parquet
from services.customs_generation.record import calculation_record
from services.customs_generation.reference import ReferenceSnapshot
from services.customs_generation.results import CalculationResult
from services.customs_generation.workbook import write_broker_workbook
from services.runtime.aws.blobs import BlobStore
from services.runtime.aws.jsonlines import CONTENT_TYPE as JSON_LINES
from services.runtime.aws.jsonlines import json_lines
from services.runtime.aws.reference_store import ReferenceStore
from services.runtime.messaging.messages import ConsumedEvent

SOURCE = "ior.customs_generation"
CONTENT_TYPES = {
    "jsonl": JSON_LINES,
    "json": "application/json",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


class CustomsHandler:
    def __init__(self, blobs: BlobStore, store: ReferenceStore, ledger: InvoiceLedger) -> None:
        self._blobs = blobs
        self._store = store
        self._ledger = ledger

    def __call__(self, event: ConsumedEvent) -> Sequence[Envelope]:
        batch = cast(InvoicesNormalizedV1, event.data)
        # Every invoice the extract touched, whole: its current lines from every extract.
        states = self._ledger.current(batch.invoice_numbers)
        lines = [line for state in states for line in state.lines]
        held_back = [held for state in states for held in state.held_back]
        if batch.rejected is not None:  # this extract's records that were never accepted
            body = self._blobs.get_verified(batch.rejected)
            held_back += [HeldBackLine.model_validate_json(row) for row in body.splitlines() if row]
        calc_id = new_calc_id(event.envelope.time, random.Random(event.envelope.id))
        reference = ReferenceBatch(self._store)
        result = calculate(lines, _snapshot(reference), calc_id, held_back)
        succession = self._ledger.claim(calc_id, states, event.envelope.time)
        # Exactly the snapshots the calculation read, each feed's stamp read once with its rows.
        syncs = list(reference.snapshots.values())
        prefix = f"customs-lines/{calc_id}/"
        lines_ref = self._put(
            f"{prefix}lines.jsonl",
            json_lines(result.component_lines),
            len(result.component_lines),
            "jsonl",
        )
        parquet_ref = self._put(
            f"{prefix}lines.parquet",
            customs_lines_parquet(result.component_lines),
            len(result.component_lines),
            "parquet",
        )
        inputs = [*_invoice_inputs(states), *(_input_file(sync) for sync in syncs)]
        workbook = write_broker_workbook(result, _audit_inputs(inputs, syncs), lines)
        workbook_ref = self._put(
            f"workbooks/{calc_id}.xlsx", workbook, len(result.component_lines), "xlsx"
        )
        # A record rejected for an unreadable PO has none to be found by.
        po_numbers = tuple(
            sorted(({line.po_number for line in lines} | {h.po_number for h in held_back}) - {""})
        )
        record = calculation_record(
            result,
            calculated_at=event.envelope.time,
            inputs=inputs,
            reference_versions={sync.feed: sync.extract_id for sync in syncs},
            po_numbers=po_numbers,
            lines=lines_ref,
            workbook_uri=workbook_ref.uri,
            succession=succession,
        )
        record_ref = self._put(
            f"{prefix}calculation.json", record.model_dump_json(indent=2).encode(), 1, "json"
        )
        events: list[EventData] = [
            CustomsLinesGeneratedV1(
                calc_id=calc_id,
                lines=lines_ref,
                lines_parquet=parquet_ref,
                workbook=workbook_ref,
                calculation=record_ref,
                invoice_numbers=tuple(state.invoice_number for state in states),
                po_numbers=po_numbers,
                line_count=len(result.component_lines),
                exception_count=len(result.exceptions),
                packaging_count=len(result.packaging_lines),
                totals=result.totals,
                supersedes=succession.supersedes,
                superseded_by=succession.superseded_by,
            )
        ]
        if result.exceptions:
            events.append(_exception_alert(result, record_ref.uri))
        return [
            new_envelope(
                data,
                source=SOURCE,
                subject=calc_id,
                correlationid=event.envelope.correlationid,
                cause=event.envelope.id,
            )
            for data in events
        ]

    def _put(self, key: str, body: bytes, rows: int, fmt: str) -> ObjectRef:
        content_type = CONTENT_TYPES.get(fmt, "application/octet-stream")
        return self._blobs.put(
            BUCKET_PROCESSED, key, body, content_type=content_type, row_count=rows, fmt=fmt
        )


def _snapshot(batch: ReferenceBatch) -> ReferenceSnapshot:
    return ReferenceSnapshot.build(
        materials=batch.materials.values(),
        weights=[record for history in batch.weight_history.values() for record in history],
        hts_codes=[row for rows in batch.hts_codes.values() for row in rows],
        tariff_rules=batch.tariff_rules,
        packaging=batch.packaging.values(),
    )


def _input_file(sync: FeedSync) -> datasets.InputFile:
    return datasets.InputFile(
        feed=sync.feed,
        extract_id=sync.extract_id,
        file_name=sync.source_uri.rsplit("/", 1)[-1],
        uri=sync.source_uri,
        sha256=sync.source_sha256,
        row_count=sync.source_record_count,
        derived_uri=sync.records_uri,
        derived_sha256=sync.records_sha256,
        derived_row_count=sync.row_count,
    )


def _invoice_inputs(states: Sequence[InvoiceState]) -> list[datasets.InputFile]:
    """Every ZEMM004 file whose lines the calculation declared or held back, oldest first."""
    files = {version.extract_id: version for state in states for version in state.standing}
    return [
        datasets.InputFile(
            feed="ZEMM004",
            extract_id=version.extract_id,
            file_name=version.source_uri.rsplit("/", 1)[-1],
            uri=version.source_uri,
            sha256=version.source_sha256,
            row_count=version.source_record_count,
        )
        for version in sorted(files.values(), key=lambda v: (v.extracted_at, v.extract_id))
    ]


def _audit_inputs(inputs: Sequence[datasets.InputFile], syncs: Sequence[FeedSync]) -> AuditInputs:
    return AuditInputs(
        input_files=tuple(InputFile(i.file_name, i.sha256, i.row_count) for i in inputs),
        reference_versions=tuple(ReferenceVersion(sync.feed, sync.extract_id) for sync in syncs),
    )


def _exception_alert(result: CalculationResult, record_uri: str) -> AlertRaisedV1:
    reasons = sorted({str(exception.reason) for exception in result.exceptions})
    return AlertRaisedV1(
        severity=Severity.WARNING,
        service="customs_generation",
        title=f"{result.calc_id}: {len(result.exceptions)} invoice line(s) not declared",
        detail=", ".join(reasons),
        refs=(record_uri,),
    )
