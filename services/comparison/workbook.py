"""The comparison report as a small Excel file: a summary tab and a discrepancies tab. Pure.

Every text cell goes through `write_string`, so a value SAP sent that begins with `=`, `+`, `-` or
`@` stays text and never becomes a formula (DOMAIN.md §4). The creation time is fixed so identical
results give identical bytes (the event carries the file's SHA-256).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import xlsxwriter

from services.comparison.config import ComparisonConfig
from services.comparison.report import SapSource, summary
from services.comparison.results import ComparisonResult, LineKey, OneSidedLine

SUMMARY_SHEET = "Summary"
DISCREPANCIES_SHEET = "Discrepancies"
DISCREPANCY_COLUMNS = ("Invoice", "Line", "Component", "Issue", "Field", "Ours", "SAP", "Delta")
_FIXED_CREATED = datetime(2026, 1, 1)


def comparison_workbook(
    result: ComparisonResult, sap_sources: Sequence[SapSource], config: ComparisonConfig
) -> bytes:
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
    workbook.set_properties({"title": f"Comparison {result.calc_id}", "created": _FIXED_CREATED})
    bold = workbook.add_format({"bold": True})
    _summary_sheet(workbook.add_worksheet(SUMMARY_SHEET), result, sap_sources, config, bold)
    _discrepancies_sheet(workbook.add_worksheet(DISCREPANCIES_SHEET), result, bold)
    workbook.close()
    return buffer.getvalue()


def _summary_sheet(
    sheet: Any,
    result: ComparisonResult,
    sap_sources: Sequence[SapSource],
    config: ComparisonConfig,
    bold: Any,
) -> None:
    rows: list[tuple[str, str | int]] = [("CALC-ID", result.calc_id)]
    rows += [(name.replace("_", " "), value) for name, value in summary(result).items()]
    rows += [("tolerance " + name, t.describe()) for name, t in config.tolerances.items()]
    rows += [("SAP " + s.invoice_number, s.extract_id) for s in sap_sources]
    rows += [("awaiting SAP", invoice) for invoice in result.awaiting_sap]
    for row, (label, value) in enumerate(rows):
        sheet.write_string(row, 0, label, bold)
        if isinstance(value, int):
            sheet.write_number(row, 1, value)
        else:
            sheet.write_string(row, 1, value)
    sheet.set_column(0, 0, 28)
    sheet.set_column(1, 1, 30)


def _discrepancies_sheet(sheet: Any, result: ComparisonResult, bold: Any) -> None:
    for col, name in enumerate(DISCREPANCY_COLUMNS):
        sheet.write_string(0, col, name, bold)
    row = 1
    for line in result.failures:
        for found in line.discrepancies:
            _write_key(sheet, row, line.key, "FAIL")
            sheet.write_string(row, 4, found.field)
            sheet.write_string(row, 5, found.ours)
            sheet.write_string(row, 6, found.theirs)
            if found.delta is not None:
                sheet.write_number(row, 7, found.delta)
            row += 1
    for issue, lines in (("OURS ONLY", result.ours_only), ("SAP ONLY", result.theirs_only)):
        row = _write_one_sided(sheet, row, issue, lines)
    sheet.freeze_panes(1, 0)
    sheet.autofilter(0, 0, max(row - 1, 1), len(DISCREPANCY_COLUMNS) - 1)
    sheet.set_column(0, 0, 16)
    sheet.set_column(4, 6, 18)


def _write_one_sided(sheet: Any, row: int, issue: str, lines: Sequence[OneSidedLine]) -> int:
    for line in lines:
        _write_key(sheet, row, line.key, issue)
        row += 1
    return row


def _write_key(sheet: Any, row: int, key: LineKey, issue: str) -> None:
    sheet.write_string(row, 0, key.invoice_number)
    sheet.write_number(row, 1, key.line_number)
    sheet.write_string(row, 2, str(key.component))
    sheet.write_string(row, 3, issue)
