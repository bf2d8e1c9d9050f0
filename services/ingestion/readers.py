"""Bytes → raw records, for the three ways an extract arrives (JSON push, CSV or XLSX upload).

Readers never validate a record's content (that is the feed model's job) and never read more than
the limits allow: a file beyond them is rejected without building every row in memory. Rows count
whether blank or not (a sheet of a million blank rows costs what a million rows cost), and an XLSX
is checked as an archive before openpyxl parses any of it (`workbook_archive`).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from decimal import Decimal, InvalidOperation
from typing import Any

from services.ingestion.errors import ExtractUnreadable
from services.ingestion.locations import FileFormat
from services.ingestion.workbook_archive import MAX_CELL_CHARS, MAX_COLUMNS, xlsx_rows

RawRecord = dict[str, Any]
# Longer integers are read as Decimal, which the feed types bound with a finding; `int()` of a
# 5,000-digit text would fail the whole file with Python's own message instead.
_MAX_INT_CHARS = 40


def _json_integer(text: str) -> int | Decimal:
    return int(text) if len(text) <= _MAX_INT_CHARS else Decimal(text)


def read_json_extract(body: bytes) -> dict[str, Any]:
    """An SAP push: the extract document, numbers as `Decimal` (never float)."""
    try:
        document = json.loads(body.decode("utf-8"), parse_float=Decimal, parse_int=_json_integer)
    except UnicodeDecodeError as exc:
        raise ExtractUnreadable(
            f"file is not UTF-8 text ({exc.reason} at byte {exc.start})"
        ) from exc
    except RecursionError as exc:
        raise ExtractUnreadable("JSON is nested too deeply to be an extract") from exc
    except InvalidOperation as exc:
        # Decimal cannot hold every exponent JSON can write, e.g. 1E-99999999999999999999.
        raise ExtractUnreadable("file holds a number whose exponent is out of range") from exc
    except ValueError as exc:
        raise ExtractUnreadable(f"file is not valid JSON: {exc}") from exc
    if not isinstance(document, dict):
        raise ExtractUnreadable("JSON must be an object with feed, extract_id, ... and records")
    records = document.get("records")
    if not isinstance(records, list):
        raise ExtractUnreadable("records must be a JSON list", field="records")
    return document


def read_table(body: bytes, file_format: FileFormat, max_records: int) -> list[RawRecord]:
    """A CSV/XLSX upload: one dict per data row, keyed by the header row."""
    rows = _csv_rows(body) if file_format is FileFormat.CSV else xlsx_rows(body)
    header = next(rows, None)
    if header is None:
        raise ExtractUnreadable("file is empty: expected a header row of field names")
    _check_row(1, header, max_records)
    names = [str(cell).strip() if cell is not None else "" for cell in header]
    if "" in names or len(set(names)) != len(names):
        raise ExtractUnreadable(
            "header row must name every column once", field="header", value=",".join(names)
        )
    records: list[RawRecord] = []
    for row_number, cells in enumerate(rows, start=2):
        _check_row(row_number, cells, max_records)
        if all(cell is None or cell == "" for cell in cells):
            continue
        records.append(_record(names, cells))
    return records


def _check_row(row_number: int, cells: tuple[Any, ...], max_records: int) -> None:
    if row_number > max_records + 1:
        raise ExtractUnreadable(
            f"file holds more than {max_records} records (blank rows count too); split it",
            field="records",
        )
    if len(cells) > MAX_COLUMNS:
        raise ExtractUnreadable(
            f"row {row_number} has {len(cells)} columns; at most {MAX_COLUMNS}", field="row"
        )
    for cell in cells:
        if isinstance(cell, str) and len(cell) > MAX_CELL_CHARS:
            raise ExtractUnreadable(
                f"row {row_number} has a cell of {len(cell)} characters; at most {MAX_CELL_CHARS}",
                field="row",
            )


def _record(names: list[str], cells: tuple[Any, ...]) -> RawRecord:
    # A row may end before the header does (a sheet read without its stated dimension, a CSV
    # row without trailing commas): the cells it leaves out are blank, not missing fields.
    record: RawRecord = {
        name: cells[index] if index < len(cells) else None for index, name in enumerate(names)
    }
    if len(cells) > len(names):
        # Kept so the record fails validation with a finding rather than losing cells silently.
        record["_extra_cells"] = [cell for cell in cells[len(names) :] if cell not in (None, "")]
    return record


def _csv_rows(body: bytes) -> Iterator[tuple[Any, ...]]:
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ExtractUnreadable(
            f"CSV is not UTF-8 text (byte 0x{body[exc.start]:02x} at position {exc.start}); "
            "save it as CSV UTF-8"
        ) from exc
    try:
        for row in csv.reader(io.StringIO(text, newline="")):
            yield tuple(row)
    except csv.Error as exc:
        raise ExtractUnreadable(f"CSV cannot be parsed: {exc}") from exc
