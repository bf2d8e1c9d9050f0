"""The SAP feed contracts (DOMAIN.md §1): every record rule, the extract header, and the three
shapes a record arrives in (JSON with Decimal/int, CSV all text, XLSX with float/datetime/bool)."""

import re
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

from contracts.feeds import (
    FEEDS,
    ExtractHeader,
    RuleComponent,
    TransportMode,
    WeightUnit,
    Zemm004Record,
    Zemm005Record,
    Zemm006Record,
    Zemm007Record,
    Zfmior002Record,
    Zfmior003Record,
    Zsdr002Record,
    Zsdr010Record,
    record_fields,
)

ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def valid_zfmior002(**overrides: Any) -> dict[str, Any]:
    return {
        "material": "000000000010004711",
        "plant": "1000",
        "weight_unit": "KG",
        "net_weight": Decimal("10.0"),
        "gross_weight": Decimal("12.5"),
        "steel_weight": Decimal("4.5"),
        "aluminum_weight": Decimal("2.5"),
        "steel_melt_pour_country": "CN",
        "aluminum_smelt_country": "CA",
        "aluminum_cast_country": "UNKNOWN",
        "valid_from": "2026-01-01",
        **overrides,
    }


def valid_zemm005(**overrides: Any) -> dict[str, Any]:
    return {
        "material": "000000000010004711",
        "description": "Adjustable base, queen",
        "material_type": "FERT",
        "product_category": "ADJUSTABLE_BASE",
        "hts_code": "9401614011",
        "country_of_origin": "CN",
        "base_unit": "EA",
        "manufacturer_id": "CNACMFUR123SHA",
        **overrides,
    }


def valid_zfmior003(**overrides: Any) -> dict[str, Any]:
    return {
        "hts_code": "9401614011",
        "description": "Seats with wooden frames, upholstered",
        "general_rate_pct": Decimal("0"),
        "unit_of_quantity": "NO",
        "valid_from": "2026-01-01",
        "valid_to": "2026-12-31",
        **overrides,
    }


def valid_zemm007(**overrides: Any) -> dict[str, Any]:
    return {
        "rule_id": "R-232-STEEL",
        "program": "232",
        "chapter99_code": "9903.81.91",
        "product_category": "*",
        "hts_prefix": "9401",
        "country_of_origin": "*",
        "component": "STEEL",
        "rate_pct": Decimal("50"),
        "min_metal_share_pct": Decimal("15"),
        "requires_program": None,
        "excluded_by_program": None,
        "min_usd": Decimal("32.71"),
        "max_usd": Decimal("634.62"),
        "sequence": 20,
        "valid_from": "2025-06-04",
        "valid_to": "2026-04-05",
        **overrides,
    }


def valid_zemm006(**overrides: Any) -> dict[str, Any]:
    return {
        "material": "000000000090000001",
        "description": "Carton 80x200",
        "packaging_type": "CARTON",
        "is_packaging": True,
        **overrides,
    }


def valid_zsdr010(**overrides: Any) -> dict[str, Any]:
    return {
        "customer_id": "0000100001",
        "name": "Acme Furniture Inc",
        "aliases": ["ACME", "Acme Furn."],
        "country": "US",
        "city": "Dallas",
        "active": True,
        **overrides,
    }


def valid_zemm004(**overrides: Any) -> dict[str, Any]:
    return {
        "invoice_number": "0090001234",
        "invoice_date": "2026-11-20",
        "po_number": "4500000001",
        "line_number": 10,
        "material": "000000000010004711",
        "quantity": Decimal("4"),
        "unit": "EA",
        "unit_price": Decimal("125.50"),
        "currency": "EUR",
        "exchange_rate_to_usd": Decimal("1.08"),
        "incoterms": "FOB",
        "ship_to_name": "ACME furniture",
        "supplier_name": "Ningbo Comfort Co Ltd",
        "manufacturer_id": None,
        "port_of_entry": "2704",
        "transport_mode": "OCEAN",
        "entry_date": "2026-11-22",
        **overrides,
    }


def valid_zsdr002(**overrides: Any) -> dict[str, Any]:
    return {
        "invoice_number": "0090001234",
        "line_number": 10,
        "component": "STEEL",
        "material": "000000000010004711",
        "hts_code": "9401614011",
        "country_of_origin": "CN",
        "quantity": Decimal("4"),
        "net_weight_kg": Decimal("18.000"),
        "entered_value_usd": Decimal("243.10"),
        "duty_usd": Decimal("121.55"),
        **overrides,
    }


