"""The PO reference table: every accepted invoice line by PO, normalized or held back."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field

from contracts.feeds import Zemm004Record
from services.normalization.records import Indexed


class PoReferenceRow(BaseModel):
    """One invoice line under its PO (table keys: `po_number`, `invoice_line`)."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    po_number: str
    invoice_line: str = Field(description="invoice number and line, e.g. SFW-2508-0147#000010")
    invoice_number: str
    line_number: int
    material: str
    quantity: Decimal
    entry_date: date
    extract_id: str
    record_index: int
    normalized: bool = Field(description="false: held back by a quality error (see the report)")


def invoice_line_key(invoice_number: str, line_number: int) -> str:
    # Zero-padded so that a PO's lines sort by invoice, then line number.
    return f"{invoice_number}#{line_number:06d}"


def po_reference_rows(
    records: Sequence[Indexed[Zemm004Record]],
    excluded: Sequence[Indexed[Zemm004Record]],
    extract_id: str,
) -> list[PoReferenceRow]:
    held_back = {index for index, _ in excluded}
    return [
        PoReferenceRow(
            po_number=record.po_number,
            invoice_line=invoice_line_key(record.invoice_number, record.line_number),
            invoice_number=record.invoice_number,
            line_number=record.line_number,
            material=record.material,
            quantity=record.quantity,
            entry_date=record.entry_date,
            extract_id=extract_id,
            record_index=index,
            normalized=index not in held_back,
        )
        for index, record in records
    ]
