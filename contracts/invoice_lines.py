"""The current lines of an invoice (DOMAIN.md §1, §3.8): of every accepted version of a line
(invoice, line number), the one from the extract with the later `extracted_at` stands; between
two extracts of the same moment, the greater extract id, so the answer never depends on the order
in which the extracts arrived.

Normalization keeps every version; customs generation calculates an invoice from its current
lines; both, and anyone who reads the table, decide "current" here.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from contracts.datasets import InvoiceLinesOfExtract, InvoiceLineVersion

LINES_PER_ITEM = 100


def extract_items(versions: Iterable[InvoiceLineVersion]) -> list[InvoiceLinesOfExtract]:
    """One extract's line versions as table items: per invoice, `LINES_PER_ITEM` at a time."""
    by_invoice: dict[tuple[str, str, datetime], list[InvoiceLineVersion]] = {}
    for version in versions:
        key = (version.invoice_number, version.extract_id, version.extracted_at)
        by_invoice.setdefault(key, []).append(version)
    return [
        InvoiceLinesOfExtract(
            invoice_number=invoice,
            extract_id=extract_id,
            extracted_at=extracted_at,
            chunk=start // LINES_PER_ITEM,
            versions=tuple(lines[start : start + LINES_PER_ITEM]),
        )
        for (invoice, extract_id, extracted_at), lines in sorted(by_invoice.items())
        for start in range(0, len(lines), LINES_PER_ITEM)
    ]


def extracts_read(items: Iterable[InvoiceLinesOfExtract]) -> int:
    """How many extracts said something of the invoice: grows with every one that does."""
    return len({(item.extracted_at, item.extract_id) for item in items})


def current_lines(versions: Iterable[InvoiceLineVersion]) -> list[InvoiceLineVersion]:
    """Per line number the version that stands, ordered by line number."""
    standing: dict[int, InvoiceLineVersion] = {}
    for version in versions:
        held = standing.get(version.line_number)
        if held is None or _order(version) > _order(held):
            standing[version.line_number] = version
    return [standing[number] for number in sorted(standing)]


def _order(version: InvoiceLineVersion) -> tuple[datetime, str]:
    return (version.extracted_at, version.extract_id)