VALID = {
    "ZFMIOR002": valid_zfmior002,
    "ZEMM005": valid_zemm005,
    "ZFMIOR003": valid_zfmior003,
    "ZEMM007": valid_zemm007,
    "ZEMM006": valid_zemm006,
    "ZSDR010": valid_zsdr010,
    "ZEMM004": valid_zemm004,
    "ZSDR002": valid_zsdr002,
}


def csv_style(record: dict[str, Any]) -> dict[str, str]:
    """The record as a CSV row: every cell text, absent values empty, flags X/blank."""

    def cell(value: Any) -> str:
        if value is None:
            return ""
        if isinstance(value, bool):
            return "X" if value else ""
        if isinstance(value, list):
            return "|".join(value)
        return str(value)

    return {name: cell(value) for name, value in record.items()}


def xlsx_style(record: dict[str, Any]) -> dict[str, Any]:
    """The record as openpyxl reads it: numbers as float, dates as datetime, empty cells None."""

    def cell(value: Any) -> Any:
        if isinstance(value, Decimal):
            return float(value)
        if isinstance(value, str) and ISO_DATE.fullmatch(value):
            return datetime.fromisoformat(value)
        if isinstance(value, list):
            return "|".join(value) or None
        return value

    return {name: cell(value) for name, value in record.items()}


def parse(feed: str, raw: dict[str, Any]) -> BaseModel:
    return FEEDS[feed].model_validate(raw)


def the_error(model: type[BaseModel], raw: dict[str, Any]) -> tuple[str, str]:
    """The one error `raw` has, as (field, message)."""
    with pytest.raises(ValidationError) as caught:
        model.model_validate(raw)
    [error] = caught.value.errors()
    return ".".join(str(part) for part in error["loc"]), error["msg"]


# --- the feed registry -------------------------------------------------------------------------


def test_feeds_registers_the_eight_sap_feeds_under_their_names():
    assert set(FEEDS) == set(VALID)
    assert all(feed == record.FEED for feed, record in FEEDS.items())


@pytest.mark.parametrize("feed", sorted(VALID))
def test_a_line_key_names_fields_of_its_feed(feed):
    assert set(FEEDS[feed].LINE_KEY) <= set(record_fields(feed))


def test_only_the_daily_feeds_declare_a_line_key():
    assert {feed for feed, model in FEEDS.items() if model.LINE_KEY} == {"ZEMM004", "ZSDR002"}


def test_record_fields_are_the_header_row_in_declaration_order():
    assert record_fields("ZSDR010") == (
        "customer_id",
        "name",
        "aliases",
        "country",
        "city",
        "active",
    )


def test_record_fields_of_an_unknown_feed_is_a_key_error():
    with pytest.raises(KeyError):
        record_fields("ZNOPE")


# --- the three input shapes --------------------------------------------------------------------


@pytest.mark.parametrize("feed", sorted(VALID))
def test_json_csv_and_xlsx_shapes_parse_to_the_same_record(feed):
    from_json = parse(feed, VALID[feed]())
    assert parse(feed, csv_style(VALID[feed]())) == from_json
    assert parse(feed, xlsx_style(VALID[feed]())) == from_json


@pytest.mark.parametrize("feed", sorted(VALID))
def test_extra_columns_are_ignored(feed):
    assert parse(feed, VALID[feed](remark="not a field")) == parse(feed, VALID[feed]())


@pytest.mark.parametrize("shape", [dict, csv_style, xlsx_style])
def test_leading_zeros_of_a_material_are_kept(shape):
    record = Zemm004Record.model_validate(shape(valid_zemm004()))
    assert record.material == "000000000010004711"


def test_material_given_as_a_number_is_rejected_as_text():
    field, message = the_error(Zemm004Record, valid_zemm004(material=10004711))
    assert field == "material"
    assert "material must be text" in message and "format the column as Text" in message


def test_excel_float_becomes_the_decimal_the_cell_shows():
    record = Zemm004Record.model_validate(valid_zemm004(unit_price=0.1, quantity=3))
    assert record.unit_price == Decimal("0.1") and isinstance(record.unit_price, Decimal)
    assert record.quantity == Decimal(3) and isinstance(record.quantity, Decimal)


