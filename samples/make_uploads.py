"""Regenerate samples/uploads/ZEMM006/packaging-manual.xlsx, the manual fallback for ZEMM006.

Run: .venv/bin/python samples/make_uploads.py

The workbook is what a user would export from SAP by hand: header row = the ZEMM006 record fields,
material numbers stored as text (number format '@') so their leading zeros survive, and the
`is_packaging` flag written the SAP way (`X` or an empty cell). The output is byte-for-byte the
same on every run (fixed document timestamps and zip entry dates), so re-running it leaves git
clean.
"""

from __future__ import annotations

import io
import re
import zipfile
from datetime import datetime
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Font

OUTPUT = Path(__file__).resolve().parent / "uploads" / "ZEMM006" / "packaging-manual.xlsx"
HEADER = ("material", "description", "packaging_type", "is_packaging")
TEXT_COLUMNS = {"material", "packaging_type"}
FIXED_TIME = datetime(2026, 11, 22, 8, 0, 0)
ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)

PACKAGING = (
    ("000000000090000101", "Wooden pallet 48x40in, heat-treated (ISPM 15)", "PALLET", "X"),
    ("000000000090000205", "Corrugated master carton, 5-ply, adjustable base", "CARTON", "X"),
    (
        "000000000090000412",
        "Printed retail gift box, pillow (sold with the goods, dutiable)",
        "RETAIL_BOX",
        None,
    ),
    ("000000000090000530", "Stretch wrap film, 500 mm", "FILM", "X"),
)


def packaging_workbook() -> Workbook:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "ZEMM006"
    sheet.append(HEADER)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in PACKAGING:
        sheet.append(row)
    for column, name in enumerate(HEADER, start=1):
        if name in TEXT_COLUMNS:
            for (cell,) in sheet.iter_rows(min_row=2, min_col=column, max_col=column):
                cell.data_type = "s"
                cell.number_format = "@"
    for letter, width in zip("ABCD", (22, 64, 16, 14), strict=True):
        sheet.column_dimensions[letter].width = width
    workbook.properties.creator = "ior samples"
    workbook.properties.created = FIXED_TIME
    return workbook


def deterministic_xlsx(workbook: Workbook) -> bytes:
    """openpyxl stamps the save time into docProps/core.xml and every zip entry; pin both."""
    buffer = io.BytesIO()
    workbook.save(buffer)
    stamp = FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ")
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = re.sub(
                    rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)",
                    rb"\g<1>" + stamp.encode() + rb"\g<2>",
                    data,
                )
            entry = zipfile.ZipInfo(info.filename, date_time=ZIP_EPOCH)
            entry.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(entry, data)
    return out.getvalue()


def main() -> None:
    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    OUTPUT.write_bytes(deterministic_xlsx(packaging_workbook()))
    print(f"wrote {OUTPUT} ({len(PACKAGING)} records)")


if __name__ == "__main__":
    main()
