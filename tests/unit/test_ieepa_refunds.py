"""The IEEPA refunds report (pure part): which layers count, totals, date range, CSV and Excel."""

import csv
import io
from datetime import date
from decimal import Decimal

import openpyxl

from contracts.datasets import Component, DutyLayer
from contracts.ieepa_refund_files import (
    GRAND_TOTAL,
    LINES_SHEET,
    TOTALS_SHEET,
    to_csv,
    to_xlsx,
    totals_to_csv,
)
from contracts.ieepa_refunds import build_ieepa_report
from tests.unit.test_comparison_matching import customs_line

D = Decimal
ENTRY = "SFW-2508-0147"
OLD_CALC, NEW_CALC = "CALC-20251001-020000-AAAA", "CALC-20251002-020000-BBBB"


def layer(program: str, code: str, rate: str, duty: str) -> DutyLayer:
    return DutyLayer(program=program, code=code, rate_pct=D(rate), duty_usd=D(duty))


def sample_lines(calc_id: str = OLD_CALC, invoice: str = ENTRY, entry: date = date(2025, 9, 18)):
    """SFW-2508-0147 of samples/README.md: fentanyl on every line, reciprocal except on steel
    (where 232 applied and the 0 % code 9903.01.33 was declared instead)."""
    common = {"calc_id": calc_id, "invoice_number": invoice, "entry_date": entry}
    return [
        customs_line(
            **common,
            line_number=10,
            component=Component.NON_METAL,
            entered_value_usd=D("6660.00"),
            duty_layers=(
                layer("MFN", "9403200080", "0", "0.00"),
                layer("301", "9903.88.03", "25", "1665.00"),
                layer("IEEPA-FENTANYL", "9903.01.24", "20", "1332.00"),
                layer("IEEPA-RECIPROCAL", "9903.01.25", "10", "666.00"),
            ),
        ),
        customs_line(
            **common,
            line_number=10,
            component=Component.STEEL,
            entered_value_usd=D("15540.00"),
            duty_layers=(
                layer("232", "9903.81.91", "50", "7770.00"),
                layer("IEEPA-FENTANYL", "9903.01.24", "20", "3108.00"),
                layer("IEEPA-RECIPROCAL", "9903.01.33", "0", "0.00"),
            ),
        ),
        customs_line(**common, line_number=30, duty_layers=(layer("MFN", "x", "3", "9.00"),)),
    ]


def test_every_paid_ieepa_layer_is_listed_with_code_rate_value_and_duty():
    report = build_ieepa_report(sample_lines(), None, None)
    (entry,) = report.entries
    rows = [
        (x.line_number, x.component, x.code, x.rate_pct, x.entered_value_usd, x.duty_usd)
        for x in entry.lines
    ]
    assert rows == [
        (10, "NON_METAL", "9903.01.24", D("20"), D("6660.00"), D("1332.00")),
        (10, "NON_METAL", "9903.01.25", D("10"), D("6660.00"), D("666.00")),
        (10, "STEEL", "9903.01.24", D("20"), D("15540.00"), D("3108.00")),
    ]


def test_entry_total_counts_each_line_value_once_and_sums_the_ieepa_duty():
    (entry,) = build_ieepa_report(sample_lines(), None, None).entries
    assert (entry.entered_value_usd, entry.duty_usd) == (D("22200.00"), D("5106.00"))
    assert (entry.po_number, entry.entry_date, entry.calc_id) == (
        "4500018577",
        date(2025, 9, 18),
        OLD_CALC,
    )


def test_overall_totals_add_up_the_entries():
    lines = sample_lines() + sample_lines(invoice="NSW-2509-0291", entry=date(2025, 9, 25))
    report = build_ieepa_report(lines, None, None)
    assert [entry.invoice_number for entry in report.entries] == [ENTRY, "NSW-2509-0291"]
    assert (report.entered_value_usd, report.duty_usd) == (D("44400.00"), D("10212.00"))


def test_entries_without_ieepa_are_left_out():
    after_ieepa = customs_line(entry_date=date(2026, 7, 1))
    assert build_ieepa_report([after_ieepa], None, None).entries == ()


def test_date_range_is_inclusive_at_both_ends():
    lines = sample_lines() + sample_lines(invoice="LATER", entry=date(2025, 9, 19))
    on_the_day = build_ieepa_report(lines, date(2025, 9, 18), date(2025, 9, 18))
    assert [entry.invoice_number for entry in on_the_day.entries] == [ENTRY]
    assert build_ieepa_report(lines, date(2025, 9, 20), None).entries == ()