def test_excel_datetime_becomes_its_date():
    record = Zemm004Record.model_validate(valid_zemm004(entry_date=datetime(2026, 11, 22, 13, 5)))
    assert record.entry_date == date(2026, 11, 22)


def test_whole_number_may_arrive_as_text_or_as_an_integral_decimal():
    assert Zemm004Record.model_validate(valid_zemm004(line_number="0010")).line_number == 10
    assert (
        Zemm004Record.model_validate(valid_zemm004(line_number=Decimal("20.0"))).line_number == 20
    )


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("X", True),
        ("x", True),
        ("", False),
        (None, False),
        ("yes", True),
        ("No", False),
        ("TRUE", True),
        ("false", False),
        ("1", True),
        (0, False),
        (True, True),
    ],
)
def test_flags_read_sap_x_and_common_spellings(cell, expected):
    assert Zemm006Record.model_validate(valid_zemm006(is_packaging=cell)).is_packaging is expected


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("ACME| Acme Furn. |", ["ACME", "Acme Furn."]),
        ("ACME", ["ACME"]),
        ("", []),
        (None, []),
        (["ACME", " "], ["ACME"]),
    ],
)
def test_aliases_are_a_list_or_pipe_separated_text(cell, expected):
    assert Zsdr010Record.model_validate(valid_zsdr010(aliases=cell)).aliases == expected


def test_aliases_may_be_left_out():
    raw = valid_zsdr010()
    del raw["aliases"]
    assert Zsdr010Record.model_validate(raw).aliases == []


def test_enumerations_and_countries_are_case_insensitive_and_stored_upper_case():
    weights = Zfmior002Record.model_validate(
        valid_zfmior002(
            weight_unit="lb", steel_melt_pour_country="oth", aluminum_smelt_country="ca"
        )
    )
    assert weights.weight_unit is WeightUnit.LB
    assert (weights.steel_melt_pour_country, weights.aluminum_smelt_country) == ("OTH", "CA")
    line = Zemm004Record.model_validate(valid_zemm004(transport_mode="air", currency="eur"))
    assert (line.transport_mode, line.currency) == (TransportMode.AIR, "EUR")


def test_free_text_typed_as_a_number_in_excel_keeps_its_digits():
    assert Zemm006Record.model_validate(valid_zemm006(description=1200)).description == "1200"


@pytest.mark.parametrize("absent", ["", "  ", None])
def test_empty_optional_fields_are_absent(absent):
    rule = Zemm007Record.model_validate(
        valid_zemm007(chapter99_code=absent, min_usd=absent, max_usd=absent, valid_to=absent)
    )
    assert (rule.chapter99_code, rule.min_usd, rule.max_usd, rule.valid_to) == (None,) * 4
    material = Zemm005Record.model_validate(valid_zemm005(manufacturer_id=absent))
    assert material.manufacturer_id is None


def test_tariff_rule_accepts_wildcards_for_category_prefix_and_country():
    rule = Zemm007Record.model_validate(
        valid_zemm007(product_category="*", hts_prefix="*", country_of_origin="*", component="all")
    )
    assert (rule.product_category, rule.hts_prefix, rule.country_of_origin) == ("*", "*", "*")
    assert rule.component is RuleComponent.ALL


def test_open_ended_hts_validity_has_no_valid_to():
    assert Zfmior003Record.model_validate(valid_zfmior003(valid_to=None)).valid_to is None


def test_usd_line_needs_no_exchange_rate():
    line = Zemm004Record.model_validate(valid_zemm004(currency="USD", exchange_rate_to_usd=""))
    assert line.exchange_rate_to_usd is None


def test_usd_line_may_give_an_exchange_rate_of_one():
    line = Zemm004Record.model_validate(valid_zemm004(currency="USD", exchange_rate_to_usd="1.000"))
    assert line.exchange_rate_to_usd == 1


def test_metal_free_material_needs_no_metal_origin():
    weights = Zfmior002Record.model_validate(
        valid_zfmior002(
            steel_weight=0,
            aluminum_weight="0",
            steel_melt_pour_country="",
            aluminum_smelt_country=None,
            aluminum_cast_country="",
        )
    )
    assert weights.steel_melt_pour_country is None and weights.aluminum_cast_country is None


