"""The broker workbook opens with openpyxl and looks like DOMAIN.md §4 says."""

import io
from datetime import date
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from contracts.datasets import Component
from contracts.workbook_columns import CUSTOMS_LINES_COLUMNS
from services.customs_generation.audit_sheet import AuditInputs, InputFile, ReferenceVersion
from services.customs_generation.calculation import calculate
from services.customs_generation.workbook import COMPONENT_FILLS, write_broker_workbook
from tests.unit.customs_factories import invoice_line, packaging, product, snapshot

CALC_ID = "CALC-20260101-120000-WB01"
HOSTILE_DESCRIPTION = '=HYPERLINK("http://evil.example","click")'
HOSTILE_CUSTOMER = "@SUM(A1:A9)"
HOSTILE_MID = "+CNMID-1"
HOSTILE_MATERIAL = "-1+2"
COLUMN = {column.name: index for index, column in enumerate(CUSTOMS_LINES_COLUMNS, start=1)}
SHA = "ab" * 32


@pytest.fixture(scope="module")
def result():
    reference = snapshot(
        [
            product("SOFA-STEEL-ALU", net_kg="40", steel_kg="10", aluminum_kg="6"),
            product(HOSTILE_MATERIAL, net_kg="40", description=HOSTILE_DESCRIPTION),
            product("SOFA-STEEL", net_kg="40", steel_kg="10"),
        ],
        packaging_rows=[packaging("CARTON")],
    )
    lines = [
        invoice_line("SOFA-STEEL-ALU", quantity="3", unit_price="333.33", line_number=10),
        invoice_line(
            HOSTILE_MATERIAL,
            line_number=20,
            customer_id=HOSTILE_CUSTOMER,
            manufacturer_id=HOSTILE_MID,
        ),
        invoice_line("UNKNOWN", line_number=30),
        invoice_line("CARTON", line_number=40, unit_price="12.50"),
        invoice_line(
            "SOFA-STEEL", invoice_number="INV-2", line_number=10, entry_date=date(2026, 5, 4)
        ),
    ]
    return calculate(lines, reference, CALC_ID)


@pytest.fixture(scope="module")
def workbook(result):
    audit = AuditInputs(
        input_files=(InputFile("sap/ZEMM004/2026/01/01/ZEMM004-1.json", SHA, 5),),
        reference_versions=(ReferenceVersion("ZEMM007", "ZEMM007-20251230-0001"),),
    )
    return load_workbook(io.BytesIO(write_broker_workbook(result, audit)))


@pytest.fixture(scope="module")
def lines_sheet(workbook):
    return workbook["Customs Lines"]


def cell(sheet, row, column_name):
    return sheet.cell(row=row, column=COLUMN[column_name])


def row_of(sheet, component):
    for row in range(2, sheet.max_row + 1):
        if cell(sheet, row, "Component").value == component:
            return row
    raise AssertionError(f"no {component} row")


def test_workbook_has_both_tabs(workbook):
    assert workbook.sheetnames == ["Customs Lines", "Audit"]


def test_customs_lines_tab_has_the_192_template_columns(lines_sheet):
    header = [c.value for c in lines_sheet[1]]

    assert lines_sheet.max_column == 192
    assert header == [column.name for column in CUSTOMS_LINES_COLUMNS]


def test_one_row_per_component_line_then_a_totals_row(result, lines_sheet):
    # 3 components (SOFA-STEEL-ALU) + FULL (hostile) + FULL (2026) = 5 rows, then TOTAL
    assert len(result.component_lines) == 5
    assert lines_sheet.max_row == 1 + 5 + 1
    totals_row = lines_sheet.max_row
    assert lines_sheet.cell(row=totals_row, column=1).value == "TOTAL"
    assert Decimal(str(cell(lines_sheet, totals_row, "Entered Value (USD)").value)) == (
        result.totals.entered_value_usd
    )
    assert Decimal(str(cell(lines_sheet, totals_row, "MPF (USD)").value)) == result.totals.mpf_usd


def test_steel_and_aluminum_rows_have_distinct_fills(lines_sheet):
    def fill_of(component):
        return cell(lines_sheet, row_of(lines_sheet, component), "Entered Value (USD)").fill

    steel, aluminum = fill_of("STEEL"), fill_of("ALUMINUM")
    full, non_metal = fill_of("FULL"), fill_of("NON_METAL")

    assert steel.fgColor.rgb == "FF" + COMPONENT_FILLS[Component.STEEL].lstrip("#")
    assert aluminum.fgColor.rgb == "FF" + COMPONENT_FILLS[Component.ALUMINUM].lstrip("#")
    assert steel.patternType == aluminum.patternType == full.patternType == "solid"
    assert len({steel.fgColor.rgb, aluminum.fgColor.rgb, full.fgColor.rgb}) == 3
    assert non_metal.patternType is None


