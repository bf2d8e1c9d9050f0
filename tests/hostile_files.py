"""Hostile files, generated (never committed): workbooks whose zip or XML is made to attack the
reader, and extracts whose values are made to break what comes after ingestion. Shared by the
embedded-emulator suite (`tests/integration/test_hostile_inputs.py`) and the LocalStack one."""

from __future__ import annotations

import io
import json
import zipfile
from xml.sax.saxutils import escape

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
SHEET = "xl/worksheets/sheet1.xml"
SHARED_STRINGS = "xl/sharedStrings.xml"
CUSTOMER_FIELDS = ("customer_id", "name", "aliases", "country", "city", "active")
CUSTOMER_ROW = ("0000100001", "Acme Furniture Inc", "ACME", "US", "Dallas", "true")


def _base_workbook() -> dict[str, bytes]:
    """The parts of a one-sheet workbook with a ZSDR010 header and one customer, as Excel-like
    software writes it (openpyxl), with its strings shared."""
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(CUSTOMER_FIELDS)
    sheet.append(CUSTOMER_ROW)
    buffer = io.BytesIO()
    workbook.save(buffer)
    with zipfile.ZipFile(buffer) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def workbook_with(parts: dict[str, bytes]) -> bytes:
    """A valid customer workbook with `parts` replaced or added."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, body in (_base_workbook() | parts).items():
            archive.writestr(name, body)
    return buffer.getvalue()


def cell(reference: str, text: str) -> str:
    return f'<c r="{reference}" t="inlineStr"><is><t>{escape(text)}</t></is></c>'


def sheet_xml(rows: dict[int, str], doctype: str = "") -> bytes:
    """A worksheet part with each row number's cells (inline strings, no shared strings)."""
    body = "".join(f'<row r="{number}">{cells}</row>' for number, cells in sorted(rows.items()))
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>{doctype}'
        f'<worksheet xmlns="{MAIN_NS}"><sheetData>{body}</sheetData></worksheet>'
    ).encode()


def header_cells() -> str:
    return "".join(cell(f"{chr(65 + i)}1", name) for i, name in enumerate(CUSTOMER_FIELDS))


def customer_cells(row: int) -> str:
    return "".join(cell(f"{chr(65 + i)}{row}", value) for i, value in enumerate(CUSTOMER_ROW))


def external_entity_workbook() -> bytes:
    """A cell that, if the entity were resolved, would hold a local file of the worker."""
    doctype = '<!DOCTYPE worksheet [<!ENTITY secret SYSTEM "file:///etc/passwd">]>'
    rows = {1: header_cells(), 2: customer_cells(2).replace("Dallas", "&secret;")}
    return workbook_with({SHEET: sheet_xml(rows, doctype).replace(b"&amp;secret;", b"&secret;")})


SST_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"


def shared_strings_workbook(shared_strings: bytes) -> bytes:
    """A customer workbook whose city cell is shared string 0 of `shared_strings`."""
    override = f'<Override PartName="/{SHARED_STRINGS}" ContentType="{SST_CONTENT_TYPE}"/>'
    types = _base_workbook()["[Content_Types].xml"].replace(
        b"</Types>", f"{override}</Types>".encode()
    )
    row = customer_cells(2).replace(cell("E2", "Dallas"), '<c r="E2" t="s"><v>0</v></c>')
    sheet = sheet_xml({1: header_cells(), 2: row})
    return workbook_with(
        {"[Content_Types].xml": types, SHEET: sheet, SHARED_STRINGS: shared_strings}
    )


def _sst(items: bytes, count: int = 1) -> bytes:
    head = f'<?xml version="1.0"?><sst xmlns="{MAIN_NS}" count="{count}" uniqueCount="{count}">'
    return head.encode() + items + b"</sst>"


def billion_laughs_workbook() -> bytes:
    """Shared strings whose one entity expands to 10^9 "lol"s."""
    entities = '<!ENTITY lol0 "lol">' + "".join(
        f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10)
    )
    xml = _sst(b"<si><t>&lol9;</t></si>")
    return shared_strings_workbook(
        xml.replace(b"<sst", f"<!DOCTYPE sst [{entities}]><sst".encode(), 1)
    )


def malformed_shared_strings_workbook() -> bytes:
    return shared_strings_workbook(_sst(b"<si><t>Dallas</t></si>")[:-12])


def valid_shared_strings_workbook() -> bytes:
    return shared_strings_workbook(_sst(b"<si><t>Dallas</t></si>"))


def malformed_sheet_workbook() -> bytes:
    return workbook_with({SHEET: _base_workbook()[SHEET][:-30]})


def shared_strings_bomb_workbook(unpacked_bytes: int) -> bytes:
    """Shared strings that unpack to `unpacked_bytes` of one-letter strings (kilobytes packed)."""
    one = b"<si><t>a</t></si>"
    count = unpacked_bytes // len(one) + 1
    return shared_strings_workbook(_sst(one * count, count))


def zip_bomb_workbook(unpacked_bytes: int) -> bytes:
    """A workbook with one more part of `unpacked_bytes` zeros, which packs to almost nothing."""
    return workbook_with({"xl/media/padding.bin": bytes(unpacked_bytes)})


def far_column_workbook(rows: int) -> bytes:
    """Every row has a cell at column XFD, the last one Excel has (16,384 columns)."""
    cells = {
        1: header_cells(),
        **{r: customer_cells(r) + cell(f"XFD{r}", "x") for r in range(2, rows + 2)},
    }
    return workbook_with({SHEET: sheet_xml(cells)})


def last_row_workbook() -> bytes:
    """A customer, then a cell on Excel's last row: a million blank rows in between."""
    rows = {1: header_cells(), 2: customer_cells(2), 1_048_576: cell("A1048576", "0000100002")}
    return workbook_with({SHEET: sheet_xml(rows)})


def long_cell_workbook(chars: int) -> bytes:
    rows = {1: header_cells(), 2: customer_cells(2).replace("Dallas", "D" * chars)}
    return workbook_with({SHEET: sheet_xml(rows)})


def nested_json(depth: int) -> bytes:
    return ("[" * depth + "]" * depth).encode()


def with_raw_value(document: bytes, placeholder: str, raw: str) -> bytes:
    """`document` with the JSON string `"placeholder"` replaced by `raw` JSON text (a number
    json.dumps would not write, an escape such as a lone surrogate)."""
    quoted = json.dumps(placeholder).encode()
    assert quoted in document, placeholder
    return document.replace(quoted, raw.encode())
