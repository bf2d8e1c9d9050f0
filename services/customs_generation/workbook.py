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
from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal
from operator import attrgetter
from typing import Any

import xlsxwriter

from contracts.datasets import CustomsLineV1, NormalizedInvoiceLine
from contracts.workbook_columns import (
    AUDIT_SHEET,
    CUSTOMS_LINES_COLUMNS,
    CUSTOMS_LINES_SHEET,
    IDENTITY_COLUMNS,
    ColumnSpec,
    ColumnType,
)
from services.customs_generation.audit_sheet import AuditInputs, write_audit_sheet
from services.customs_generation.results import CalculationResult
from services.customs_generation.row_colours import ROW_FILLS, RowKind, row_kind
from services.customs_generation.workbook_cells import (
    CellFormats,
    cell_writer,
    header_height,
    print_setup,
)

TOTALS_LABEL = "TOTAL"
_WORKBOOK_OPTIONS = {
    "constant_memory": True,
    "strings_to_formulas": False,
    "strings_to_numbers": False,
    "strings_to_urls": False,
}
_SOURCE_FIELD = re.compile(r"(?P<field>\w+)(?:\[(?P<index>\d+)\](?:\.(?P<item_field>\w+))?)?")

FieldReader = Callable[[CustomsLineV1], object]
InvoiceKey = tuple[str, int]


def write_broker_workbook(
    result: CalculationResult,
    audit: AuditInputs,
    invoice_lines: Iterable[NormalizedInvoiceLine] = (),
) -> bytes:
    """The .xlsx file for the brokers; `invoice_lines` are the ZEMM004 lines the calculation
    read, for the columns a customs line does not carry (currency, transport mode, seller)."""
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, _WORKBOOK_OPTIONS)
    workbook.set_properties({"title": f"Customs lines {result.calc_id}"})
    formats = CellFormats(workbook)
    by_key = {(line.invoice_number, line.line_number): line for line in invoice_lines}
    lines_sheet = workbook.add_worksheet(CUSTOMS_LINES_SHEET)
    _write_customs_lines(lines_sheet, result, by_key, formats)
    audit_sheet = workbook.add_worksheet(AUDIT_SHEET)
    write_audit_sheet(audit_sheet, result, audit, formats)
    print_setup(audit_sheet, _print_title(result))
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


def invoice_reader(
    invoice_field: str, by_key: dict[InvoiceKey, NormalizedInvoiceLine]
) -> FieldReader:
    """A reader for an `invoice_field`: the field of the invoice line the component came from
    (None when the writer was not given that line)."""
    if invoice_field not in NormalizedInvoiceLine.model_fields:
        raise ValueError(f"invoice field {invoice_field!r} is not a NormalizedInvoiceLine field")
    read_field = attrgetter(invoice_field)

    def read(line: CustomsLineV1) -> object:
        invoice_line = by_key.get((line.invoice_number, line.line_number))
        return None if invoice_line is None else read_field(invoice_line)

    return read


def _reader(column: ColumnSpec, by_key: dict[InvoiceKey, NormalizedInvoiceLine]) -> FieldReader:
    if column.source_field is not None:
        return field_reader(column.source_field)
    assert column.invoice_field is not None  # callers pass filled columns only
    return invoice_reader(column.invoice_field, by_key)


def _write_customs_lines(
    sheet: Any,
    result: CalculationResult,
    by_key: dict[InvoiceKey, NormalizedInvoiceLine],
    formats: CellFormats,
) -> None:
    columns = CUSTOMS_LINES_COLUMNS
    for col, column in enumerate(columns):
        sheet.set_column(col, col, column.width)
    sheet.set_row(0, header_height((column.name, column.width) for column in columns))
    for col, column in enumerate(columns):
        header = formats.broker_header if column.filled_by_broker else formats.header
        sheet.write_string(0, col, column.name, header)
    # Invoice, line, component and material stay in view while the other columns scroll.
    sheet.freeze_panes(1, IDENTITY_COLUMNS)
    print_setup(sheet, _print_title(result), repeat_columns=IDENTITY_COLUMNS)
    filled = [
        (
            col,
            _reader(column, by_key),
            cell_writer(sheet, column.type),
            _formats_by_kind(column, formats),
        )
        for col, column in enumerate(columns)
        if not column.filled_by_broker
    ]
    row_formats = {kind: formats.cell(None, fill) for kind, fill in ROW_FILLS.items() if fill}
    lines = result.component_lines
    for row, line in enumerate(lines, start=1):
        kind = row_kind(line)
        row_format = row_formats.get(kind)
        if row_format is not None:
            sheet.set_row(row, None, row_format)
        for col, read, write, cell_formats in filled:
            value = read(line)
            if value is not None:
                write(row, col, value, cell_formats[kind])
    sheet.autofilter(0, 0, len(lines), len(columns) - 1)
    _write_totals(sheet, len(lines) + 1, lines, formats)


def _formats_by_kind(column: ColumnSpec, formats: CellFormats) -> dict[RowKind, Any]:
    return {kind: formats.cell(column.type, fill) for kind, fill in ROW_FILLS.items()}


def _write_totals(
    sheet: Any, row: int, lines: Sequence[CustomsLineV1], formats: CellFormats
) -> None:
    """Sums computed in Decimal, below the filter range so sorting never moves them; only the
    columns whose sum means something (`ColumnSpec.totalled`)."""
    sheet.write_string(row, 0, TOTALS_LABEL, formats.cell(ColumnType.TEXT, bold=True))
    for col, column in enumerate(CUSTOMS_LINES_COLUMNS):
        if column.totalled and column.source_field is not None:
            read = field_reader(column.source_field)
            values = (read(line) for line in lines)
            total = sum((value for value in values if isinstance(value, Decimal)), Decimal(0))
            write = cell_writer(sheet, column.type)
            write(row, col, total, formats.cell(column.type, bold=True))


def _print_title(result: CalculationResult) -> str:
    dates = sorted({line.entry_date for line in result.component_lines})
    if not dates:
        return result.calc_id
    if dates[0] == dates[-1]:
        return f"{result.calc_id}, entry date {dates[0].isoformat()}"
    return f"{result.calc_id}, entry dates {dates[0].isoformat()} to {dates[-1].isoformat()}"
