"""The comparison itself: our customs lines against SAP's ZSDR002 lines. Pure, no I/O."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import replace
from decimal import Decimal
from typing import TypeVar

from contracts.datasets import CustomsLineV1, DeclaredLine
from services.comparison.config import CODE_FIELDS, COMPARED_FIELDS, ComparisonConfig
from services.comparison.errors import DuplicateLineKey
from services.comparison.results import (
    ComparisonResult,
    Discrepancy,
    LineKey,
    LineResult,
    OneSidedLine,
)

_Line = TypeVar("_Line", CustomsLineV1, DeclaredLine)


def compare(
    calc_id: str,
    ours: Iterable[CustomsLineV1],
    theirs: Iterable[DeclaredLine],
    *,
    calc_invoices: Collection[str],
    declared_invoices: Collection[str],
    config: ComparisonConfig,
    not_declared: Mapping[tuple[str, int], str] | None = None,
) -> ComparisonResult:
    """Compare the lines of `calc_invoices` that SAP has declared (`declared_invoices`).

    Our lines of an invoice SAP has not declared yet are counted as awaiting SAP, never as "ours
    only"; SAP lines of invoices outside the calculation are ignored. A SAP line of an invoice
    line the calculation did not declare (`not_declared`: (invoice, line) → why) is reported as
    held back with that reason, never passed over.
    """
    held = not_declared or {}
    declared = set(declared_invoices) & set(calc_invoices)
    our_lines = _by_key(ours, "our customs lines")
    their_lines = _by_key(
        (line for line in theirs if line.invoice_number in declared), "SAP's ZSDR002"
    )
    comparable = {key: line for key, line in our_lines.items() if key.invoice_number in declared}
    matched = sorted(comparable.keys() & their_lines.keys())
    theirs_alone = _one_sided(their_lines, comparable)
    return ComparisonResult(
        calc_id=calc_id,
        lines=tuple(
            LineResult(key, _discrepancies(comparable[key], their_lines[key], config))
            for key in matched
        ),
        ours_only=_one_sided(comparable, their_lines),
        theirs_only=tuple(line for line in theirs_alone if _line_of(line) not in held),
        awaiting_sap=tuple(sorted(set(calc_invoices) - declared)),
        awaiting_lines=len(our_lines) - len(comparable),
        held_back=tuple(
            replace(line, reason=held[_line_of(line)])
            for line in theirs_alone
            if _line_of(line) in held
        ),
    )


def _line_of(line: OneSidedLine) -> tuple[str, int]:
    return (line.key.invoice_number, line.key.line_number)


def _by_key(lines: Iterable[_Line], side: str) -> dict[LineKey, _Line]:
    keyed: dict[LineKey, _Line] = {}
    for line in lines:
        key = LineKey(line.invoice_number, line.line_number, line.component)
        if key in keyed:
            raise DuplicateLineKey(side, str(key))
        keyed[key] = line
    return keyed


def _discrepancies(
    ours: CustomsLineV1, theirs: DeclaredLine, config: ComparisonConfig
) -> tuple[Discrepancy, ...]:
    found = []
    for name in COMPARED_FIELDS:
        our_value, their_value = getattr(ours, name), getattr(theirs, name)
        if name in CODE_FIELDS:
            if our_value != their_value:
                found.append(Discrepancy(name, our_value, their_value, None))
        elif not config.tolerances[name].allows(our_value, their_value):
            delta: Decimal = their_value - our_value
            found.append(Discrepancy(name, str(our_value), str(their_value), delta))
    return tuple(found)


def _one_sided(side: dict[LineKey, _Line], other: Collection[LineKey]) -> tuple[OneSidedLine, ...]:
    return tuple(
        OneSidedLine(key, tuple((name, str(getattr(side[key], name))) for name in COMPARED_FIELDS))
        for key in sorted(side.keys() - set(other))
    )
