"""An uploaded .xlsx read within bounds: a workbook is a zip of XML parts, and both layers can be
made hostile (a zip bomb, a shared-strings part that unpacks to gigabytes, an XML entity that
expands a billion times or reads a local file, a cell at column XFD that pads every row to 16,384
cells, a million blank rows).

So before openpyxl parses anything, the archive's declared sizes are checked (zipfile never
unpacks a member beyond its declared size: it fails the CRC first) and every XML part is scanned
for a document type declaration, which no workbook needs and every entity attack requires. While
the sheet is read, the caller counts rows and columns (`readers.read_table`); openpyxl's own
dimensions are ignored, because the file states them.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from typing import IO, Any

from openpyxl import load_workbook

from services.ingestion.errors import ExtractUnreadable

MB = 1024 * 1024
MAX_UNPACKED_BYTES = 64 * MB
"""All parts of a workbook together, unpacked."""
MAX_SHARED_STRINGS_BYTES = 16 * MB
"""openpyxl keeps every shared string in memory while the sheet is read."""
MAX_COLUMNS = 64
"""A feed has fewer than 20 fields; the rest is room for notes beside them."""
MAX_CELL_CHARS = 32_767
"""Excel's own limit for the text of one cell."""

_CHUNK_BYTES = MB
_DECLARATIONS = (b"<!DOCTYPE", b"<!ENTITY")
_OVERLAP = max(len(marker) for marker in _DECLARATIONS) - 1
_XML_PARTS = (".xml", ".rels", ".vml")


def xlsx_rows(body: bytes) -> Iterator[tuple[Any, ...]]:
    """The rows of the first sheet, as openpyxl reads them; `ExtractUnreadable` for a file that is
    not a workbook, breaks the bounds, or whose XML openpyxl cannot parse."""
    check_archive(body)
    try:
        workbook = load_workbook(io.BytesIO(body), read_only=True, data_only=True)
    except Exception as exc:  # a broken part makes openpyxl raise anything from KeyError to XML
        raise ExtractUnreadable(f"file is not a readable .xlsx workbook: {exc}") from exc
    try:
        yield from _sheet_rows(workbook)
    finally:
        workbook.close()


def _sheet_rows(workbook: Any) -> Iterator[tuple[Any, ...]]:
    try:
        sheet = workbook.worksheets[0]
        # The stated dimensions would pad every row to the widest column and stop at the stated
        # last row; without them each row is as wide as its own cells and no row is left out.
        sheet.reset_dimensions()
        rows = iter(sheet.iter_rows(values_only=True))
    except Exception as exc:
        raise ExtractUnreadable(f"workbook has no readable first sheet: {exc}") from exc
    while True:
        try:
            row = next(rows, None)
        except Exception as exc:  # malformed sheet XML, a shared string index out of range, ...
            raise ExtractUnreadable(f"sheet cannot be read: {exc}") from exc
        if row is None:
            return
        yield tuple(row)


def check_archive(body: bytes) -> None:
    """`ExtractUnreadable` unless `body` is a zip whose parts unpack within the bounds and whose
    XML declares no document type."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(body))
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise ExtractUnreadable(f"file is not a readable .xlsx workbook: {exc}") from exc
    with archive:
        parts = archive.infolist()
        unpacked = sum(part.file_size for part in parts)
        if unpacked > MAX_UNPACKED_BYTES:
            raise ExtractUnreadable(
                f"workbook unpacks to {unpacked} bytes, over the limit of {MAX_UNPACKED_BYTES};"
                " split it"
            )
        for part in parts:
            if part.filename.lower().endswith("sharedstrings.xml") and (
                part.file_size > MAX_SHARED_STRINGS_BYTES
            ):
                raise ExtractUnreadable(
                    f"workbook's shared strings unpack to {part.file_size} bytes, over the limit"
                    f" of {MAX_SHARED_STRINGS_BYTES}; split it"
                )
            if part.filename.lower().endswith(_XML_PARTS):
                try:
                    with archive.open(part) as xml:
                        _check_xml(part.filename, xml)
                except (zipfile.BadZipFile, ValueError, OSError, EOFError) as exc:
                    raise ExtractUnreadable(
                        f"workbook part {part.filename} cannot be unpacked: {exc}"
                    ) from exc


def _check_xml(name: str, xml: IO[bytes]) -> None:
    first = xml.read(_CHUNK_BYTES)
    # A part in UTF-16 or UTF-32 would hide its declarations from a byte scan; Excel writes UTF-8.
    if first.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in first:
        raise ExtractUnreadable(f"workbook part {name} is not UTF-8 XML")
    tail = b""
    chunk = first
    while chunk:
        window = tail + chunk
        if any(marker in window for marker in _DECLARATIONS):
            raise ExtractUnreadable(
                f"workbook part {name} declares a document type or entities, which a workbook"
                " never needs: save the file again from Excel"
            )
        tail = window[-_OVERLAP:]
        chunk = xml.read(_CHUNK_BYTES)