def test_sap_declares_a_metal_content_line_with_quantity_zero():
    line = Zsdr002Record.model_validate(valid_zsdr002(component="STEEL", quantity="0"))
    assert line.quantity == 0


def test_metal_may_make_up_the_whole_net_weight():
    weights = Zfmior002Record.model_validate(
        valid_zfmior002(steel_weight=Decimal("7.5"), aluminum_weight=Decimal("2.5"))
    )
    assert weights.steel_weight + weights.aluminum_weight == weights.net_weight


# --- decimals: exact as sent, up to 18 decimal places (DOMAIN.md §1) ----------------------------


@pytest.mark.parametrize(
    "rate",
    [Decimal("0.138888888888888889"), "0.138888888888888889", "138888888888888889E-18"],
    ids=["json", "csv", "exponent"],
)
def test_decimal_with_18_places_is_kept_exactly(rate):
    line = Zemm004Record.model_validate(valid_zemm004(exchange_rate_to_usd=rate))
    assert line.exchange_rate_to_usd == Decimal("0.138888888888888889")


def test_excel_float_rate_keeps_every_place_the_cell_shows():
    line = Zemm004Record.model_validate(valid_zemm004(exchange_rate_to_usd=0.1388888888888889))
    assert line.exchange_rate_to_usd == Decimal("0.1388888888888889")


@pytest.mark.parametrize("quantity", ["1.5E-3", Decimal("2.5E+3"), "1E-18"])
def test_exponent_form_within_18_places_is_accepted(quantity):
    line = Zemm004Record.model_validate(valid_zemm004(quantity=quantity))
    assert line.quantity == Decimal(quantity)


@pytest.mark.parametrize("field", ["quantity", "exchange_rate_to_usd"])
@pytest.mark.parametrize(
    ("value", "places"),
    [
        (Decimal("0.13888888888888888889"), 20),
        ("0.1388888888888888888", 19),
        ("1E-20", 20),
        (Decimal("1E-20"), 20),
        (1e-20, 20),
    ],
    ids=["json", "csv", "csv-exponent", "json-exponent", "xlsx-float"],
)
def test_more_than_18_decimal_places_is_rejected_naming_the_field(field, value, places):
    reported_field, message = the_error(Zemm004Record, valid_zemm004(**{field: value}))
    assert reported_field == field
    assert f"{field} has {places} decimal places; round it to at most 18" in message


@pytest.mark.parametrize(
    "value",
    [float("nan"), float("inf"), float("-inf"), Decimal("NaN"), Decimal("sNaN"), Decimal("-Inf")],
    ids=["float-nan", "float-inf", "float-minus-inf", "nan", "snan", "minus-infinity"],
)
def test_not_a_number_and_infinity_are_rejected_naming_the_field(value):
    field, message = the_error(Zemm004Record, valid_zemm004(quantity=value))
    assert field == "quantity"
    assert "quantity must be a finite number" in message


@pytest.mark.parametrize("text", ["NaN", "Infinity", "-inf", "sNaN"])
def test_not_a_number_and_infinity_as_text_are_rejected_naming_the_field(text):
    field, message = the_error(Zemm004Record, valid_zemm004(quantity=text))
    assert field == "quantity"
    assert "quantity must be a number such as 12.5" in message


def test_exponent_beyond_any_decimal_is_rejected_naming_the_field():
    field, message = the_error(Zemm004Record, valid_zemm004(quantity="1E-99999999999999999999"))
    assert field == "quantity"
    assert "out of range" in message


# --- every rule, broken once: the error names the field and states the rule ---------------------

