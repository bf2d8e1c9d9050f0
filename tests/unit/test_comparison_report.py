"""The comparison report: JSON document and Excel workbook, from one result."""

import io
import json
from decimal import Decimal

import openpyxl

from contracts.events.refs import ObjectRef
from services.comparison.config import ComparisonConfig
from services.comparison.matching import compare
from services.comparison.report import SapSource, report_document, to_json
from services.comparison.workbook import (
    DIFFERING_FILL,
    DISCREPANCIES_SHEET,
    DISCREPANCY_COLUMNS,
    FAIL_FILL,
    ONE_SIDED_SHEET,
    PASSED_SHEET,
    SUMMARY_SHEET,
    comparison_workbook,
)
from tests.unit.test_comparison_matching import INVOICE, customs_line, declared_line

D = Decimal
LINES = ObjectRef(uri="s3://ior-processed/customs-lines/c.jsonl", sha256="a" * 64, row_count=3)
SAP = SapSource(
    INVOICE,
    "ZSDR002-20261122-0001",
    ObjectRef(uri="s3://ior-processed/normalized/z.jsonl", sha256="b" * 64, row_count=2),
)


def result(material: str = "000000000010005100"):
    ours = [customs_line(), customs_line(line_number=20), customs_line(line_number=30)]
    theirs = [
        declared_line(duty_usd=D("451.90")),
        declared_line(line_number=20, material=material),
        declared_line(line_number=40),
    ]
    return compare(
        "CALC-20261122-020000-AB12",
        ours,
        theirs,
        calc_invoices=[INVOICE, "LATE-1"],
        declared_invoices=[INVOICE],
        config=ComparisonConfig(),
    )


def document(material: str = "000000000010005100"):
    return report_document(
        result(material), customs_lines=LINES, sap_sources=[SAP], config=ComparisonConfig()
    )


def test_report_summarises_counts_and_lists_each_line_with_its_discrepancies():
    doc = json.loads(to_json(document()))
    assert doc["summary"] == {
        "result": "FAIL",
        "compared": 2,
        "passed": 1,
        "failed": 1,
        "ours_only": 1,
        "theirs_only": 1,
        "held_back": 0,
        "awaiting_sap_invoices": 1,
        "awaiting_sap_lines": 0,
    }
    assert doc["lines"][0] == {
        "invoice_number": INVOICE,
        "line_number": 10,
        "component": "FULL",
        "status": "FAIL",
        "discrepancies": [
            {"field": "duty_usd", "ours": "457.84", "theirs": "451.90", "delta": "-5.94"}
        ],
    }
    assert doc["lines"][1]["status"] == "PASS"
    assert doc["ours_only"][0]["line_number"] == 30
    assert doc["theirs_only"][0]["values"]["hts_code"] == "9404210010"
    assert doc["awaiting_sap"] == ["LATE-1"]


def test_report_names_its_inputs_and_tolerances():
    doc = document()
    assert doc["customs_lines"]["sha256"] == "a" * 64
    assert doc["sap_declarations"][0]["extract_id"] == "ZSDR002-20261122-0001"
    assert doc["tolerances"]["net_weight_kg"] == {"kind": "relative", "amount": "0.5"}


def test_same_result_gives_the_same_bytes():
    config = ComparisonConfig()
    assert to_json(document()) == to_json(document())
    assert comparison_workbook(result(), [SAP], config) == comparison_workbook(
        result(), [SAP], config
    )


def workbook(material: str = "000000000010005100"):
    return openpyxl.load_workbook(
        io.BytesIO(comparison_workbook(result(material), [SAP], ComparisonConfig()))
    )


def test_workbook_has_a_sheet_per_question():
    assert workbook().sheetnames == [
        SUMMARY_SHEET,
        DISCREPANCIES_SHEET,
        ONE_SIDED_SHEET,
        PASSED_SHEET,
    ]


def test_summary_labels_are_words_and_counts_are_numbers():
    summary = {row[0]: row[1] for row in workbook()[SUMMARY_SHEET].iter_rows(values_only=True)}

    assert (summary["CALC-ID"], summary["Result"], summary["Failed"]) == (
        "CALC-20261122-020000-AB12",
        "FAIL",
        1,
    )
    assert summary["Tolerance: net weight (kg)"] == "±0.5 %"
    assert summary["Only in our lines"] == 1
    assert not any("_" in str(label) for label in summary)


def test_discrepancy_values_are_numbers_with_two_decimals_and_coloured():
    sheet = workbook()[DISCREPANCIES_SHEET]
    rows = list(sheet.iter_rows(values_only=True))
    ours, theirs, delta = sheet["F2"], sheet["G2"], sheet["H2"]

    assert rows[0] == DISCREPANCY_COLUMNS
    assert rows[1] == (INVOICE, 10, "FULL", "FAIL", "Duty (USD)", 457.84, 451.9, -5.94)
    assert ours.number_format == theirs.number_format == delta.number_format == "#,##0.00"
    assert ours.fill.fgColor.rgb == theirs.fill.fgColor.rgb == "FF" + DIFFERING_FILL[1:]
    assert sheet["D2"].fill.fgColor.rgb == "FF" + FAIL_FILL[1:]
    assert sheet.freeze_panes == "D2"


def test_one_sided_lines_are_listed_with_the_values_their_side_has():
    rows = list(workbook()[ONE_SIDED_SHEET].iter_rows(values_only=True))

    assert [(row[1], row[3]) for row in rows[1:]] == [(30, "ior only"), (40, "SAP only")]
    assert rows[2][5] == "9404210010"
    assert all(isinstance(row[-1], float | int) for row in rows[1:])


def test_passed_lines_are_listed_on_their_own_sheet():
    rows = list(workbook()[PASSED_SHEET].iter_rows(values_only=True))

    assert rows == [("Invoice", "Line", "Component"), (INVOICE, 20, "FULL")]


def test_text_that_looks_like_a_formula_stays_text():
    formula = '=HYPERLINK("http://x","Acme")'
    sheet = openpyxl.load_workbook(
        io.BytesIO(comparison_workbook(result(formula), [SAP], ComparisonConfig()))
    )[DISCREPANCIES_SHEET]
    cells = [cell for row in sheet.iter_rows() for cell in row if cell.value == formula]
    assert len(cells) == 1
    assert cells[0].data_type == "s"
