"""Render the three workbooks as a broker and an ops person see them: PDF and PNG pages.

    .venv/bin/python -m scripts.render_workbooks [--out out/demo] [--no-demo]

Runs `ior demo --out OUT` (unless --no-demo), writes the IEEPA refund workbook from the demo's
customs lines (the report normally reads a running endpoint's audit records), then converts the
broker, comparison and IEEPA workbooks with LibreOffice (`soffice --headless`) to PDF and each
PDF page with `pdftoppm` to PNG under OUT/render/, and prints the paths. The pictures are the
printed layout (page setup, print titles, repeated header row), which openpyxl tests cannot show.
Needs `soffice` and `pdftoppm` (Debian: libreoffice-calc-nogui, poppler-utils).
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from contracts.datasets import CustomsLineV1
from contracts.ieepa_refund_files import to_xlsx
from contracts.ieepa_refunds import build_ieepa_report

RENDER_DIR = "render"
IEEPA_WORKBOOK = "ieepa_refunds.xlsx"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("out/demo"), help="demo output folder")
    parser.add_argument("--no-demo", action="store_true", help="render what OUT already holds")
    args = parser.parse_args(argv)
    missing = [tool for tool in ("soffice", "pdftoppm") if shutil.which(tool) is None]
    if missing:
        print(
            f"error: {', '.join(missing)} not found; install libreoffice-calc-nogui and "
            "poppler-utils",
            file=sys.stderr,
        )
        return 2
    out: Path = args.out
    if not args.no_demo:
        subprocess.run(
            [sys.executable, "-m", "entrypoints.cli", "demo", "--out", str(out)],
            check=False,
            stdout=subprocess.DEVNULL,
        )
    render = out / RENDER_DIR
    shutil.rmtree(render, ignore_errors=True)
    render.mkdir(parents=True)
    for workbook in _workbooks(out, render):
        for png in _render(workbook, render):
            print(png)
    return 0


def _workbooks(out: Path, render: Path) -> list[Path]:
    lines_file = out / "customs_lines.jsonl"
    lines = [CustomsLineV1.model_validate_json(row) for row in lines_file.read_text().splitlines()]
    ieepa = render / IEEPA_WORKBOOK
    ieepa.write_bytes(to_xlsx(build_ieepa_report(lines, None, None)))
    broker = sorted(out.glob("CALC-*.xlsx"))
    return [*broker, *sorted(out.glob("comparison*.xlsx")), ieepa]


def _render(workbook: Path, render: Path) -> list[Path]:
    # A private LibreOffice profile: a desktop instance of soffice would otherwise swallow the call.
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run(
            [
                "soffice",
                f"-env:UserInstallation=file://{profile}",
                "--headless",
                "--convert-to",
                "pdf",
                "--outdir",
                str(render),
                str(workbook),
            ],
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    pdf = render / f"{workbook.stem}.pdf"
    subprocess.run(
        ["pdftoppm", "-png", "-r", "80", str(pdf), str(render / workbook.stem)], check=True
    )
    return sorted(render.glob(f"{workbook.stem}*.png"))


if __name__ == "__main__":
    sys.exit(main())
