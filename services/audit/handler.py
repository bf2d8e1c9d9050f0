"""Audit: every event, written once and immutably; calculations also indexed.

Each event is written as its envelope (data restored from any claim check) at a key derived from
its id. A `customs-lines.generated` event also brings the calculation record and the customs
lines into the audit bucket, verified against the SHA-256s the event promised, and indexes them by
CALC-ID, PO number and input file name. The bytes are copied verbatim, so their SHA-256 stays the
one recorded in the calculation chain.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime

import structlog

from contracts.audit_layout import (
    EVENT_OBJECT,
    LINES_OBJECT,
    RECORD_OBJECT,
    AuditedObject,
    event_key,
    index_items,
    lines_key,
    record_key,
)
from contracts.datasets import CalculationRecordV1, CustomsLineV1
from contracts.envelope import Envelope
from contracts.errors import MalformedEvent
from contracts.events import CustomsLinesGeneratedV1
from services.audit.errors import CalculationMismatch
from services.audit.index import AuditIndex
from services.audit.locked_store import LockedStore
from services.runtime.aws.blobs import BlobStore
from services.runtime.messaging.messages import ConsumedEvent

log = structlog.get_logger("ior.audit")


class AuditHandler:
    def __init__(
        self,
        blobs: BlobStore,
        store: LockedStore,
        index: AuditIndex,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._blobs = blobs
        self._store = store
        self._index = index
        self._clock = clock

    def record_event(self, event: ConsumedEvent) -> list[Envelope]:
        self._write_event(event.envelope)
        return []

    def record_calculation(self, event: ConsumedEvent) -> list[Envelope]:
        data = event.data
        if not isinstance(data, CustomsLinesGeneratedV1):
            raise MalformedEvent(f"{event.envelope.type} did not parse as customs lines")
        event_object = self._write_event(event.envelope)
        record_body = self._blobs.get_verified(data.calculation)
        record = CalculationRecordV1.model_validate_json(record_body)
        if record.calc_id != data.calc_id:
            raise CalculationMismatch(
                f"{data.calculation.uri} is the record of {record.calc_id}, not {data.calc_id}"
            )
        lines_body = self._blobs.get_verified(data.lines)
        entry_dates = [
            CustomsLineV1.model_validate_json(row).entry_date
            for row in lines_body.splitlines()
            if row.strip()
        ]
        record_object = self._write(record_key(record.calc_id), record_body, "application/json")
        lines_object = self._write(lines_key(record.calc_id), lines_body, "application/x-ndjson")
        objects = {
            EVENT_OBJECT: event_object,
            RECORD_OBJECT: record_object,
            LINES_OBJECT: lines_object,
        }
        new_items = self._index.add(
            index_items(record, objects=objects, entry_dates=_span(entry_dates))
        )
        self._index.mark_last_calculation(record, record_object.uri, self._clock())
        self._mark_succession(record)
        log.info("audit.calculation", calc_id=record.calc_id, new_index_items=new_items)
        return []

    def _mark_succession(self, record: CalculationRecordV1) -> None:
        """Both calculations stay in the trail; the index marks the replaced one per invoice
        (a retried event adds the same marks again, which changes nothing)."""
        replaced: dict[str, list[str]] = {}
        for invoice, old in record.supersedes.items():
            replaced.setdefault(old, []).append(invoice)
        for old, invoices in replaced.items():
            self._index.mark_superseded(old, invoices, record.calc_id)
        kept: dict[str, list[str]] = {}
        for invoice, current in record.superseded_by.items():
            kept.setdefault(current, []).append(invoice)
        for current, invoices in kept.items():
            self._index.mark_superseded(record.calc_id, invoices, current)

    def _write_event(self, envelope: Envelope) -> AuditedObject:
        # Event ids come from their cause, and every consumer takes an id once. An event
        # published again (its message handled again once the idempotency record expired, or
        # two racing triggers) has the id, and so the key, of the one recorded, with another
        # `time` and possibly other processing details (a recalculation's CALC-ID, which comes
        # from its trigger's time): the first record of the event stands and the difference is
        # logged; a recalculation's own record and lines are written under its CALC-ID all the
        # same. Bytes that are no event of that id under the key are refused.
        return self._write(
            event_key(envelope),
            envelope.to_json().encode(),
            "application/json",
            same_as=lambda stored: _same_event(stored, envelope),
        )

    def _write(
        self,
        key: str,
        body: bytes,
        content_type: str,
        same_as: Callable[[bytes], bool] | None = None,
    ) -> AuditedObject:
        written = self._store.write_once(key, body, content_type=content_type, same_as=same_as)
        log.info(
            "audit.written" if written.new else "audit.already_written",
            key=key,
            version_id=written.audited.version_id,
        )
        return written.audited


def same_event_id(stored: Envelope, published: Envelope) -> bool:
    """Whether `published` is `stored` published again: the same id, source and type."""
    return (stored.id, stored.source, stored.type) == (
        published.id,
        published.source,
        published.type,
    )


def _same_event(stored_bytes: bytes, published: Envelope) -> bool:
    try:
        stored = Envelope.from_json(stored_bytes)
    except MalformedEvent:
        return False
    if not same_event_id(stored, published):
        return False
    if (stored.subject, stored.data) != (published.subject, published.data):
        log.warning(
            "audit.event_published_again_with_other_data",
            event_id=published.id,
            type=published.type,
            recorded_subject=stored.subject,
            published_subject=published.subject,
            recorded_time=stored.time.isoformat(),
            published_time=published.time.isoformat(),
        )
    return True


def _span(dates: list[date]) -> tuple[date, date] | None:
    return (min(dates), max(dates)) if dates else None
