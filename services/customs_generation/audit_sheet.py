"""The "Audit" tab (DOMAIN.md §4): what a customs auditor needs to re-derive every figure.

Sections, top to bottom: the calculation (CALC-ID, counts, totals), the key to the colours of
the "Customs Lines" tab, the duty per program, the input files with their SHA-256 and row counts,
the reference versions, every rate used with its source row, the reconciliation of each invoice
line, the exceptions (every invoice line not declared, with its reason) and the packaging lines.
The input files and reference versions are handed in by the service edge, which knows where the
data came from.

The sections share the sheet's columns, so each column is as wide as the widest value any section
has in it, except the last column of a section (a SHA-256, a reason's detail): that one spills
into the empty cells to its right instead of widening the column for every other section.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from contracts.workbook_columns import ColumnType
from services.customs_generation.results import CalculationResult
from services.customs_generation.row_colours import (
    BROKER_HEADER_MEANING,
    IOR_HEADER_MEANING,
    ROW_FILLS,
)
from services.customs_generation.workbook_cells import (
    CellFormats,
    as_text,
    cell_writer,
    header_height,
    write_header,
)

MFN_SOURCE = "ZFMIOR003"
COLOUR_KEY_TITLE = "Colour key (Customs Lines tab)"
_MIN_WIDTH, _MAX_WIDTH = 10, 40


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
    rows: Sequence[Sequence[object]]


def write_audit_sheet(
    sheet: Any, result: CalculationResult, audit: AuditInputs, formats: CellFormats
) -> None:
    sections = _sections(result, audit)
    widths = _column_widths(sections)
    for col, width in enumerate(widths):
        sheet.set_column(col, col, width)
    row = _write_section(sheet, 0, sections[0], widths, formats)
    row = _write_colour_key(sheet, row, formats)
    for section in sections[1:]:
        row = _write_section(sheet, row, section, widths, formats)


def _column_widths(sections: Sequence[_Section]) -> list[float]:
    widths: dict[int, int] = defaultdict(lambda: _MIN_WIDTH)
    for section in sections:
        last = len(section.columns) - 1
        for col, (name, column_type) in enumerate(section.columns):
            if col == last and column_type is ColumnType.TEXT:
                continue  # spills into the empty cells to its right
            longest = max((len(_shown(row[col])) for row in section.rows), default=0)
            widths[col] = max(widths[col], min(max(longest, len(name)) + 2, _MAX_WIDTH))
    return [widths[col] for col in range(max(len(s.columns) for s in sections))]


def _shown(value: object) -> str:
    if isinstance(value, Decimal):
        return f"{value:,.2f}"
    return "" if value is None else as_text(value)


def _write_section(
    sheet: Any, row: int, section: _Section, widths: Sequence[float], formats: CellFormats
) -> int:
    sheet.write_string(row, 0, section.title, formats.title)
    names = [name for name, _ in section.columns]
    sheet.set_row(row + 1, header_height(zip(names, widths, strict=False)))
    write_header(sheet, row + 1, names, formats.header)
    row += 2
    writers = [
        (
            cell_writer(sheet, column_type),
            formats.cell(column_type, indent=column_type is ColumnType.TEXT),
        )
        for _, column_type in section.columns
    ]
    for values in section.rows:
        for col, ((write, cell_format), value) in enumerate(zip(writers, values, strict=True)):
            if value is not None:
                write(row, col, value, cell_format)
        row += 1
    return row + 1


def _write_colour_key(sheet: Any, row: int, formats: CellFormats) -> int:
    """The fills of the lines tab, each shown in its own colour next to what it means."""
    sheet.write_string(row, 0, COLOUR_KEY_TITLE, formats.title)
    row += 1
    for kind, fill in ROW_FILLS.items():
        sheet.write_string(row, 0, "row", formats.cell(ColumnType.TEXT, fill))
        sheet.write_string(row, 1, kind.value)
        row += 1
    for header_meaning, header_format in (
        (IOR_HEADER_MEANING, formats.header),
        (BROKER_HEADER_MEANING, formats.broker_header),
    ):
        sheet.write_string(row, 0, "header", header_format)
        sheet.write_string(row, 1, header_meaning)
        row += 1
    return row + 1


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
            "Duty per program",
            (
                ("Program", ColumnType.TEXT),
                ("Component lines", ColumnType.INTEGER),
                ("Duty (USD)", ColumnType.MONEY),
                ("Codes", ColumnType.TEXT),
            ),
            _duty_per_program(result),
        ),
        _Section(
            "Input files",
            (("File", ColumnType.TEXT), ("Rows", ColumnType.INTEGER), ("SHA-256", ColumnType.TEXT)),
            tuple((f.name, f.row_count, f.sha256) for f in audit.input_files),
        ),
        _Section(
            "Reference snapshots",
            (("Feed", ColumnType.TEXT), ("Extract id", ColumnType.TEXT)),
            tuple((v.feed, v.extract_id) for v in audit.reference_versions),
        ),
        _Section(
            "Rates used",
            (
                ("Program", ColumnType.TEXT),
                ("Code", ColumnType.TEXT),
                ("Rate (%)", ColumnType.RATE),
                ("Valid from", ColumnType.DATE),
                ("Min (USD)", ColumnType.MONEY),
                ("Max (USD)", ColumnType.MONEY),
                ("Source (rule id)", ColumnType.TEXT),
            ),
            tuple(
                (
                    r.program,
                    r.code,
                    r.rate_pct,
                    r.valid_from,
                    r.min_usd,
                    r.max_usd,
                    r.rule_id or MFN_SOURCE,
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
            tuple(
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
            "Exceptions: invoice lines not declared",
            (
                ("Invoice", ColumnType.TEXT),
                ("Line", ColumnType.INTEGER),
                ("Material", ColumnType.TEXT),
                ("Extract", ColumnType.TEXT),
                ("Record", ColumnType.INTEGER),
                ("Reason", ColumnType.TEXT),
                ("Detail", ColumnType.TEXT),
            ),
            tuple(
                (
                    e.invoice_number,
                    e.line_number,
                    e.material,
                    e.extract_id,
                    e.record_index,
                    e.reason,
                    e.detail,
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
                ("Packaging type", ColumnType.TEXT),
                ("Quantity", ColumnType.DECIMAL),
                ("Value (USD)", ColumnType.MONEY),
                ("Description", ColumnType.TEXT),
            ),
            tuple(
                (
                    p.invoice_number,
                    p.line_number,
                    p.material,
                    p.packaging_type,
                    p.quantity,
                    p.value_usd,
                    p.description,
                )
                for p in result.packaging_lines
            ),
        ),
    )


def _duty_per_program(result: CalculationResult) -> tuple[tuple[object, ...], ...]:
    """The sums the lines tab cannot give: its "Ch99 Duty n" columns hold a different program
    on every line. Programs in the order they first appear (MFN first)."""
    lines: dict[str, int] = defaultdict(int)
    duty: dict[str, Decimal] = defaultdict(Decimal)
    codes: dict[str, set[str]] = defaultdict(set)
    for line in result.component_lines:
        for layer in line.duty_layers:
            lines[layer.program] += 1
            duty[layer.program] += layer.duty_usd
            codes[layer.program].add(layer.code)
    return tuple(
        (program, count, duty[program], sorted(codes[program])) for program, count in lines.items()
    )
