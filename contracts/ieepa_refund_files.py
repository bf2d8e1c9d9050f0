"""The IEEPA refund report as files a refund claim is prepared from: CSV and Excel. Pure.

One row per component line that paid IEEPA, its entered value once and each IEEPA program's
Chapter 99 number, rate and duty side by side, so that every column adds up without counting a
line twice. Entry totals and the grand total are a table of their own (the "Totals" sheet, the
`-totals.csv` file), never rows between the lines. Headers name the CBP Form 7501 block the
value is declared in, where there is one. `ior report ieepa-refunds` and the portal (its
`/refunds` page and `/api/ieepa-refunds/…`) write the same files through this module.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import xlsxwriter

from contracts.ieepa_refunds import IeepaEntry, IeepaLine, IeepaRefundReport

LINES_SHEET, TOTALS_SHEET = "IEEPA refund lines", "Totals"
GRAND_TOTAL = "Grand total"
_KEY_COLUMNS = (
    ("Entry Date (7501 block 7)", 12),
    ("Port Code (block 6)", 10),
    ("Invoice", 16),
    ("PO Number", 12),
    ("Invoice Line", 8),
    ("Component", 12),
    ("Material", 20),
    ("HTSUS No. (block 29)", 14),
    ("Entered Value USD (block 32)", 16),
)
_TOTAL_COLUMNS = (
    ("Entry Date (7501 block 7)", 12),
    ("Port Code (block 6)", 10),
    ("Invoice", 16),
    ("PO Number", 12),
    ("CALC-ID", 28),
    ("Entered Value USD (block 32)", 16),
    ("IEEPA Duty USD (block 34)", 16),
)
_FORMULA_STARTS = ("=", "+", "-", "@")
_MONEY, _RATE, _DATE = "#,##0.00", "0.00##", "yyyy-mm-dd"
_HEADER_POINTS = 63  # four wrapped lines: "IEEPA-RECIPROCAL Ch.99 No. (block 29)" in 14 characters


@dataclass(frozen=True)
class _Row:
    values: tuple[Any, ...]
    bold: bool = False


def to_csv(report: IeepaRefundReport) -> str:
    """One row per component line that paid IEEPA."""
    return _csv(_line_header(report), (row.values for row in _line_rows(report)))


def totals_to_csv(report: IeepaRefundReport) -> str:
    """One row per entry, then the grand total."""
    header = tuple(name for name, _ in _TOTAL_COLUMNS)
    return _csv(header, (row.values for row in _total_rows(report)))


def to_xlsx(report: IeepaRefundReport) -> bytes:
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
    formats = {
        "header": workbook.add_format({"bold": True, "text_wrap": True, "valign": "top"}),
        False: _value_formats(workbook, bold=False),
        True: _value_formats(workbook, bold=True),
    }
    programs = len(_programs(report))
    widths = [width for _, width in _KEY_COLUMNS] + [14, 12, 14] * programs + [16, 28]
    _sheet(
        workbook,
        LINES_SHEET,
        _line_header(report),
        widths=widths,
        rows=_line_rows(report),
        formats=formats,
    )
    _sheet(
        workbook,
        TOTALS_SHEET,
        tuple(name for name, _ in _TOTAL_COLUMNS),
        widths=[width for _, width in _TOTAL_COLUMNS],
        rows=_total_rows(report),
        formats=formats,
    )
    workbook.close()
    return buffer.getvalue()


def _programs(report: IeepaRefundReport) -> list[str]:
    return sorted({layer.program for entry in report.entries for layer in entry.lines})


def _line_header(report: IeepaRefundReport) -> tuple[str, ...]:
    per_program = (
        (f"{program} Ch.99 No. (block 29)", f"{program} Rate % (block 33)", f"{program} Duty USD")
        for program in _programs(report)
    )
    return (
        *(name for name, _ in _KEY_COLUMNS),
        *(name for names in per_program for name in names),
        "IEEPA Duty USD (block 34)",
        "CALC-ID",
    )


def _line_rows(report: IeepaRefundReport) -> Iterator[_Row]:
    programs = _programs(report)
    for entry in report.entries:
        for layers in _per_component_line(entry.lines):
            first = layers[0]
            by_program = {layer.program: layer for layer in layers}
            paid: list[Any] = []
            for program in programs:
                layer = by_program.get(program)
                paid += (None, None, None) if layer is None else _paid(layer)
            yield _Row(
                (
                    first.entry_date,
                    first.port_of_entry,
                    first.invoice_number,
                    first.po_number,
                    first.line_number,
                    first.component,
                    first.material,
                    first.hts_code,
                    first.entered_value_usd,
                    *paid,
                    sum((layer.duty_usd for layer in layers), Decimal(0)),
                    first.calc_id,
                )
            )


def _paid(layer: IeepaLine) -> tuple[str, Decimal, Decimal]:
    return layer.code, layer.rate_pct, layer.duty_usd


def _per_component_line(layers: Sequence[IeepaLine]) -> list[list[IeepaLine]]:
    grouped: dict[tuple[int, str], list[IeepaLine]] = {}
    for layer in layers:
        grouped.setdefault((layer.line_number, layer.component), []).append(layer)
    return list(grouped.values())


def _total_rows(report: IeepaRefundReport) -> Iterator[_Row]:
    for entry in report.entries:
        yield _Row(_entry_total(entry))
    yield _Row(
        (
            GRAND_TOTAL,
            None,
            _entries(len(report.entries)),
            None,
            None,
            report.entered_value_usd,
            report.duty_usd,
        ),
        bold=True,
    )


def _entry_total(entry: IeepaEntry) -> tuple[Any, ...]:
    port = entry.lines[0].port_of_entry if entry.lines else None
    return (
        entry.entry_date,
        port,
        entry.invoice_number,
        entry.po_number,
        entry.calc_id,
        entry.entered_value_usd,
        entry.duty_usd,
    )


def _entries(count: int) -> str:
    return f"{count} {'entry' if count == 1 else 'entries'}"


def _csv(header: Sequence[str], rows: Iterator[tuple[Any, ...]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([_csv_cell(value) for value in row])
    return buffer.getvalue()


def _csv_cell(value: Any) -> Any:
    # A spreadsheet opening the CSV would evaluate text beginning with = + - @ as a formula.
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return "" if value is None else value


def _value_formats(workbook: Any, *, bold: bool) -> dict[str, Any]:
    return {
        kind: workbook.add_format({"bold": bold, **({"num_format": fmt} if fmt else {})})
        for kind, fmt in (("money", _MONEY), ("rate", _RATE), ("date", _DATE), ("plain", None))
    } | {"text": workbook.add_format({"bold": bold, "indent": 1})}


def _sheet(
    workbook: Any,
    name: str,
    header: Sequence[str],
    *,
    widths: Sequence[float],
    rows: Iterator[_Row],
    formats: dict[Any, Any],
) -> None:
    sheet = workbook.add_worksheet(name)
    for col, width in enumerate(widths):
        sheet.set_column(col, col, width)
    sheet.set_row(0, _HEADER_POINTS)
    for col, title in enumerate(header):
        sheet.write_string(0, col, title, formats["header"])
    row_number = 1
    last_filtered = 1
    for row in rows:
        if row.bold:
            row_number += 1  # a blank row sets the grand total apart, outside the filter
        else:
            last_filtered = row_number
        for col, value in enumerate(row.values):
            _write(sheet, (row_number, col), value, header[col], formats[row.bold])
        row_number += 1
    sheet.freeze_panes(1, 0)
    sheet.autofilter(0, 0, last_filtered, len(header) - 1)
    sheet.set_landscape()
    sheet.fit_to_pages(1, 0)
    sheet.repeat_rows(0)


def _write(
    sheet: Any, cell: tuple[int, int], value: Any, title: str, formats: dict[str, Any]
) -> None:
    if value is None:
        return
    if isinstance(value, date):
        sheet.write_datetime(*cell, value, formats["date"])
    elif isinstance(value, Decimal):
        sheet.write_number(*cell, value, formats["rate" if "Rate" in title else "money"])
    elif isinstance(value, int):
        sheet.write_number(*cell, value, formats["plain"])
    else:
        # Indented: left-aligned text next to a right-aligned number would read as one value.
        sheet.write_string(*cell, value, formats["text"])