RULES = [
    # ZFMIOR002
    ("ZFMIOR002", {"material": ""}, "material", "material is required"),
    ("ZFMIOR002", {"plant": 1000}, "plant", "plant must be text"),
    ("ZFMIOR002", {"weight_unit": "OZ"}, "weight_unit", "'KG', 'LB' or 'G'"),
    ("ZFMIOR002", {"net_weight": 0}, "net_weight", "greater than 0"),
    ("ZFMIOR002", {"net_weight": "10,5"}, "net_weight", "must be a number"),
    ("ZFMIOR002", {"gross_weight": Decimal("9.9")}, "gross_weight", "less than net_weight (10.0)"),
    ("ZFMIOR002", {"steel_weight": -1}, "steel_weight", "greater than or equal to 0"),
    ("ZFMIOR002", {"aluminum_weight": -1}, "aluminum_weight", "greater than or equal to 0"),
    (
        "ZFMIOR002",
        {"aluminum_weight": Decimal("6.0")},
        "aluminum_weight",
        "steel_weight + aluminum_weight (10.5) exceeds net_weight (10.0)",
    ),
    (
        "ZFMIOR002",
        {"steel_melt_pour_country": ""},
        "steel_melt_pour_country",
        "required when steel_weight > 0",
    ),
    ("ZFMIOR002", {"steel_melt_pour_country": "XX"}, "steel_melt_pour_country", "or OTH"),
    (
        "ZFMIOR002",
        {"aluminum_smelt_country": None},
        "aluminum_smelt_country",
        "required when aluminum_weight > 0",
    ),
    (
        "ZFMIOR002",
        {"aluminum_cast_country": ""},
        "aluminum_cast_country",
        "required when aluminum_weight > 0",
    ),
    ("ZFMIOR002", {"aluminum_cast_country": "OTH"}, "aluminum_cast_country", "or UNKNOWN"),
    ("ZFMIOR002", {"valid_from": "22.11.2026"}, "valid_from", "YYYY-MM-DD"),
    ("ZFMIOR002", {"valid_from": "2026-02-30"}, "valid_from", "not a day of the calendar"),
    # ZEMM005
    ("ZEMM005", {"description": " "}, "description", "description is required"),
    ("ZEMM005", {"material_type": "ROH"}, "material_type", "'FERT', 'HAWA' or 'VERP'"),
    ("ZEMM005", {"product_category": ""}, "product_category", "product_category is required"),
    ("ZEMM005", {"hts_code": "9401.61.4011"}, "hts_code", "exactly 10 digits"),
    ("ZEMM005", {"hts_code": 9401614011}, "hts_code", "hts_code must be text"),
    ("ZEMM005", {"country_of_origin": "CHN"}, "country_of_origin", "ISO 3166-1 alpha-2"),
    ("ZEMM005", {"country_of_origin": "XX"}, "country_of_origin", "ISO 3166-1 alpha-2"),
    ("ZEMM005", {"base_unit": None}, "base_unit", "base_unit is required"),
    # ZFMIOR003
    ("ZFMIOR003", {"hts_code": "940161401"}, "hts_code", "exactly 10 digits"),
    ("ZFMIOR003", {"general_rate_pct": "-0.5"}, "general_rate_pct", "greater than or equal to 0"),
    ("ZFMIOR003", {"unit_of_quantity": ""}, "unit_of_quantity", "unit_of_quantity is required"),
    ("ZFMIOR003", {"valid_to": "2025-12-31"}, "valid_to", "is before valid_from (2026-01-01)"),
    # ZEMM007
    ("ZEMM007", {"program": 232}, "program", "program must be text"),
    ("ZEMM007", {"hts_prefix": "9"}, "hts_prefix", "2 to 10 digits"),
    ("ZEMM007", {"hts_prefix": "94016140110"}, "hts_prefix", "2 to 10 digits"),
    ("ZEMM007", {"country_of_origin": "XX"}, "country_of_origin", "or *"),
    ("ZEMM007", {"component": "BOTH"}, "component", "'FULL' or 'ALL'"),
    ("ZEMM007", {"rate_pct": -1}, "rate_pct", "greater than or equal to 0"),
    ("ZEMM007", {"min_metal_share_pct": 101}, "min_metal_share_pct", "less than or equal to 100"),
    ("ZEMM007", {"min_usd": "-1"}, "min_usd", "greater than or equal to 0"),
    ("ZEMM007", {"max_usd": Decimal("30")}, "max_usd", "less than min_usd (32.71)"),
    ("ZEMM007", {"sequence": "first"}, "sequence", "whole number"),
    ("ZEMM007", {"valid_to": "2025-06-03"}, "valid_to", "is before valid_from (2025-06-04)"),
    # ZEMM006
    ("ZEMM006", {"packaging_type": ""}, "packaging_type", "packaging_type is required"),
    ("ZEMM006", {"is_packaging": "maybe"}, "is_packaging", "true or false"),
    # ZSDR010
    ("ZSDR010", {"customer_id": 100001}, "customer_id", "customer_id must be text"),
    ("ZSDR010", {"aliases": 5}, "aliases", "list of names"),
    ("ZSDR010", {"country": "USA"}, "country", "ISO 3166-1 alpha-2"),
    ("ZSDR010", {"active": 2}, "active", "true or false"),
    # ZEMM004
    ("ZEMM004", {"invoice_date": "2026/11/20"}, "invoice_date", "YYYY-MM-DD"),
    ("ZEMM004", {"po_number": 4500000001}, "po_number", "po_number must be text"),
    ("ZEMM004", {"line_number": "ten"}, "line_number", "whole number"),
    ("ZEMM004", {"line_number": Decimal("10.5")}, "line_number", "whole number"),
    ("ZEMM004", {"line_number": 0}, "line_number", "greater than 0"),
    ("ZEMM004", {"quantity": "0"}, "quantity", "greater than 0"),
    ("ZEMM004", {"unit_price": Decimal("-0.01")}, "unit_price", "greater than or equal to 0"),
    ("ZEMM004", {"currency": "US$"}, "currency", "3-letter currency code"),
    (
        "ZEMM004",
        {"exchange_rate_to_usd": ""},
        "exchange_rate_to_usd",
        "required when currency is EUR",
    ),
    ("ZEMM004", {"exchange_rate_to_usd": 0}, "exchange_rate_to_usd", "greater than 0"),
    (
        "ZEMM004",
        {"currency": "USD", "exchange_rate_to_usd": Decimal("1.08")},
        "exchange_rate_to_usd",
        "currency is USD",
    ),
    ("ZEMM004", {"ship_to_name": ""}, "ship_to_name", "ship_to_name is required"),
    ("ZEMM004", {"port_of_entry": "270"}, "port_of_entry", "4-digit CBP port code"),
    ("ZEMM004", {"port_of_entry": 2704}, "port_of_entry", "port_of_entry must be text"),
    ("ZEMM004", {"transport_mode": "SHIP"}, "transport_mode", "'OCEAN', 'AIR', 'TRUCK' or 'RAIL'"),
    ("ZEMM004", {"entry_date": "tomorrow"}, "entry_date", "YYYY-MM-DD"),
    # ZSDR002
    ("ZSDR002", {"line_number": -10}, "line_number", "greater than 0"),
    ("ZSDR002", {"component": "ALL"}, "component", "'ALUMINUM' or 'FULL'"),
    ("ZSDR002", {"hts_code": "94016140AB"}, "hts_code", "exactly 10 digits"),
    ("ZSDR002", {"country_of_origin": "EU"}, "country_of_origin", "ISO 3166-1 alpha-2"),
    ("ZSDR002", {"quantity": "-1"}, "quantity", "greater than or equal to 0"),
    ("ZSDR002", {"net_weight_kg": -1}, "net_weight_kg", "greater than or equal to 0"),
    ("ZSDR002", {"entered_value_usd": -1}, "entered_value_usd", "greater than or equal to 0"),
    ("ZSDR002", {"duty_usd": "-0.01"}, "duty_usd", "greater than or equal to 0"),
]


