"""What a comparison found: per matched line PASS/FAIL with its discrepancies, the lines present on
one side only, and the invoices still awaiting SAP's declaration."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from contracts.datasets import Component


class Outcome(StrEnum):
    PASS = "PASS"  # noqa: S105 (a comparison outcome, not a password)
    FAIL = "FAIL"


@dataclass(frozen=True, order=True)
class LineKey:
    """A component line's identity on both sides (DOMAIN.md §4)."""

    invoice_number: str
    line_number: int
    component: Component

    def __str__(self) -> str:
        return f"{self.invoice_number}/{self.line_number}/{self.component}"


@dataclass(frozen=True)
class Discrepancy:
    """One compared field out of tolerance; `delta` is SAP's value minus ours (None for codes)."""

    field: str
    ours: str
    theirs: str
    delta: Decimal | None


@dataclass(frozen=True)
class LineResult:
    key: LineKey
    discrepancies: tuple[Discrepancy, ...]

    @property
    def outcome(self) -> Outcome:
        return Outcome.FAIL if self.discrepancies else Outcome.PASS


@dataclass(frozen=True)
class OneSidedLine:
    """A line only one side declared, with its compared values as text."""

    key: LineKey
    values: tuple[tuple[str, str], ...]
    reason: str | None = None  # a SAP line of an invoice line ior held back: why ior did


@dataclass(frozen=True)
class ComparisonResult:
    calc_id: str
    lines: tuple[LineResult, ...]
    ours_only: tuple[OneSidedLine, ...]
    theirs_only: tuple[OneSidedLine, ...]
    awaiting_sap: tuple[str, ...]
    """Invoices without any SAP declaration yet: not compared, and not "ours only"."""
    awaiting_lines: int
    held_back: tuple[OneSidedLine, ...] = ()
    """SAP's lines of invoice lines ior did not declare (rejected, held back, an exception)."""

    @property
    def passed(self) -> int:
        return sum(1 for line in self.lines if line.outcome is Outcome.PASS)

    @property
    def failed(self) -> int:
        return len(self.lines) - self.passed

    @property
    def outcome(self) -> Outcome:
        differs = self.failed or self.ours_only or self.theirs_only or self.held_back
        return Outcome.FAIL if differs else Outcome.PASS

    @property
    def failures(self) -> tuple[LineResult, ...]:
        return tuple(line for line in self.lines if line.outcome is Outcome.FAIL)
