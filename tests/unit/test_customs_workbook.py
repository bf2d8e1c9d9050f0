"""The broker workbook opens with openpyxl and looks like DOMAIN.md §4 says."""

import io
from datetime import date
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from contracts.workbook_columns import CUSTOMS_LINES_COLUMNS
from services.customs_generation.audit_sheet import AuditInputs, InputFile, ReferenceVersion
from services.customs_generation.calculation import calculate
from services.customs_generation.row_colours import (
    BROKER_HEADER_FILL,
    BROKER_HEADER_MEANING,
    ROW_FILLS,
    RowKind,
    row_kind,
)
from services.customs_generation.workbook import write_broker_workbook
from tests.unit.customs_factories import invoice_line, packaging, product, snapshot

CALC_ID = "CALC-20260101-120000-WB01"
HOSTILE_DESCRIPTION = '=HYPERLINK("http://evil.example","click")'
HOSTILE_CUSTOMER = "@SUM(A1:A9)"
HOSTILE_MID = "+CNMID-1"
HOSTILE_MATERIAL = "-1+2"
COLUMN = {column.name: index for index, column in enumerate(CUSTOMS_LINES_COLUMNS, start=1)}
SHA = "ab" * 32


@pytest.fixture(scope="module")
def invoice_lines():
    return [
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


@pytest.fixture(scope="module")
def result(invoice_lines):
    reference = snapshot(
        [
            product("SOFA-STEEL-ALU", net_kg="40", steel_kg="10", aluminum_kg="6"),
            product(HOSTILE_MATERIAL, net_kg="40", description=HOSTILE_DESCRIPTION),
            product("SOFA-STEEL", net_kg="40", steel_kg="10"),
        ],
        packaging_rows=[packaging("CARTON")],
    )
    return calculate(invoice_lines, reference, CALC_ID)


@pytest.fixture(scope="module")
def workbook(result, invoice_lines):
    audit = AuditInputs(
        input_files=(InputFile("sap/ZEMM004/2026/01/01/ZEMM004-1.json", SHA, 5),),
        reference_versions=(ReferenceVersion("ZEMM007", "ZEMM007-20251230-0001"),),
    )
    return load_workbook(io.BytesIO(write_broker_workbook(result, audit, invoice_lines)))


@pytest.fixture(scope="module")
def lines_sheet(workbook):
    return workbook["Customs Lines"]


def cell(sheet, row, column_name):
    return sheet.cell(row=row, column=COLUMN[column_name])


def row_of(sheet, component, material=None):
    for row in range(2, sheet.max_row + 1):
        if cell(sheet, row, "Component").value == component and (
            material is None or cell(sheet, row, "Material").value == material
        ):
            return row
    raise AssertionError(f"no {component} row")


def rgb(kind):
    return "FF" + ROW_FILLS[kind].lstrip("#")


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


def test_steel_aluminum_and_metal_bearing_full_rows_have_distinct_fills(lines_sheet):
    def fill_of(component, material=None):
        row = row_of(lines_sheet, component, material)
        return cell(lines_sheet, row, "Entered Value (USD)").fill

    steel, aluminum = fill_of("STEEL"), fill_of("ALUMINUM")
    full_with_steel = fill_of("FULL", "SOFA-STEEL")

    assert steel.fgColor.rgb == rgb(RowKind.STEEL)
    assert aluminum.fgColor.rgb == rgb(RowKind.ALUMINUM)
    assert full_with_steel.fgColor.rgb == rgb(RowKind.FULL_WITH_METAL)
    assert steel.patternType == aluminum.patternType == full_with_steel.patternType == "solid"


def test_rows_without_metal_are_not_filled_whether_split_or_whole(result, lines_sheet):
    non_metal = row_of(lines_sheet, "NON_METAL")
    full_line = next(line for line in result.component_lines if line.component == "FULL")
    whole_without_metal = full_line.model_copy(update={"melt_pour_country": None})

    assert cell(lines_sheet, non_metal, "Entered Value (USD)").fill.patternType is None
    assert row_kind(whole_without_metal) is RowKind.NO_METAL
    assert ROW_FILLS[RowKind.NO_METAL] is None


def test_empty_template_cells_of_a_steel_row_carry_the_row_fill(lines_sheet):
    steel_row = row_of(lines_sheet, "STEEL")

    dimension = lines_sheet.row_dimensions[steel_row]

    assert cell(lines_sheet, steel_row, "Bond Type").value is None
    assert dimension.fill.fgColor.rgb == rgb(RowKind.STEEL)


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


def test_header_and_identifying_columns_are_frozen_and_filtered(lines_sheet):
    frozen = [column.name for column in CUSTOMS_LINES_COLUMNS[:4]]

    assert frozen == ["Invoice Number", "Invoice Line Number", "Component", "Material"]
    assert lines_sheet.freeze_panes == "E2"
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
    assert ["sap/ZEMM004/2026/01/01/ZEMM004-1.json", 5, SHA] in rows
    assert ["ZEMM007", "ZEMM007-20251230-0001"] in rows
    rule_ids = {row[-1] for row in rows if len(row) >= 4 and row[0] in {"232", "301", "MFN"}}
    assert {"232-STEEL", "232-ALU", "232-DERIV", "301-L3", "ZFMIOR003"} <= rule_ids


def test_audit_tab_lists_reconciliation_exceptions_and_packaging(workbook):
    rows = audit_values(workbook)

    balanced = [row for row in rows if row[-1] == "BALANCED"]
    assert [(row[0], row[1]) for row in balanced] == [("INV-1", 10), ("INV-1", 20), ("INV-2", 10)]
    assert any(row[2:3] == ["UNKNOWN"] and "material-not-in-master" in row for row in rows)
    assert ["INV-1", 40, "CARTON", "BOX", 1, 12.5, "Export carton"] in rows


def test_columns_a_customs_line_lacks_are_filled_from_its_invoice_line(lines_sheet):
    row = row_of(lines_sheet, "STEEL")

    assert cell(lines_sheet, row, "Mode of Transport").value == "OCEAN"
    assert cell(lines_sheet, row, "Invoice Currency").value == "USD"
    assert cell(lines_sheet, row, "Exchange Rate").value == 1
    assert cell(lines_sheet, row, "Seller Name").value
    assert cell(lines_sheet, row, "Ship-To Party").value


def test_broker_columns_stay_empty_and_their_headers_are_marked(lines_sheet):
    broker_values = [
        cell(lines_sheet, row, column.name).value
        for column in CUSTOMS_LINES_COLUMNS
        if column.filled_by_broker
        for row in range(2, lines_sheet.max_row)
    ]
    header_fills = {
        column.name: lines_sheet.cell(row=1, column=COLUMN[column.name]).fill.fgColor.rgb
        for column in CUSTOMS_LINES_COLUMNS
    }
    broker_fill = "FF" + BROKER_HEADER_FILL.lstrip("#")

    assert set(broker_values) == {None}
    assert {name for name, fill in header_fills.items() if fill == broker_fill} == {
        column.name for column in CUSTOMS_LINES_COLUMNS if column.filled_by_broker
    }


def test_totals_row_sums_only_value_weight_duty_and_fees(lines_sheet):
    totals_row = lines_sheet.max_row
    totalled = {
        column.name
        for column in CUSTOMS_LINES_COLUMNS
        if cell(lines_sheet, totals_row, column.name).value is not None
    }

    assert totalled == {
        "Invoice Number",  # the TOTAL label
        "Net Weight (kg)",
        "Entered Value (USD)",
        "Total Duty (USD)",
        "MPF (USD)",
        "HMF (USD)",
    }


def test_quantity_is_not_printed_with_a_trailing_decimal_point(lines_sheet):
    quantity = cell(lines_sheet, row_of(lines_sheet, "STEEL"), "Quantity")

    assert quantity.number_format == "General"


def test_header_row_is_tall_enough_for_the_wrapped_names(lines_sheet):
    assert lines_sheet.row_dimensions[1].height >= 45


def test_lines_tab_prints_landscape_with_header_row_identity_columns_and_title(lines_sheet):
    assert lines_sheet.page_setup.orientation == "landscape"
    assert lines_sheet.print_title_rows == "$1:$1"
    assert lines_sheet.print_title_cols == "$A:$D"
    assert CALC_ID in lines_sheet.oddHeader.left.text
    assert "entry dates 2025-06-02 to 2026-05-04" in lines_sheet.oddHeader.left.text


def test_audit_tab_prints_fitted_to_one_page_wide(workbook):
    audit = workbook["Audit"]

    assert audit.page_setup.orientation == "landscape"
    assert audit.sheet_properties.pageSetUpPr.fitToPage
    assert audit.page_setup.fitToWidth in (None, 1)  # None: the default, 1
    assert audit.page_setup.fitToHeight == 0


def test_audit_tab_has_a_colour_key_for_rows_and_headers(workbook):
    audit = workbook["Audit"]
    key = {
        row[1].value: row[0].fill.fgColor.rgb
        for row in audit.iter_rows(max_col=2)
        if row[0].value in {"row", "header"}
    }

    assert key[RowKind.STEEL.value] == rgb(RowKind.STEEL)
    assert key[RowKind.FULL_WITH_METAL.value] == rgb(RowKind.FULL_WITH_METAL)
    assert key[BROKER_HEADER_MEANING] == "FF" + BROKER_HEADER_FILL.lstrip("#")


def test_audit_tab_totals_duty_per_program(workbook, result):
    rows = audit_values(workbook)
    start = rows.index(["Duty per program"]) + 2
    expected = {}
    for line in result.component_lines:
        for layer in line.duty_layers:
            expected[layer.program] = expected.get(layer.program, Decimal(0)) + layer.duty_usd
    per_program = {row[0]: Decimal(str(row[2])) for row in rows[start : start + len(expected)]}

    assert per_program == {program: expected[program] for program in per_program}
    assert set(per_program) == set(expected)


def test_audit_columns_are_no_wider_than_their_values_need(workbook):
    widths = [d.width for d in workbook["Audit"].column_dimensions.values() if d.width]

    assert max(widths) <= 42