@pytest.mark.parametrize(
    ("feed", "overrides", "field", "rule"),
    RULES,
    ids=[f"{feed}-{'-'.join(overrides)}-{rule}" for feed, overrides, _, rule in RULES],
)
def test_broken_rule_is_reported_on_its_field(feed, overrides, field, rule):
    reported_field, message = the_error(FEEDS[feed], VALID[feed](**overrides))
    assert reported_field == field
    assert rule in message


@pytest.mark.parametrize("feed", sorted(VALID))
@pytest.mark.parametrize("filler", [[], object(), "?"], ids=["list", "object", "text"])
def test_every_error_names_a_field(feed, filler):
    with pytest.raises(ValidationError) as caught:
        FEEDS[feed].model_validate(dict.fromkeys(record_fields(feed), filler))
    assert all(error["loc"] for error in caught.value.errors())


@pytest.mark.parametrize("feed", sorted(VALID))
def test_an_empty_record_reports_each_required_field_by_name(feed):
    with pytest.raises(ValidationError) as caught:
        FEEDS[feed].model_validate({})
    required = {name for name, info in FEEDS[feed].model_fields.items() if info.is_required()}
    assert {error["loc"][0] for error in caught.value.errors()} >= required


# --- the extract header ------------------------------------------------------------------------


