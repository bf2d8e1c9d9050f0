"""The broker workbook (DOMAIN.md §4) as bytes: "Customs Lines" from the 192-column template in
`contracts.workbook_columns`, one row per component line, and the "Audit" tab.

Why xlsxwriter, not openpyxl: measured with `benchmarks/customs_calculation.py --openpyxl`
(10,000 invoice lines = 16,794 rows x 192 columns, shared 2-core dev box, CPU time), doing the
same work in both (row fills, only valued cells written, each with fill and number format, text
forced to text): xlsxwriter about 5 s for both tabs, openpyxl write-only about 13 s for the lines
tab alone, which misses the < 8 s goal. xlsxwriter also writes a `Decimal` exactly.
`constant_memory` streams each finished row to a temporary file: the same time as keeping the
sheet in memory, but a peak of ~7 MiB instead of ~120 MiB; rows are therefore written strictly
top to bottom.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Sequence
from decimal import Decimal
from operator import attrgetter
from typing import Any

import xlsxwriter

from contracts.datasets import Component, CustomsLineV1
from contracts.workbook_columns import (
    AUDIT_SHEET,
    CUSTOMS_LINES_COLUMNS,
    CUSTOMS_LINES_SHEET,
    ColumnSpec,
    ColumnType,
)
from services.customs_generation.audit_sheet import AuditInputs, write_audit_sheet
from services.customs_generation.results import CalculationResult
from services.customs_generation.workbook_cells import (
    CellFormats,
    cell_writer,
    write_header,
)

COMPONENT_FILLS: dict[Component, str | None] = {
    Component.STEEL: "#BDD7EE",
    Component.ALUMINUM: "#F8CBAD",
    Component.FULL: "#E2EFDA",
    Component.NON_METAL: None,
}
TOTALS_LABEL = "TOTAL"
_WORKBOOK_OPTIONS = {
    "constant_memory": True,
    "strings_to_formulas": False,
    "strings_to_numbers": False,
    "strings_to_urls": False,
}
_SOURCE_FIELD = re.compile(r"(?P<field>\w+)(?:\[(?P<index>\d+)\](?:\.(?P<item_field>\w+))?)?")

FieldReader = Callable[[CustomsLineV1], object]


def write_broker_workbook(result: CalculationResult, audit: AuditInputs) -> bytes:
    """The .xlsx file for the brokers."""
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, _WORKBOOK_OPTIONS)
    workbook.set_properties({"title": f"Customs lines {result.calc_id}"})
    formats = CellFormats(workbook)
    _write_customs_lines(workbook.add_worksheet(CUSTOMS_LINES_SHEET), result, formats)
    write_audit_sheet(workbook.add_worksheet(AUDIT_SHEET), result, audit, formats)
    workbook.close()
    return buffer.getvalue()


def field_reader(source_field: str) -> FieldReader:
    """A reader for a column's `source_field`: `name`, `name[i]` or `name[i].item_field`.

    An index past the end of the list reads None (a line with fewer duty layers than the
    template has Chapter 99 groups leaves the rest empty).
    """
    match = _SOURCE_FIELD.fullmatch(source_field)
    if match is None or match["field"] not in CustomsLineV1.model_fields:
        raise ValueError(f"source field {source_field!r} is not a CustomsLineV1 field path")
    read_field = attrgetter(match["field"])
    if match["index"] is None:
        return read_field
    index = int(match["index"])
    read_item = attrgetter(match["item_field"]) if match["item_field"] else None

    def read(line: CustomsLineV1) -> object:
        items: Sequence[object] = read_field(line)
        if index >= len(items):
            return None
        return items[index] if read_item is None else read_item(items[index])

    return read


def _write_customs_lines(sheet: Any, result: CalculationResult, formats: CellFormats) -> None:
    columns = CUSTOMS_LINES_COLUMNS
    for col, column in enumerate(columns):
        sheet.set_column(col, col, column.width)
    write_header(sheet, 0, (column.name for column in columns), formats.header)
    sheet.freeze_panes(1, 0)
    filled = [
        (
            col,
            field_reader(column.source_field),
            cell_writer(sheet, column.type),
            _formats_by_component(column, formats),
        )
        for col, column in enumerate(columns)
        if column.source_field is not None
    ]
    row_formats = {
        component: formats.cell(None, fill) for component, fill in COMPONENT_FILLS.items() if fill
    }
    lines = result.component_lines
    for row, line in enumerate(lines, start=1):
        component = line.component
        row_format = row_formats.get(component)
        if row_format is not None:
            sheet.set_row(row, None, row_format)
        for col, read, write, cell_formats in filled:
            value = read(line)
            if value is not None:
                write(row, col, value, cell_formats[component])
    sheet.autofilter(0, 0, len(lines), len(columns) - 1)
    _write_totals(sheet, len(lines) + 1, lines, formats)


def _formats_by_component(column: ColumnSpec, formats: CellFormats) -> dict[Component, Any]:
    return {
        component: formats.cell(column.type, fill) for component, fill in COMPONENT_FILLS.items()
    }


def _write_totals(
    sheet: Any, row: int, lines: Sequence[CustomsLineV1], formats: CellFormats
) -> None:
    """Sums computed in Decimal, below the filter range so sorting never moves them."""
    sheet.write_string(row, 0, TOTALS_LABEL, formats.cell(ColumnType.TEXT, bold=True))
    for col, column in enumerate(CUSTOMS_LINES_COLUMNS):
        if column.totalled and column.source_field is not None:
            read = field_reader(column.source_field)
            values = (read(line) for line in lines)
            total = sum((value for value in values if isinstance(value, Decimal)), Decimal(0))
            write = cell_writer(sheet, column.type)
            write(row, col, total, formats.cell(column.type, bold=True))
