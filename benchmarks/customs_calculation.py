"""Customs generation on 10,000 seeded invoice lines: calculation throughput, workbook time, memory.

Run from the repository root: `.venv/bin/python -m benchmarks.customs_calculation [--openpyxl]`.
Goals (issue 4): >= 100,000 component lines/s for the pure calculation, < 8 s for the workbook.
`--openpyxl` also times the alternative `workbook.py` was measured against: openpyxl write-only
with the same rows, values and fills (adds about 15 s).
"""

from __future__ import annotations

import argparse
import gc
import io
import random
import resource
import time
import tracemalloc
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import PatternFill

from contracts.datasets import CustomsLineV1, DutyLayer, NormalizedInvoiceLine, ProductMasterRow
from contracts.workbook_columns import CUSTOMS_LINES_COLUMNS
from services.customs_generation.audit_sheet import AuditInputs, InputFile, ReferenceVersion
from services.customs_generation.calculation import calculate
from services.customs_generation.reference import ReferenceSnapshot
from services.customs_generation.results import CalculationResult
from services.customs_generation.row_colours import ROW_FILLS, row_kind
from services.customs_generation.workbook import field_reader, write_broker_workbook
from tests.unit.customs_factories import (
    hts,
    invoice_line,
    packaging,
    product,
    product_snapshots,
    typical_rules,
)

SEED = 20260406
INVOICE_LINES = 10_000
MATERIALS = 400
HTS_CODES = ("9401610000", "9401710031", "9403200050", "9403608081", "9404900000", "9405110000")
CATEGORIES = ("SOFA", "CHAIR", "TABLE", "BED", "PILLOW", "LAMP")
COUNTRIES = ("CN", "VN", "MY", "IT")
CALC_ID = "CALC-20260406-120000-BNCH"


def seeded_batch(rng: random.Random) -> tuple[list[NormalizedInvoiceLine], ReferenceSnapshot]:
    products = [_seeded_product(rng, index) for index in range(MATERIALS)]
    # Weekly entry dates over 2025-2026: the batch mixes the split and the full-value regimes.
    first_day = date(2025, 3, 3)
    entry_days = [first_day + timedelta(days=7 * week) for week in range(80)]
    lines: list[NormalizedInvoiceLine] = []
    invoice = 0
    while len(lines) < INVOICE_LINES:
        invoice += 1
        entry_date = rng.choice(entry_days)
        mode = rng.choice(("OCEAN", "OCEAN", "OCEAN", "AIR", "TRUCK"))
        for line_number in range(10, 10 * rng.randint(2, 40), 10):
            material = "CARTON" if rng.random() < 0.02 else rng.choice(products).material
            lines.append(
                invoice_line(
                    material,
                    quantity=str(rng.randint(1, 200)),
                    unit_price=f"{rng.randint(500, 250_000) / 100:.2f}",
                    invoice_number=f"INV-{invoice:05d}",
                    line_number=line_number,
                    entry_date=entry_date,
                    transport_mode=mode,
                )
            )
    materials, weights = product_snapshots(products)
    # One material in five was weighed again in the batch's period (same weights), so lookups
    # meet a history and entries on either side of 2025-09-01 use different records.
    revised = [w.model_copy(update={"valid_from": date(2025, 9, 1)}) for w in weights[::5]]
    reference = ReferenceSnapshot.build(
        materials=materials,
        weights=[*weights, *revised],
        hts_codes=[
            hts(code, rate)
            for code, rate in zip(HTS_CODES, ("0", "0", "0", "0", "6", "3.9"), strict=True)
        ],
        tariff_rules=typical_rules(),
        packaging=[packaging("CARTON")],
    )
    return lines[:INVOICE_LINES], reference