def extract(**overrides: Any) -> dict[str, Any]:
    records = [valid_zemm004(), valid_zemm004(line_number=20)]
    return {
        "feed": "ZEMM004",
        "extract_id": "ZEMM004-20261122-0001",
        "extracted_at": "2026-11-22T02:00:00Z",
        "sap_system": "PRD",
        "record_count": len(records),
        "records": records,
        **overrides,
    }


def test_header_keeps_the_records_raw_for_validation_one_by_one():
    broken = valid_zemm004(quantity=0)
    header = ExtractHeader.model_validate(extract(records=[broken], record_count=1))
    assert header.records == [broken]


def test_header_ignores_unknown_envelope_fields():
    assert ExtractHeader.model_validate(extract(comment="x")) == ExtractHeader.model_validate(
        extract()
    )


def test_extraction_time_is_normalised_to_utc():
    header = ExtractHeader.model_validate(extract(extracted_at="2026-11-22T03:00:00+01:00"))
    assert header.extracted_at == datetime(2026, 11, 22, 2, tzinfo=UTC)
    assert header.extracted_at.tzinfo is UTC


@pytest.mark.parametrize("naive", ["2026-11-22T02:00:00", datetime(2026, 11, 22, 2)])
def test_extraction_time_without_timezone_is_rejected(naive):
    field, message = the_error(ExtractHeader, extract(extracted_at=naive))
    assert field == "extracted_at"
    assert "no timezone" in message


def test_record_count_must_match_the_records_held():
    field, message = the_error(ExtractHeader, extract(record_count=3))
    assert field == "record_count"
    assert "record_count is 3 but the file holds 2 records" in message


def test_record_count_cannot_be_negative():
    field, message = the_error(ExtractHeader, extract(record_count=-1, records=[]))
    assert field == "record_count"
    assert "greater than or equal to 0" in message


def test_unknown_feed_is_rejected_naming_the_known_ones():
    field, message = the_error(ExtractHeader, extract(feed="ZMM999"))
    assert field == "feed"
    assert "unknown feed 'ZMM999'; expected one of" in message and "ZSDR002" in message


@pytest.mark.parametrize("envelope_field", ["extract_id", "sap_system"])
def test_empty_envelope_field_is_rejected(envelope_field):
    field, message = the_error(ExtractHeader, extract(**{envelope_field: " "}))
    assert field == envelope_field
    assert "is required" in message


@pytest.mark.parametrize(
    ("feed", "field", "rule"),
    [
        ("ZFMIOR002", "steel_melt_pour_country", "required when steel_weight > 0"),
        ("ZFMIOR002", "aluminum_smelt_country", "required when aluminum_weight > 0"),
        ("ZFMIOR002", "aluminum_cast_country", "required when aluminum_weight > 0"),
        ("ZEMM004", "exchange_rate_to_usd", "required when currency is EUR"),
    ],
)
def test_conditionally_required_field_left_out_is_reported(feed, field, rule):
    raw = VALID[feed]()
    del raw[field]
    reported_field, message = the_error(FEEDS[feed], raw)
    assert reported_field == field
    assert rule in message


def test_free_text_longer_than_the_limit_is_rejected_with_its_length():
    from pydantic import ValidationError

    from contracts.feeds import Zsdr010Record

    record = {
        "customer_id": "0000100001",
        "name": "x" * 10_000,
        "aliases": [],
        "country": "US",
        "city": "Dallas",
        "active": True,
    }
    with pytest.raises(ValidationError, match="at most 500"):
        Zsdr010Record.model_validate(record)


def test_code_longer_than_the_limit_is_rejected():
    from pydantic import ValidationError

    from contracts.feeds import ExtractHeader

    with pytest.raises(ValidationError, match="at most 64"):
        ExtractHeader.model_validate(
            {
                "feed": "ZSDR010",
                "extract_id": "ZSDR010-20261122-0001",
                "extracted_at": "2026-11-22T02:00:00Z",
                "sap_system": "S" * 2_000,
                "record_count": 0,
                "records": [],
            }
        )
