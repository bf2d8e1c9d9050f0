"""Typed cell writing shared by both tabs of the broker workbook.

Every cell is written with the xlsxwriter call for its type, never the guessing `write()`: text
goes through `write_string`, so a description or customer that begins with `=`, `+`, `-` or `@`
stays text and can never become a formula (DOMAIN.md §4). Money and weights are written from the
`Decimal` itself; xlsxwriter formats it into the XML without a float detour.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Iterable
from typing import Any, cast

from contracts.workbook_columns import NUMBER_FORMATS, ColumnType
from services.customs_generation.row_colours import BROKER_HEADER_FILL, IOR_HEADER_FILL

# A bold header character is about 1.1 default character widths; a line of text is 15 points.
_BOLD_CHAR_WIDTH = 1.1
_LINE_POINTS = 15
_WIDE_SHEET_SCALE = 70


class CellFormats:
    """xlsxwriter formats, created once per (type, fill, bold) and shared by all cells."""

    def __init__(self, workbook: Any) -> None:
        self._workbook = workbook
        self._cache: dict[tuple[ColumnType | None, str | None, bool, bool], Any] = {}
        header = {"bold": True, "text_wrap": True, "valign": "top", "border": 1}
        self.header = workbook.add_format(
            {**header, "font_color": "#FFFFFF", "bg_color": IOR_HEADER_FILL}
        )
        self.broker_header = workbook.add_format({**header, "bg_color": BROKER_HEADER_FILL})
        self.title = workbook.add_format({"bold": True, "font_size": 12})

    def cell(
        self,
        column_type: ColumnType | None,
        fill: str | None = None,
        bold: bool = False,
        indent: bool = False,
    ) -> Any:
        """A format with the column type's number format (None: fill only, for a whole row);
        `indent` keeps left-aligned text off a right-aligned number in the cell before it."""
        key = (column_type, fill, bold, indent)
        cell_format = self._cache.get(key)
        if cell_format is None:
            properties: dict[str, object] = {"bold": bold, "indent": 1 if indent else 0}
            if column_type is not None:
                properties["num_format"] = NUMBER_FORMATS[column_type]
            if fill is not None:
                properties.update({"pattern": 1, "bg_color": fill})
            cell_format = self._workbook.add_format(properties)
            self._cache[key] = cell_format
        return cell_format


CellWriter = Callable[[int, int, Any, Any], object]
"""Writes (row, col, value, format): one xlsxwriter call chosen by the column type."""


def cell_writer(sheet: Any, column_type: ColumnType) -> CellWriter:
    """The write call for a column type, chosen once per column rather than once per cell."""
    if column_type is ColumnType.TEXT:
        write_string = sheet.write_string

        def write_text(row: int, col: int, value: Any, cell_format: Any) -> object:
            return write_string(
                row, col, value if type(value) is str else as_text(value), cell_format
            )

        return write_text
    if column_type is ColumnType.DATE:
        return cast(CellWriter, sheet.write_datetime)
    return cast(CellWriter, sheet.write_number)


def as_text(value: object) -> str:
    """Lists (Chapter 99 codes) become one comma-separated cell; enums their value."""
    if isinstance(value, str):
        return str(value)
    if isinstance(value, Iterable):
        return ", ".join(str(item) for item in value)
    return str(value)


def write_header(sheet: Any, row: int, names: Iterable[str], cell_format: Any) -> None:
    for col, name in enumerate(names):
        sheet.write_string(row, col, name, cell_format)


def header_height(names_and_widths: Iterable[tuple[str, float]]) -> float:
    """Points for a header row whose wrapped names all show whole: the most lines any name needs
    in its column width (words kept whole, as Excel and LibreOffice wrap them)."""
    lines = (
        len(textwrap.wrap(name, max(int(width / _BOLD_CHAR_WIDTH) - 1, 1)))
        for name, width in names_and_widths
    )
    return _LINE_POINTS * max(lines, default=1) + 3


def print_setup(sheet: Any, title: str, repeat_columns: int | None = None) -> None:
    """Landscape, `title` (CALC-ID and entry dates) at the top of each printed page.

    A narrow sheet of sections (the Audit tab) is fitted to one page wide. A wide table
    (`repeat_columns` given: the 192-column lines tab) is not: fitted, its text shrinks to a few
    points; it prints across pages at a readable scale instead, its header row at the top and its
    `repeat_columns` identifying columns at the left of every page.
    """
    sheet.set_landscape()
    if repeat_columns is not None:
        sheet.repeat_rows(0)
        sheet.repeat_columns(0, repeat_columns - 1)
        sheet.set_print_scale(_WIDE_SHEET_SCALE)
        sheet.print_across()
    else:
        sheet.fit_to_pages(1, 0)
    sheet.set_header(f"&L&B{_escaped(title)}&RPage &P of &N")


def _escaped(text: str) -> str:
    # `&` starts a control code in an Excel page header.
    return text.replace("&", "&&")
