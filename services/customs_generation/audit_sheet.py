"""The "Audit" tab (DOMAIN.md §4): what a customs auditor needs to re-derive every figure.

Sections, top to bottom: the calculation (CALC-ID, counts, totals), the input files with their
SHA-256 and row counts, the reference versions, every rate used with its source row, the
reconciliation of each invoice line, the exceptions and the packaging lines. The input files and
reference versions are handed in by the service edge, which knows where the data came from.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from contracts.workbook_columns import ColumnType
from services.customs_generation.results import CalculationResult
from services.customs_generation.workbook_cells import CellFormats, cell_writer, write_header

MFN_SOURCE = "ZFMIOR003"


@dataclass(frozen=True, slots=True)
class InputFile:
    name: str
    sha256: str
    row_count: int


@dataclass(frozen=True, slots=True)
class ReferenceVersion:
    """One reference feed and the snapshot read, e.g. ZEMM007 and its extract id."""

    feed: str
    extract_id: str


@dataclass(frozen=True, slots=True)
class AuditInputs:
    input_files: tuple[InputFile, ...]
    reference_versions: tuple[ReferenceVersion, ...]


@dataclass(frozen=True, slots=True)
class _Section:
    title: str
    columns: tuple[tuple[str, ColumnType], ...]
    rows: Iterable[Sequence[object]]


def write_audit_sheet(
    sheet: Any, result: CalculationResult, audit: AuditInputs, formats: CellFormats
) -> None:
    sheet.set_column(0, 0, 28)
    sheet.set_column(1, 1, 66)
    sheet.set_column(2, 8, 16)
    row = 0
    for section in _sections(result, audit):
        sheet.write_string(row, 0, section.title, formats.title)
        write_header(sheet, row + 1, (name for name, _ in section.columns), formats.header)
        row += 2
        writers = [
            (cell_writer(sheet, column_type), formats.cell(column_type))
            for _, column_type in section.columns
        ]
        for values in section.rows:
            for col, ((write, cell_format), value) in enumerate(zip(writers, values, strict=True)):
                if value is not None:
                    write(row, col, value, cell_format)
            row += 1
        row += 1


def _sections(result: CalculationResult, audit: AuditInputs) -> tuple[_Section, ...]:
    totals = result.totals
    return (
        _Section(
            "Calculation",
            (
                ("CALC-ID", ColumnType.TEXT),
                ("Component lines", ColumnType.INTEGER),
                ("Exceptions", ColumnType.INTEGER),
                ("Packaging lines", ColumnType.INTEGER),
                ("Entered value (USD)", ColumnType.MONEY),
                ("Duty (USD)", ColumnType.MONEY),
                ("MPF (USD)", ColumnType.MONEY),
                ("HMF (USD)", ColumnType.MONEY),
            ),
            (
                (
                    result.calc_id,
                    len(result.component_lines),
                    len(result.exceptions),
                    len(result.packaging_lines),
                    totals.entered_value_usd,
                    totals.duty_usd,
                    totals.mpf_usd,
                    totals.hmf_usd,
                ),
            ),
        ),
        _Section(
            "Input files",
            (("File", ColumnType.TEXT), ("SHA-256", ColumnType.TEXT), ("Rows", ColumnType.INTEGER)),
            ((f.name, f.sha256, f.row_count) for f in audit.input_files),
        ),
        _Section(
            "Reference snapshots",
            (("Feed", ColumnType.TEXT), ("Extract id", ColumnType.TEXT)),
            ((v.feed, v.extract_id) for v in audit.reference_versions),
        ),
        _Section(
            "Rates used",
            (
                ("Program", ColumnType.TEXT),
                ("Code", ColumnType.TEXT),
                ("Rate (%)", ColumnType.RATE),
                ("Source (rule id)", ColumnType.TEXT),
                ("Valid from", ColumnType.DATE),
                ("Min (USD)", ColumnType.MONEY),
                ("Max (USD)", ColumnType.MONEY),
            ),
            (
                (
                    r.program,
                    r.code,
                    r.rate_pct,
                    r.rule_id or MFN_SOURCE,
                    r.valid_from,
                    r.min_usd,
                    r.max_usd,
                )
                for r in result.rates_used
            ),
        ),
        _Section(
            "Reconciliation per invoice line",
            (
                ("Invoice", ColumnType.TEXT),
                ("Line", ColumnType.INTEGER),
                ("Material", ColumnType.TEXT),
                ("Value (USD)", ColumnType.MONEY),
                ("Components value (USD)", ColumnType.MONEY),
                ("Weight (kg)", ColumnType.WEIGHT),
                ("Components weight (kg)", ColumnType.WEIGHT),
                ("Result", ColumnType.TEXT),
            ),
            (
                (
                    r.invoice_number,
                    r.line_number,
                    r.material,
                    r.value_usd,
                    r.component_value_usd,
                    r.weight_kg,
                    r.component_weight_kg,
                    "BALANCED" if r.balanced else "FAILED",
                )
                for r in result.reconciliations
            ),
        ),
        _Section(
            "Exceptions",
            (
                ("Invoice", ColumnType.TEXT),
                ("Line", ColumnType.INTEGER),
                ("Material", ColumnType.TEXT),
                ("Reason", ColumnType.TEXT),
                ("Detail", ColumnType.TEXT),
                ("Extract", ColumnType.TEXT),
                ("Record", ColumnType.INTEGER),
            ),
            (
                (
                    e.invoice_number,
                    e.line_number,
                    e.material,
                    e.reason,
                    e.detail,
                    e.extract_id,
                    e.record_index,
                )
                for e in result.exceptions
            ),
        ),
        _Section(
            "Packaging lines",
            (
                ("Invoice", ColumnType.TEXT),
                ("Line", ColumnType.INTEGER),
                ("Material", ColumnType.TEXT),
                ("Description", ColumnType.TEXT),
                ("Packaging type", ColumnType.TEXT),
                ("Quantity", ColumnType.DECIMAL),
                ("Value (USD)", ColumnType.MONEY),
            ),
            (
                (
                    p.invoice_number,
                    p.line_number,
                    p.material,
                    p.description,
                    p.packaging_type,
                    p.quantity,
                    p.value_usd,
                )
                for p in result.packaging_lines
            ),
        ),
    )