def test_an_entry_calculated_twice_counts_once_by_its_current_calculation():
    lines = sample_lines(NEW_CALC) + sample_lines(OLD_CALC)
    report = build_ieepa_report(lines, None, None, {OLD_CALC: {ENTRY}})
    (entry,) = report.entries
    assert entry.calc_id == NEW_CALC
    assert entry.duty_usd == D("5106.00")


def test_the_current_calculation_is_the_one_not_superseded_whatever_its_calc_id():
    lines = sample_lines(NEW_CALC) + sample_lines(OLD_CALC)
    (entry,) = build_ieepa_report(lines, None, None, {NEW_CALC: {ENTRY}}).entries
    assert entry.calc_id == OLD_CALC


def test_csv_has_a_row_per_component_line_with_each_ieepa_layer_side_by_side():
    rows = list(csv.reader(io.StringIO(to_csv(build_ieepa_report(sample_lines(), None, None)))))
    header = rows[0]
    line = dict(zip(header, rows[1], strict=True))

    assert len(rows) == 1 + 2  # the header and the two component lines, no total rows
    assert (
        line["Entry Date (7501 block 7)"],
        line["IEEPA-FENTANYL Ch.99 No. (block 29)"],
        line["IEEPA-FENTANYL Rate % (block 33)"],
        line["IEEPA-FENTANYL Duty USD"],
    ) == ("2025-09-18", "9903.01.24", "20", "1332.00")
    assert "Port Code (block 6)" in header and "HTSUS No. (block 29)" in header


def test_column_sums_of_the_lines_are_the_report_totals():
    report = build_ieepa_report(sample_lines(), None, None)
    rows = list(csv.DictReader(io.StringIO(to_csv(report))))

    assert sum(D(row["IEEPA Duty USD (block 34)"]) for row in rows) == report.duty_usd
    assert sum(D(row["Entered Value USD (block 32)"]) for row in rows) == (report.entered_value_usd)


def test_totals_csv_has_each_entry_then_the_grand_total_in_words():
    report = build_ieepa_report(sample_lines(), None, None)
    rows = list(csv.reader(io.StringIO(totals_to_csv(report))))

    assert rows[1][2] == ENTRY
    assert rows[-1][:3] == [GRAND_TOTAL, "", "1 entry"]
    assert rows[-1][-1] == "5106.00"


def test_csv_text_that_a_spreadsheet_would_run_as_a_formula_is_quoted():
    lines = sample_lines(invoice="=cmd|' /C calc'!A0")
    text = to_csv(build_ieepa_report(lines, None, None))
    assert "'=cmd|' /C calc'!A0" in text


def test_excel_puts_totals_on_their_own_sheet_bold_and_set_apart():
    lines = sample_lines(invoice="=HYPERLINK(1)")
    book = openpyxl.load_workbook(io.BytesIO(to_xlsx(build_ieepa_report(lines, None, None))))
    sheet, totals = book[LINES_SHEET], book[TOTALS_SHEET]
    grand = totals.max_row

    assert book.sheetnames == [LINES_SHEET, TOTALS_SHEET]
    assert sheet.cell(row=2, column=3).data_type == "s"
    assert sheet.cell(row=2, column=3).value == "=HYPERLINK(1)"
    assert sheet.max_row == 3
    assert totals.cell(row=grand, column=1).value == GRAND_TOTAL
    assert totals.cell(row=grand, column=1).font.b
    assert totals.cell(row=grand - 1, column=1).value is None  # the blank row before it
    assert totals.cell(row=grand, column=7).value == 5106


def test_excel_columns_are_wide_enough_and_money_has_two_decimals():
    book = openpyxl.load_workbook(
        io.BytesIO(to_xlsx(build_ieepa_report(sample_lines(), None, None)))
    )
    sheet = book[LINES_SHEET]

    assert sheet.column_dimensions["A"].width >= 12  # a date, not ###
    assert sheet.cell(row=2, column=9).number_format == "#,##0.00"
    assert sheet.freeze_panes == "A2"


def test_duty_by_program_adds_up_to_the_report_duty():
    lines = sample_lines() + sample_lines(invoice="NSW-2509-0291", entry=date(2025, 9, 25))
    report = build_ieepa_report(lines, None, None)
    assert report.duty_by_program == {
        "IEEPA-FENTANYL": D("8880.00"),
        "IEEPA-RECIPROCAL": D("1332.00"),
    }
    assert sum(report.duty_by_program.values()) == report.duty_usd
