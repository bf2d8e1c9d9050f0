"""The IEEPA refund report: every IEEPA layer paid by the entries of an entry-date range. Pure.

Built from customs lines (`CustomsLineV1`) by `build_ieepa_report`, whoever read them: `ior report
ieepa-refunds` reads the audited datasets, the portal its read model's current lines. Its files
(CSV, totals CSV, Excel) are written by `contracts.ieepa_refund_files`, so the claim is prepared
from the same rows whichever way it was asked for.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Set
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from contracts.datasets import CustomsLineV1

IEEPA_PREFIX = "IEEPA"


@dataclass(frozen=True)
class IeepaLine:
    """One IEEPA layer paid on one component line."""

    invoice_number: str
    po_number: str
    entry_date: date
    port_of_entry: str
    line_number: int
    component: str
    material: str
    hts_code: str
    program: str
    code: str
    rate_pct: Decimal
    entered_value_usd: Decimal
    duty_usd: Decimal
    calc_id: str


@dataclass(frozen=True)
class IeepaEntry:
    """An entry (invoice) that paid IEEPA; its value counts each component line once."""

    invoice_number: str
    po_number: str
    entry_date: date
    calc_id: str
    lines: tuple[IeepaLine, ...]
    entered_value_usd: Decimal
    duty_usd: Decimal


@dataclass(frozen=True)
class IeepaRefundReport:
    date_from: date | None
    date_to: date | None
    entries: tuple[IeepaEntry, ...]

    @property
    def entered_value_usd(self) -> Decimal:
        return sum((entry.entered_value_usd for entry in self.entries), Decimal(0))

    @property
    def duty_usd(self) -> Decimal:
        return sum((entry.duty_usd for entry in self.entries), Decimal(0))

    @property
    def duty_by_program(self) -> dict[str, Decimal]:
        """The IEEPA duty of each program (IEEPA-FENTANYL, IEEPA-RECIPROCAL, …), by name."""
        sums: dict[str, Decimal] = defaultdict(Decimal)
        for entry in self.entries:
            for layer in entry.lines:
                sums[layer.program] += layer.duty_usd
        return dict(sorted(sums.items()))


def build_ieepa_report(
    lines: Iterable[CustomsLineV1],
    date_from: date | None,
    date_to: date | None,
    superseded: Mapping[str, Set[str]] | None = None,
) -> IeepaRefundReport:
    """Each invoice counts by its current calculation only: `superseded` names, per CALC-ID,
    the invoices a later calculation replaced (as the audit index marks them)."""
    replaced = superseded or {}
    paid: dict[str, list[tuple[CustomsLineV1, tuple[IeepaLine, ...]]]] = defaultdict(list)
    for line in lines:
        in_range = (date_from is None or line.entry_date >= date_from) and (
            date_to is None or line.entry_date <= date_to
        )
        layers = _ieepa_layers(line)
        current = line.invoice_number not in replaced.get(line.calc_id, set())
        if current and in_range and layers:
            paid[line.invoice_number].append((line, layers))
    entries = [_entry(paid[invoice]) for invoice in sorted(paid)]
    entries.sort(key=lambda entry: (entry.entry_date, entry.invoice_number))
    return IeepaRefundReport(date_from, date_to, tuple(entries))


def _ieepa_layers(line: CustomsLineV1) -> tuple[IeepaLine, ...]:
    return tuple(
        IeepaLine(
            invoice_number=line.invoice_number,
            po_number=line.po_number,
            entry_date=line.entry_date,
            port_of_entry=line.port_of_entry,
            line_number=line.line_number,
            component=str(line.component),
            material=line.material,
            hts_code=line.hts_code,
            program=layer.program,
            code=layer.code,
            rate_pct=layer.rate_pct,
            entered_value_usd=line.entered_value_usd,
            duty_usd=layer.duty_usd,
            calc_id=line.calc_id,
        )
        for layer in line.duty_layers
        # A 0 % IEEPA exemption code is declared but pays nothing: nothing to refund.
        if layer.program.startswith(IEEPA_PREFIX) and layer.duty_usd > 0
    )


def _entry(paid: list[tuple[CustomsLineV1, tuple[IeepaLine, ...]]]) -> IeepaEntry:
    first = paid[0][0]
    layers = tuple(layer for _, line_layers in paid for layer in line_layers)
    return IeepaEntry(
        invoice_number=first.invoice_number,
        po_number=first.po_number,
        entry_date=first.entry_date,
        calc_id=first.calc_id,
        lines=layers,
        entered_value_usd=sum((line.entered_value_usd for line, _ in paid), Decimal(0)),
        duty_usd=sum((layer.duty_usd for layer in layers), Decimal(0)),
    )
