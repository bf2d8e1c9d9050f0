"""Calculations that waited for SAP to declare some of their invoices (`comparisons/pending/`).

A pending calculation is one object per calc, plus one index object per invoice listing the calcs
that wait for it, so a later `declared-lines.normalized` finds them without listing the bucket
(the service may read and write its prefix, not list it). Several calculations can wait for one
invoice, and their workers may update its index at the same moment, so the index is updated with
S3 conditional writes (If-Match / If-None-Match) and re-read when another writer came first.

A calculation whose invoices have all been compared is marked completed, not deleted: the runtime
publishes the run's events only after the handler returned, so if publishing fails, the retried
event must still find the calculation to run it again (`completed_by` names that event).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING
from urllib.parse import quote

import structlog
from botocore.exceptions import ClientError
from pydantic import BaseModel, ConfigDict

from contracts.events.refs import ObjectRef
from contracts.topology import BUCKET_PROCESSED
from services.comparison.errors import PendingIndexContended
from services.runtime.blobs import BlobStore
from services.runtime.errors import ObjectMissing
from services.runtime.retries import aws_retry

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

log = structlog.get_logger("ior.comparison")
PENDING_PREFIX = "comparisons/pending/"
_WRITE_ATTEMPTS = 5
_LOST_RACE = frozenset({"PreconditionFailed", "ConditionalRequestConflict"})
_MISSING = frozenset({"NoSuchKey", "404", "NotFound"})


class PendingCalc(BaseModel):
    """What a later comparison run needs of a `customs-lines.generated` event."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    calc_id: str
    correlationid: str
    lines: ObjectRef
    invoice_numbers: tuple[str, ...]
    completed_by: str | None = None

    def runs_for(self, event_id: str) -> bool:
        """Still waiting, or completed by this very event (which is being retried)."""
        return self.completed_by in (None, event_id)


class _InvoiceIndex(BaseModel):
    calc_ids: tuple[str, ...] = ()


class PendingCalcs:
    def __init__(self, s3: S3Client, blobs: BlobStore, bucket: str = BUCKET_PROCESSED) -> None:
        self._s3 = s3
        self._blobs = blobs
        self._bucket = bucket

    def add(self, calc: PendingCalc) -> None:
        self._put(calc)
        for invoice in calc.invoice_numbers:
            self._add_to_index(invoice, calc.calc_id)
        log.info("comparison.pending", calc_id=calc.calc_id, invoices=len(calc.invoice_numbers))

    def complete(self, calc: PendingCalc, event_id: str) -> None:
        self._put(calc.model_copy(update={"completed_by": event_id}))
        log.info("comparison.pending_done", calc_id=calc.calc_id, completed_by=event_id)

    def covering(self, invoice_numbers: Iterable[str]) -> list[PendingCalc]:
        """The pending calculations that include any of these invoices, by CALC-ID."""
        calc_ids = set()
        for invoice in invoice_numbers:
            calc_ids |= self._read_index(invoice)[0]
        pending = []
        for calc_id in sorted(calc_ids):
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

    def _add_to_index(self, invoice: str, calc_id: str) -> None:
        for _ in range(_WRITE_ATTEMPTS):
            calc_ids, etag = self._read_index(invoice)
            if calc_id in calc_ids:
                return
            try:
                self._write_index(invoice, calc_ids | {calc_id}, etag)
                return
            except ClientError as exc:
                if exc.response.get("Error", {}).get("Code") not in _LOST_RACE:
                    raise
        raise PendingIndexContended(
            f"the pending index of invoice {invoice} kept changing; the message will be retried"
        )

    @aws_retry
    def _read_index(self, invoice: str) -> tuple[set[str], str | None]:
        try:
            response = self._s3.get_object(Bucket=self._bucket, Key=invoice_key(invoice))
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in _MISSING:
                return set(), None
            raise
        index = _InvoiceIndex.model_validate_json(response["Body"].read())
        return set(index.calc_ids), response["ETag"]

    @aws_retry
    def _write_index(self, invoice: str, calc_ids: set[str], etag: str | None) -> None:
        """Only over the version read (`etag`), or only if still absent (`etag` None)."""
        body = _InvoiceIndex(calc_ids=tuple(sorted(calc_ids))).model_dump_json().encode()
        key = invoice_key(invoice)
        if etag is None:
            self._s3.put_object(Bucket=self._bucket, Key=key, Body=body, IfNoneMatch="*")
        else:
            self._s3.put_object(Bucket=self._bucket, Key=key, Body=body, IfMatch=etag)


def calc_key(calc_id: str) -> str:
    return f"{PENDING_PREFIX}calcs/{calc_id}.json"


def invoice_key(invoice_number: str) -> str:
    return f"{PENDING_PREFIX}invoices/{quote(invoice_number, safe='')}.json"
