"""Calculations that waited for SAP to declare some of their invoices (`comparisons/pending/`).

A pending calculation is one object per calc; the invoice index (`InvoiceIndex`) lists, per
invoice, the calcs that wait for it, so a later `declared-lines.normalized` finds them without
listing the bucket (the service may read and write its prefix, not list it).

A calculation whose invoices have all been compared is marked completed, not deleted: the runtime
publishes the run's events only after the handler returned, so if publishing fails, the retried
event must still find the calculation to run it again (`completed_by` names that event).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import structlog
from pydantic import BaseModel, ConfigDict

from contracts.events.refs import ObjectRef
from contracts.topology import BUCKET_PROCESSED
from services.comparison.invoice_index import InvoiceIndex
from services.runtime.aws.blobs import BlobStore
from services.runtime.errors import ObjectMissing

log = structlog.get_logger("ior.comparison")
PENDING_PREFIX = "comparisons/pending/"


class PendingCalc(BaseModel):
    """What a later comparison run needs of a `customs-lines.generated` event."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    calc_id: str
    correlationid: str
    lines: ObjectRef
    invoice_numbers: tuple[str, ...]
    completed_by: str | None = None
    calculation: ObjectRef | None = None  # its record: which lines it did not declare, and why

    def runs_for(self, event_id: str) -> bool:
        """Still waiting, or completed by this very event (which is being retried)."""
        return self.completed_by in (None, event_id)


class PendingCalcs:
    def __init__(
        self, blobs: BlobStore, index: InvoiceIndex, bucket: str = BUCKET_PROCESSED
    ) -> None:
        self._blobs = blobs
        self._index = index
        self._bucket = bucket

    def add(self, calc: PendingCalc) -> None:
        self._put(calc)
        self._index.await_declarations(calc.invoice_numbers, calc.calc_id)
        log.info("comparison.pending", calc_id=calc.calc_id, invoices=len(calc.invoice_numbers))

    def complete(self, calc: PendingCalc, event_id: str) -> None:
        self._put(calc.model_copy(update={"completed_by": event_id}))
        log.info("comparison.pending_done", calc_id=calc.calc_id, completed_by=event_id)

    def remember(self, calc: PendingCalc) -> None:
        """`calc` is the calculation its invoices are compared with, whenever SAP (re)declares
        them."""
        self._index.remember_calculation(calc.invoice_numbers, calc.model_dump_json())

    def remembered(self, invoice_numbers: Iterable[str]) -> list[PendingCalc]:
        """The calculations remembered for any of these invoices, by CALC-ID."""
        texts = self._index.calculations(invoice_numbers).values()
        calcs = {c.calc_id: c for c in (PendingCalc.model_validate_json(t) for t in texts)}
        return [calcs[calc_id] for calc_id in sorted(calcs)]

    def superseded(self, calcs_by_invoice: Mapping[str, str]) -> None:
        """A later calculation replaced these (invoice → calc): they no longer wait for SAP's
        lines of those invoices, and a later comparison of theirs leaves them out."""
        if not calcs_by_invoice:
            return
        self._index.stop_waiting(calcs_by_invoice)
        by_calc: dict[str, set[str]] = {}
        for invoice, calc_id in calcs_by_invoice.items():
            by_calc.setdefault(calc_id, set()).add(invoice)
        for calc_id, invoices in by_calc.items():
            try:
                body = self._blobs.get(self._bucket, calc_key(calc_id))
            except ObjectMissing:  # it never waited: compared in full when it arrived
                continue
            calc = PendingCalc.model_validate_json(body)
            remaining = tuple(i for i in calc.invoice_numbers if i not in invoices)
            self._put(calc.model_copy(update={"invoice_numbers": remaining}))
        log.info("comparison.superseded", calcs=sorted(by_calc))

    def covering(self, invoice_numbers: Iterable[str]) -> list[PendingCalc]:
        """The pending calculations that include any of these invoices, by CALC-ID."""
        pending = []
        for calc_id in sorted(self._index.waiting(invoice_numbers)):
            try:
                body = self._blobs.get(self._bucket, calc_key(calc_id))
            except ObjectMissing:  # indexed by a worker that has not written the calc yet
                continue
            pending.append(PendingCalc.model_validate_json(body))
        return pending

    def _put(self, calc: PendingCalc) -> None:
        self._blobs.put(
            self._bucket,
            calc_key(calc.calc_id),
            calc.model_dump_json().encode(),
            content_type="application/json",
        )


def calc_key(calc_id: str) -> str:
    return f"{PENDING_PREFIX}calcs/{calc_id}.json"
