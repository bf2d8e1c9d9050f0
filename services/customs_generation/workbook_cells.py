"""Typed cell writing shared by both tabs of the broker workbook.

Every cell is written with the xlsxwriter call for its type, never the guessing `write()`: text
goes through `write_string`, so a description or customer that begins with `=`, `+`, `-` or `@`
stays text and can never become a formula (DOMAIN.md §4). Money and weights are written from the
`Decimal` itself; xlsxwriter formats it into the XML without a float detour.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, cast

from contracts.workbook_columns import NUMBER_FORMATS, ColumnType

HEADER_FILL = "#1F3864"


class CellFormats:
    """xlsxwriter formats, created once per (type, fill, bold) and shared by all cells."""

    def __init__(self, workbook: Any) -> None:
        self._workbook = workbook
        self._cache: dict[tuple[ColumnType | None, str | None, bool], Any] = {}
        self.header = workbook.add_format(
            {"bold": True, "font_color": "#FFFFFF", "bg_color": HEADER_FILL, "text_wrap": True}
        )
        self.title = workbook.add_format({"bold": True, "font_size": 12})

    def cell(
        self, column_type: ColumnType | None, fill: str | None = None, bold: bool = False
    ) -> Any:
        """A format with the column type's number format (None: fill only, for a whole row)."""
        key = (column_type, fill, bold)
        cell_format = self._cache.get(key)
        if cell_format is None:
            properties: dict[str, object] = {"bold": bold}
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