def _seeded_product(rng: random.Random, index: int) -> ProductMasterRow:
    net_g = rng.randint(500, 90_000)
    metal = rng.choice(("none", "steel", "steel", "aluminum", "both"))
    steel_g = rng.randint(1, net_g // 2) if metal in ("steel", "both") else 0
    aluminum_g = rng.randint(1, net_g // 3) if metal in ("aluminum", "both") else 0
    kind = rng.randrange(len(HTS_CODES))
    return product(
        f"MAT-{index:06d}",
        net_kg=Decimal(net_g) / 1000,
        steel_kg=Decimal(steel_g) / 1000,
        aluminum_kg=Decimal(aluminum_g) / 1000,
        hts_code=HTS_CODES[kind],
        category=CATEGORIES[kind],
        country=rng.choice(COUNTRIES),
    )


def best_of(runs: int, action: Callable[[], object]) -> float:
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        timings.append(time.perf_counter() - started)
    return min(timings)


def model_construction_seconds(result: CalculationResult) -> float:
    """Time to validate the result's CustomsLineV1/DutyLayer models alone: the floor under the
    calculation as long as it returns validated contract models."""
    fields = [
        (dict(line.__dict__), [dict(layer.__dict__) for layer in line.duty_layers])
        for line in result.component_lines
    ]

    def construct() -> None:
        gc.disable()
        try:
            for line_fields, layers in fields:
                duty_layers = tuple(DutyLayer(**layer) for layer in layers)
                CustomsLineV1(**{**line_fields, "duty_layers": duty_layers})
        finally:
            gc.enable()

    return best_of(3, construct)


def peak_mib(action: Callable[[], object]) -> float:
    tracemalloc.start()
    action()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / 2**20


def openpyxl_write_only(result: CalculationResult) -> bytes:
    """The alternative measured against xlsxwriter, doing the same work for the lines tab: row
    fills, only valued cells written, each with its fill and number format, text kept text."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Customs Lines")
    sheet.append([column.name for column in CUSTOMS_LINES_COLUMNS])
    columns = [
        (field_reader(column.source_field) if column.source_field else None, column.number_format)
        for column in CUSTOMS_LINES_COLUMNS
    ]
    fills = {
        kind: PatternFill("solid", fgColor=colour.lstrip("#")) if colour else None
        for kind, colour in ROW_FILLS.items()
    }
    for row_number, line in enumerate(result.component_lines, start=2):
        fill = fills[row_kind(line)]
        if fill is not None:
            sheet.row_dimensions[row_number].fill = fill
        row: list[WriteOnlyCell | None] = []
        for read, number_format in columns:
            value = read(line) if read else None
            if value is None:
                row.append(None)
                continue
            cell = WriteOnlyCell(
                sheet, value=", ".join(value) if isinstance(value, tuple) else value
            )
            if isinstance(cell.value, str):
                cell.data_type = "s"
            cell.number_format = number_format
            if fill is not None:
                cell.fill = fill
            row.append(cell)
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--openpyxl", action="store_true", help="also time openpyxl write-only")
    arguments = parser.parse_args()
    lines, reference = seeded_batch(random.Random(SEED))
    result = calculate(lines, reference, CALC_ID)
    audit = AuditInputs(
        input_files=(InputFile("ZEMM004-BENCH.json", "0" * 64, len(lines)),),
        reference_versions=(ReferenceVersion("ZEMM007", "ZEMM007-BENCH"),),
    )
    component_count = len(result.component_lines)
    print(
        f"batch: {len(lines):,} invoice lines -> {component_count:,} component lines, "
        f"{len(result.exceptions):,} exceptions, {len(result.packaging_lines):,} packaging lines"
    )

    seconds = best_of(3, lambda: calculate(lines, reference, CALC_ID))
    print(
        f"calculation: {seconds:.3f} s, {len(lines) / seconds:,.0f} invoice lines/s, "
        f"{component_count / seconds:,.0f} component lines/s (goal >= 100,000)"
    )
    floor = model_construction_seconds(result)
    print(
        f"  of which validating the {component_count:,} CustomsLineV1 + DutyLayer models alone: "
        f"{floor:.3f} s ({component_count / floor:,.0f} lines/s)"
    )
    peak = peak_mib(lambda: calculate(lines, reference, CALC_ID))
    print(f"calculation peak memory (tracemalloc): {peak:.1f} MiB")

    workbook_bytes = write_broker_workbook(result, audit, lines)
    seconds = best_of(3, lambda: write_broker_workbook(result, audit, lines))
    print(
        f"workbook (xlsxwriter): {seconds:.2f} s for {component_count:,} rows x "
        f"{len(CUSTOMS_LINES_COLUMNS)} columns + audit tab, {len(workbook_bytes) / 2**20:.1f} MiB "
        "(goal < 8 s)"
    )
    peak = peak_mib(lambda: write_broker_workbook(result, audit, lines))
    print(f"workbook peak memory (tracemalloc): {peak:.1f} MiB")

    if arguments.openpyxl:
        seconds = best_of(1, lambda: openpyxl_write_only(result))
        print(f"for comparison, openpyxl write-only (lines tab only): {seconds:.2f} s")
    max_rss_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"process max RSS: {max_rss_mib:.0f} MiB")


if __name__ == "__main__":
    main()
