"""Which SAP declaration (ZSDR002 dataset) holds each invoice, kept under `comparisons/declared/`.

`declared-lines.normalized` and `customs-lines.generated` arrive in any order; this pointer per
invoice lets either side find the other. When SAP declares an invoice again, the latest arrival
wins: SAP re-sends an invoice to correct it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from urllib.parse import quote

from pydantic import BaseModel, ConfigDict

from contracts.datasets import DeclaredLine
from contracts.events.refs import ObjectRef
from contracts.topology import BUCKET_PROCESSED
from services.runtime.blobs import BlobStore
from services.runtime.errors import ObjectMissing

DECLARED_PREFIX = "comparisons/declared/"


class Declaration(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    invoice_number: str
    extract_id: str
    lines: ObjectRef


class DeclarationStore:
    def __init__(self, blobs: BlobStore, bucket: str = BUCKET_PROCESSED) -> None:
        self._blobs = blobs
        self._bucket = bucket

    def record(self, extract_id: str, lines: ObjectRef, invoice_numbers: Iterable[str]) -> None:
        for invoice in invoice_numbers:
            declaration = Declaration(invoice_number=invoice, extract_id=extract_id, lines=lines)
            self._blobs.put(
                self._bucket,
                declaration_key(invoice),
                declaration.model_dump_json().encode(),
                content_type="application/json",
            )

    def find(self, invoice_numbers: Iterable[str]) -> dict[str, Declaration]:
        """The declarations that have arrived, by invoice; undeclared invoices are absent."""
        found = {}
        for invoice in invoice_numbers:
            try:
                body = self._blobs.get(self._bucket, declaration_key(invoice))
            except ObjectMissing:
                continue
            found[invoice] = Declaration.model_validate_json(body)
        return found

    def load_lines(self, declarations: Mapping[str, Declaration]) -> list[DeclaredLine]:
        """SAP's lines of the given invoices, each dataset read (and verified) once."""
        invoices_by_ref: dict[ObjectRef, set[str]] = defaultdict(set)
        for invoice, declaration in declarations.items():
            invoices_by_ref[declaration.lines].add(invoice)
        lines = []
        for ref, invoices in invoices_by_ref.items():
            for row in self._blobs.get_verified(ref).splitlines():
                if row.strip():
                    line = DeclaredLine.model_validate_json(row)
                    if line.invoice_number in invoices:
                        lines.append(line)
        return lines


def declaration_key(invoice_number: str) -> str:
    # Invoice numbers are SAP text: quoted so a `/` cannot make a folder.
    return f"{DECLARED_PREFIX}{quote(invoice_number, safe='')}.json"
