"""The bounds that keep hostile values out at ingestion (issue 20): each is rejected with a finding
that names its field and says what is wrong, and the largest values still accepted compute."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pyarrow as pa
import pytest
from pydantic import ValidationError

from contracts.arrow_schemas import DECIMAL
from contracts.feeds import ExtractHeader, Zemm004Record, Zemm005Record, Zsdr010Record
from contracts.feeds.limits import MAX_LINE_VALUE_USD
from services.ingestion.errors import ExtractUnreadable
from services.ingestion.locations import FileFormat, parse_location, safe_name
from services.ingestion.readers import read_json_extract, read_table
from services.ingestion.report import RejectionReport
from services.ingestion.validation import validate_records
from services.normalization.invoices import value_usd
from services.runtime.aws.landing import push_key
from tests import hostile_files

INT_DIGITS_HINT = "set_int_max_str_digits"


def invoice_line(**overrides: object) -> dict:
    return {
        "invoice_number": "SFW-2508-0147",
        "invoice_date": "2025-08-22",
        "po_number": "4500018231",
        "line_number": 10,
        "material": "000000000010004711",
        "quantity": "120",
        "unit": "EA",
        "unit_price": "185.0",
        "currency": "USD",
        "incoterms": "FOB",
        "ship_to_name": "Sleep Number Corporation",
        "supplier_name": "Shanghai Furniture Works Co., Ltd.",
        "port_of_entry": "2704",
        "transport_mode": "OCEAN",
        "entry_date": "2025-09-18",
        **overrides,
    }


def rejection(model: type, record: dict) -> tuple[str, str]:
    """(field, message) of the one error `record` has."""
    with pytest.raises(ValidationError) as caught:
        model.model_validate(record)
    [error] = caught.value.errors(include_url=False)
    return ".".join(str(part) for part in error["loc"]), error["msg"]


@pytest.mark.parametrize(
    ("field", "value", "rule"),
    [
        ("quantity", "1e400", "too large"),
        ("quantity", Decimal("1E+400"), "too large"),
        ("unit_price", "1e-400", "decimal places"),
        ("quantity", "12345678901234567890", "too large"),
        ("unit_price", "98765432109876543210", "too large"),
        ("quantity", "9" * 5000, "too large"),
        ("line_number", Decimal("1e30"), "too large for a whole number"),
        ("line_number", 1e30, "too large for a whole number"),
        ("line_number", "9" * 5000, "too large for a whole number"),
        ("line_number", 1_000_000, "less than or equal to 999999"),
        ("quantity", "\uff11\uff12", "must be a number"),  # fullwidth 12
        ("line_number", "\u0661\u0660", "must be a whole number"),  # Arabic-Indic 10
        ("port_of_entry", "\u0662\u0667\u0660\u0664", "4-digit CBP port code"),
        ("ship_to_name", "Acme\x00Inc", "control character (U+0000)"),
        ("ship_to_name", "Acme \u202eInc", "text-direction control (U+202E)"),
        ("supplier_name", "Acme \ud800", "lone surrogate"),
        ("invoice_number", "INV\n1", "control character (U+000A)"),
    ],
)
def test_invoice_line_value_that_could_not_be_computed_or_shown_is_rejected(field, value, rule):
    found, message = rejection(Zemm004Record, invoice_line(**{field: value}))
    assert found == field
    assert rule in message
    assert INT_DIGITS_HINT not in message
    assert len(message) < 300, "a message quotes the value cut short"


def test_a_line_value_beyond_what_one_line_can_be_worth_names_the_three_fields():
    found, message = rejection(
        Zemm004Record, invoice_line(quantity="999999999", unit_price="99999999999999")
    )
    assert found == "exchange_rate_to_usd"
    assert "quantity * unit_price * exchange_rate_to_usd" in message


def test_fullwidth_hts_code_is_rejected():
    record = {
        "material": "000000000010004711",
        "description": "Adjustable base",
        "material_type": "FERT",
        "product_category": "ADJUSTABLE_BASE",
        "hts_code": "\uff19\uff14\uff10\uff11\uff16\uff11\uff14\uff10\uff11\uff11",
        "country_of_origin": "CN",
        "base_unit": "EA",
    }
    assert rejection(Zemm005Record, record)[0] == "hts_code"


def test_a_line_break_in_a_description_reads_as_a_space_and_an_escape_is_refused():
    record = {
        "material": "000000000010004711",
        "description": "Adjustable base\r\nqueen,\tgrey ",
        "material_type": "FERT",
        "product_category": "ADJUSTABLE_BASE",
        "hts_code": "9401614011",
        "country_of_origin": "CN",
        "base_unit": "EA",
    }
    assert Zemm005Record.model_validate(record).description == "Adjustable base queen, grey"
    escaped = {**record, "description": "Adjustable\x1bbase"}
    assert rejection(Zemm005Record, escaped)[0] == "description"


def test_an_alias_with_a_control_character_is_rejected():
    record = {
        "customer_id": "1",
        "name": "Acme",
        "aliases": ["ACME", "A\x1bCME"],
        "country": "US",
        "city": "Dallas",
        "active": True,
    }
    assert rejection(Zsdr010Record, record) == (
        "aliases",
        "Value error, aliases holds a control character (U+001B) at position 2; remove it",
    )


def test_negative_zero_is_read_as_zero_so_no_value_shows_as_minus_zero():
    record = Zemm004Record.model_validate(invoice_line(unit_price="-0.0"))
    assert not record.unit_price.is_signed()
    assert str(value_usd(record.quantity, record.unit_price, Decimal(1))) == "0.00"


def test_the_largest_line_accepted_is_valued_stored_and_taxed_without_error():
    record = Zemm004Record.model_validate(
        invoice_line(quantity="999999999.999999999999999999", unit_price="999.99999999999999999")
    )
    value = value_usd(record.quantity, record.unit_price, Decimal(1))
    assert value <= MAX_LINE_VALUE_USD
    duty = (value * Decimal(1000) / 100).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    totals = sum([duty] * 200_000, Decimal(0))  # every line of the largest extract
    stored = pa.array([record.quantity, record.unit_price, value, duty, totals], DECIMAL)
    assert stored.to_pylist()[2] == value


def header(**overrides: object) -> dict:
    return {
        "feed": "ZSDR010",
        "extract_id": "ZSDR010-20261122-0001",
        "extracted_at": "2026-11-22T02:00:00Z",
        "sap_system": "PRD",
        "record_count": 0,
        "records": [],
        **overrides,
    }


@pytest.mark.parametrize(
    ("overrides", "field", "rule"),
    [
        ({"extract_id": "ZSDR010\n0001"}, "extract_id", "control character (U+000A)"),
        ({"extract_id": "ZSDR010\x070001"}, "extract_id", "control character"),
        ({"extract_id": "../../../audit/x"}, "extract_id", "letters, digits"),
        ({"extract_id": "E" * 1000}, "extract_id", "letters, digits"),
        ({"extract_id": "\ud800"}, "extract_id", "lone surrogate"),
        ({"extracted_at": "9999-12-31T23:00:00-05:00"}, "extracted_at", "outside the years"),
        ({"extracted_at": "0001-01-01T00:00:00+01:00"}, "extracted_at", "outside the years"),
        ({"record_count": "9" * 5000}, "record_count", "too large"),
    ],
)
def test_extract_header_value_unfit_for_keys_attributes_or_time_is_refused(overrides, field, rule):
    with pytest.raises(ValidationError) as caught:
        ExtractHeader.model_validate(header(**overrides))
    [error] = caught.value.errors(include_url=False)
    assert error["loc"] == (field,)
    assert rule in error["msg"]


def test_json_integer_of_5000_digits_is_read_as_a_number_the_feed_can_reject():
    document = read_json_extract(b'{"records": [{"line_number": ' + b"9" * 5000 + b"}]}")
    assert document["records"][0]["line_number"] == Decimal("9" * 5000)


def test_report_of_a_lone_surrogate_can_be_encoded():
    raw = json.loads(
        '{"customer_id": "1", "name": "Acme \\ud800", "country": "US",'
        ' "city": "Dallas", "active": true}'
    )
    extract = ExtractHeader.model_validate(header(records=[raw], record_count=1))
    validated = validate_records(extract)
    [finding] = validated.findings
    report = RejectionReport(
        file="s3://raw/x",
        sha256="0" * 64,
        feed="ZSDR010",
        extract_id="x",
        received_at=datetime.now(UTC),
        whole_file=False,
        reason="1 record rejected: name",
        accepted_count=0,
        rejected_count=1,
        quarantined_copy=None,
        findings=validated.findings,
    )
    assert "\\ud800" in json.loads(report.to_json())["findings"][0]["value"]
    assert finding.field == "name"


@pytest.mark.parametrize(
    "key",
    [
        "sap/ZSDR010/2026/11/22/ZSDR010-20261122-0001.json\n",
        "sap/ZSDR010/2026/11/22/ZSDR010\n0001.json",
        f"sap/ZSDR010/2026/11/22/{'A' * 1000}.json",
    ],
)
def test_key_with_a_newline_or_a_name_too_long_is_unreadable(key):
    with pytest.raises(ExtractUnreadable):
        parse_location(key)


@pytest.mark.parametrize(
    ("key", "name"),
    [
        (f"sap/ZSDR010/2026/11/22/{'A' * 1000}.json", "A" * 100),
        ("sap/ZSDR010/2026/11/22/ZSDR010\n0001.json", "ZSDR010_0001.json"),
        ("upload/ZSDR010/..", "file"),
        ("upload/ZSDR010/$(reboot) \u202e.csv", "reboot_.csv"),
    ],
)
def test_quarantine_name_is_short_and_safe_whatever_the_key(key, name):
    assert safe_name(key) == name


def test_push_of_an_extract_from_the_year_1_lands_under_a_four_digit_year(tmp_path: Path):
    file = tmp_path / "ZSDR010-00010101-0001.json"
    file.write_text(json.dumps(header(extracted_at="0001-01-01T00:00:00Z")))
    assert push_key(file) == "sap/ZSDR010/0001/01/01/ZSDR010-00010101-0001.json"


def test_push_of_deeply_nested_json_is_a_landing_question_not_a_crash(tmp_path: Path):
    file = tmp_path / "ZSDR010-nested.json"
    file.write_bytes(hostile_files.nested_json(100_000))
    assert push_key(file, "ZSDR010").startswith("sap/ZSDR010/")


@pytest.mark.parametrize(
    ("build", "reason"),
    [
        (hostile_files.external_entity_workbook, "declares a document type or entities"),
        (hostile_files.billion_laughs_workbook, "declares a document type or entities"),
        (hostile_files.malformed_shared_strings_workbook, "not a readable .xlsx"),
        (hostile_files.malformed_sheet_workbook, "sheet cannot be read"),
        (lambda: hostile_files.shared_strings_bomb_workbook(17 * 2**20), "shared strings unpack"),
        (lambda: hostile_files.zip_bomb_workbook(65 * 2**20), "workbook unpacks to"),
        (lambda: hostile_files.far_column_workbook(1000), "16384 columns; at most 64"),
        (hostile_files.last_row_workbook, "blank rows count too"),
        (lambda: hostile_files.long_cell_workbook(40_000), "cell of 40000 characters"),
    ],
)
def test_hostile_workbook_is_unreadable_before_it_costs_memory_or_time(build, reason):
    with pytest.raises(ExtractUnreadable, match=reason):
        read_table(build(), FileFormat.XLSX, 200_000)


def test_workbook_with_shared_strings_is_read():
    rows = read_table(hostile_files.valid_shared_strings_workbook(), FileFormat.XLSX, 10)
    assert [row["city"] for row in rows] == ["Dallas"]
