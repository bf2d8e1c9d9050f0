"""The comparison report as a small Excel file, one sheet per question. Pure.

"Summary": the counts, tolerances and SAP sources in words. "Discrepancies": one row per field
out of tolerance, the FAIL rows filled and the two differing values in a stronger colour.
"One side only": lines only we or only SAP declared, with the values that side has. "Passed":
the lines that matched. Money is shown with 2 decimals, weights with 3, stored as numbers.

Every text cell goes through `write_string`, so a value SAP sent that begins with `=`, `+`, `-` or
`@` stays text and never becomes a formula (DOMAIN.md §4). The creation time is fixed so identical
results give identical bytes (the event carries the file's SHA-256).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

import xlsxwriter

from services.comparison.config import COMPARED_FIELDS, ComparisonConfig
from services.comparison.report import SapSource, summary
from services.comparison.results import ComparisonResult, LineKey

SUMMARY_SHEET = "Summary"
DISCREPANCIES_SHEET = "Discrepancies"
ONE_SIDED_SHEET = "One side only"
PASSED_SHEET = "Passed"
KEY_COLUMNS = ("Invoice", "Line", "Component")
DISCREPANCY_COLUMNS = (*KEY_COLUMNS, "Result", "Field", "Ours", "SAP", "Delta (SAP - ours)")
FIELD_LABELS = {
    "material": "Material",
    "hts_code": "HTS number",
    "country_of_origin": "Country of origin",
    "net_weight_kg": "Net weight (kg)",
    "entered_value_usd": "Entered value (USD)",
    "duty_usd": "Duty (USD)",
}
ONE_SIDED_COLUMNS = (*KEY_COLUMNS, "Declared by", *(FIELD_LABELS[f] for f in COMPARED_FIELDS))
SUMMARY_LABELS = {
    "result": "Result",
    "compared": "Lines compared",
    "passed": "Passed",
    "failed": "Failed",
    "ours_only": "Only in our lines",
    "theirs_only": "Only in SAP's lines (ZSDR002)",
    "held_back": "SAP's lines of lines ior did not declare",
    "awaiting_sap_invoices": "Invoices awaiting SAP's lines",
    "awaiting_sap_lines": "Our lines awaiting SAP's lines",
}
_NUMBER_FORMATS = {"net_weight_kg": "#,##0.000", "entered_value_usd": "#,##0.00"}
_NUMBER_FORMATS["duty_usd"] = _NUMBER_FORMATS["entered_value_usd"]
FAIL_FILL, DIFFERING_FILL = "#FCE4D6", "#F4B084"
_KEY_WIDTHS = (18, 6, 12)
_FIXED_CREATED = datetime(2026, 1, 1)


class _Formats:
    def __init__(self, workbook: Any) -> None:
        self.header = workbook.add_format({"bold": True, "bottom": 1, "text_wrap": True})
        self.label = workbook.add_format({"bold": True})
        self.fail = workbook.add_format({"bg_color": FAIL_FILL})
        self._workbook = workbook
        self._numbers: dict[tuple[str, str | None], Any] = {}

    def number(self, field: str, fill: str | None = None) -> Any:
        key = (field, fill)
        if key not in self._numbers:
            properties: dict[str, object] = {"num_format": _NUMBER_FORMATS.get(field, "General")}
            if fill:
                properties["bg_color"] = fill
            self._numbers[key] = self._workbook.add_format(properties)
        return self._numbers[key]


def comparison_workbook(
    result: ComparisonResult, sap_sources: Sequence[SapSource], config: ComparisonConfig
) -> bytes:
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
    workbook.set_properties({"title": f"Comparison {result.calc_id}", "created": _FIXED_CREATED})
    formats = _Formats(workbook)
    _summary_sheet(workbook.add_worksheet(SUMMARY_SHEET), result, sap_sources, config, formats)
    _discrepancies_sheet(workbook.add_worksheet(DISCREPANCIES_SHEET), result, formats)
    _one_sided_sheet(workbook.add_worksheet(ONE_SIDED_SHEET), result, formats)
    _passed_sheet(workbook.add_worksheet(PASSED_SHEET), result, formats)
    workbook.close()
    return buffer.getvalue()


def _summary_sheet(
    sheet: Any,
    result: ComparisonResult,
    sap_sources: Sequence[SapSource],
    config: ComparisonConfig,
    formats: _Formats,
) -> None:
    rows: list[tuple[str, str | int]] = [("CALC-ID", result.calc_id)]
    rows += [(SUMMARY_LABELS[name], value) for name, value in summary(result).items()]
    rows += [
        (f"Tolerance: {FIELD_LABELS[name].lower()}", t.describe())
        for name, t in config.tolerances.items()
    ]
    rows += [(f"SAP lines of invoice {s.invoice_number}", s.extract_id) for s in sap_sources]
    rows += [("Awaiting SAP's lines", invoice) for invoice in result.awaiting_sap]
    for row, (label, value) in enumerate(rows):
        sheet.write_string(row, 0, label, formats.label)
        if isinstance(value, int):
            sheet.write_number(row, 1, value)
        else:
            sheet.write_string(row, 1, value)
    sheet.set_column(0, 0, max(len(label) for label, _ in rows) + 2)
    sheet.set_column(1, 1, 30)
    sheet.fit_to_pages(1, 0)  # labels and values on one printed page


def _discrepancies_sheet(sheet: Any, result: ComparisonResult, formats: _Formats) -> None:
    _header(sheet, DISCREPANCY_COLUMNS, formats)
    row = 1
    for line in result.failures:
        for found in line.discrepancies:
            sheet.set_row(row, None, formats.fail)
            _write_key(sheet, row, line.key)
            sheet.write_string(row, 3, "FAIL", formats.fail)
            sheet.write_string(row, 4, FIELD_LABELS[found.field], formats.fail)
            differing = formats.number(found.field, DIFFERING_FILL)
            _write_value(sheet, (row, 5), found.field, found.ours, differing)
            _write_value(sheet, (row, 6), found.field, found.theirs, differing)
            if found.delta is not None:
                sheet.write_number(row, 7, found.delta, formats.number(found.field, FAIL_FILL))
            row += 1
    _finish_table(sheet, row, DISCREPANCY_COLUMNS, (8, 20, 20, 20, 18))


def _one_sided_sheet(sheet: Any, result: ComparisonResult, formats: _Formats) -> None:
    _header(sheet, ONE_SIDED_COLUMNS, formats)
    row = 1
    for side, lines in (
        ("ior only", result.ours_only),
        ("SAP only", result.theirs_only),
        ("SAP only: ior held it back", result.held_back),
    ):
        for line in lines:
            _write_key(sheet, row, line.key)
            sheet.write_string(row, 3, side if line.reason is None else f"{side} ({line.reason})")
            values = dict(line.values)
            for col, field in enumerate(COMPARED_FIELDS, start=4):
                if field in values:
                    _write_value(sheet, (row, col), field, values[field], formats.number(field))
            row += 1
    _finish_table(sheet, row, ONE_SIDED_COLUMNS, (10, 20, 12, 10, 14, 16, 14))


def _passed_sheet(sheet: Any, result: ComparisonResult, formats: _Formats) -> None:
    _header(sheet, KEY_COLUMNS, formats)
    passed = [line for line in result.lines if not line.discrepancies]
    for row, line in enumerate(passed, start=1):
        _write_key(sheet, row, line.key)
    _finish_table(sheet, len(passed) + 1, KEY_COLUMNS, ())


def _header(sheet: Any, columns: Sequence[str], formats: _Formats) -> None:
    for col, name in enumerate(columns):
        sheet.write_string(0, col, name, formats.header)


def _finish_table(sheet: Any, rows: int, columns: Sequence[str], widths: Sequence[float]) -> None:
    for col, width in enumerate((*_KEY_WIDTHS, *widths)):
        sheet.set_column(col, col, width)
    sheet.freeze_panes(1, len(KEY_COLUMNS))
    sheet.autofilter(0, 0, max(rows - 1, 1), len(columns) - 1)
    sheet.set_landscape()
    sheet.fit_to_pages(1, 0)
    sheet.repeat_rows(0)


def _write_value(
    sheet: Any, cell: tuple[int, int], field: str, text: str, cell_format: Any
) -> None:
    """A compared value as a number when it is one (weights, money), else as text."""
    if field in _NUMBER_FORMATS:
        try:
            sheet.write_number(*cell, Decimal(text), cell_format)
            return
        except InvalidOperation:
            pass  # not a number after all: shown as SAP sent it
    sheet.write_string(*cell, text, cell_format)


def _write_key(sheet: Any, row: int, key: LineKey) -> None:
    sheet.write_string(row, 0, key.invoice_number)
    sheet.write_number(row, 1, key.line_number)
    sheet.write_string(row, 2, str(key.component))
