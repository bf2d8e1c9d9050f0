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

from contracts.datasets import InvoiceLineVersion


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
