"""Bytes → raw records, for the three ways an extract arrives (JSON push, CSV or XLSX upload).

Readers never validate a record's content (that is the feed model's job) and never read more than
`max_records` rows: a file beyond the limit is rejected without building every row in memory.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections.abc import Iterator
from decimal import Decimal, InvalidOperation
from typing import Any

from openpyxl import load_workbook

from services.ingestion.errors import ExtractUnreadable
from services.ingestion.locations import FileFormat

RawRecord = dict[str, Any]


def read_json_extract(body: bytes) -> dict[str, Any]:
    """An SAP push: the extract document, numbers as `Decimal` (never float)."""
    try:
        document = json.loads(body.decode("utf-8"), parse_float=Decimal)
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
    rows = _csv_rows(body) if file_format is FileFormat.CSV else _xlsx_rows(body)
    header = next(rows, None)
    if header is None:
        raise ExtractUnreadable("file is empty: expected a header row of field names")
    names = [str(cell).strip() if cell is not None else "" for cell in header]
    if "" in names or len(set(names)) != len(names):
        raise ExtractUnreadable(
            "header row must name every column once", field="header", value=",".join(names)
        )
    records: list[RawRecord] = []
    for cells in rows:
        if all(cell is None or cell == "" for cell in cells):
            continue
        if len(records) == max_records:
            raise ExtractUnreadable(
                f"file holds more than {max_records} records; split it", field="records"
            )
        records.append(_record(names, cells))
    return records


def _record(names: list[str], cells: tuple[Any, ...]) -> RawRecord:
    record: RawRecord = dict(zip(names, cells, strict=False))
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


def _xlsx_rows(body: bytes) -> Iterator[tuple[Any, ...]]:
    try:
        workbook = load_workbook(io.BytesIO(body), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise ExtractUnreadable(f"file is not a readable .xlsx workbook: {exc}") from exc
    try:
        sheet = workbook.worksheets[0]
        yield from sheet.iter_rows(values_only=True)
    finally:
        workbook.close()