def test_empty_template_cells_of_a_steel_row_carry_the_row_fill(lines_sheet):
    steel_row = row_of(lines_sheet, "STEEL")

    dimension = lines_sheet.row_dimensions[steel_row]

    assert cell(lines_sheet, steel_row, "Bond Type").value is None
    assert dimension.fill.fgColor.rgb == "FF" + COMPONENT_FILLS[Component.STEEL].lstrip("#")


@pytest.mark.parametrize(
    ("column_name", "hostile"),
    [
        ("Description", HOSTILE_DESCRIPTION),
        ("Customer ID", HOSTILE_CUSTOMER),
        ("Manufacturer ID (MID)", HOSTILE_MID),
        ("Material", HOSTILE_MATERIAL),
    ],
)
def test_text_starting_with_a_formula_character_is_stored_as_text(
    lines_sheet, column_name, hostile
):
    row = next(
        row
        for row in range(2, lines_sheet.max_row)
        if cell(lines_sheet, row, "Material").value == HOSTILE_MATERIAL
    )

    stored = cell(lines_sheet, row, column_name)

    assert stored.value == hostile
    assert stored.data_type == "s"


def test_header_is_frozen_and_filtered(lines_sheet):
    assert lines_sheet.freeze_panes == "A2"
    assert lines_sheet.auto_filter.ref == f"A1:{get_column_letter(192)}6"


def test_money_weight_and_date_cells_are_typed_and_formatted(lines_sheet):
    row = row_of(lines_sheet, "STEEL")

    value = cell(lines_sheet, row, "Entered Value (USD)")
    weight = cell(lines_sheet, row, "Net Weight (kg)")
    entry_date = cell(lines_sheet, row, "Entry Date")

    assert (value.value, value.number_format) == (250, "#,##0.00")
    assert (weight.value, weight.number_format) == (30, "#,##0.000")
    assert entry_date.is_date and entry_date.number_format == "yyyy-mm-dd"
    assert cell(lines_sheet, row, "Ch99 Code 2").value == "9903.81.91"
    assert cell(lines_sheet, row, "Ch99 Duty 2 (USD)").value == 125
    assert cell(lines_sheet, row, "Chapter 99 Codes").value == (
        "9903.88.03, 9903.81.91, 9903.01.24, 9903.01.33"
    )
    assert cell(lines_sheet, row, "Ch99 Code 5").value is None


def audit_values(workbook):
    return [
        [c for c in row if c is not None]
        for row in workbook["Audit"].iter_rows(values_only=True)
        if any(c is not None for c in row)
    ]


def test_audit_tab_records_calculation_inputs_and_rates(workbook, result):
    rows = audit_values(workbook)

    header = rows.index(
        [
            "CALC-ID",
            "Component lines",
            "Exceptions",
            "Packaging lines",
            "Entered value (USD)",
            "Duty (USD)",
            "MPF (USD)",
            "HMF (USD)",
        ]
    )
    assert rows[header + 1][:4] == [CALC_ID, 5, 1, 1]
    assert Decimal(str(rows[header + 1][4])) == result.totals.entered_value_usd
    assert ["sap/ZEMM004/2026/01/01/ZEMM004-1.json", SHA, 5] in rows
    assert ["ZEMM007", "ZEMM007-20251230-0001"] in rows
    rule_ids = {row[3] for row in rows if len(row) >= 4 and row[0] in {"232", "301", "MFN"}}
    assert {"232-STEEL", "232-ALU", "232-DERIV", "301-L3", "ZFMIOR003"} <= rule_ids


def test_audit_tab_lists_reconciliation_exceptions_and_packaging(workbook):
    rows = audit_values(workbook)

    balanced = [row for row in rows if row[-1] == "BALANCED"]
    assert [(row[0], row[1]) for row in balanced] == [("INV-1", 10), ("INV-1", 20), ("INV-2", 10)]
    assert any(row[2:4] == ["UNKNOWN", "material-not-in-master"] for row in rows)
    assert ["INV-1", 40, "CARTON", "Export carton", "BOX", 1, 12.5] in rows
