"""SAP's declarations (ZSDR002 datasets) by invoice: recorded, found, and their lines read."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping

from contracts.datasets import DeclaredLine
from contracts.events.refs import ObjectRef
from services.comparison.invoice_index import Declaration, InvoiceIndex
from services.runtime.aws.blobs import BlobStore


class DeclarationStore:
    def __init__(self, blobs: BlobStore, index: InvoiceIndex) -> None:
        self._blobs = blobs
        self._index = index

    def record(self, extract_id: str, lines: ObjectRef, invoice_numbers: Iterable[str]) -> None:
        self._index.declare(
            Declaration(invoice_number=invoice, extract_id=extract_id, lines=lines)
            for invoice in invoice_numbers
        )

    def find(self, invoice_numbers: Iterable[str]) -> dict[str, Declaration]:
        """The declarations that have arrived, by invoice; undeclared invoices are absent."""
        return self._index.declarations(invoice_numbers)

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
