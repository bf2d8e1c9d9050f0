"""Product master: weights to kg, the weight history, the record valid at the entry date."""

from datetime import date
from decimal import Decimal

from contracts.datasets import MaterialRow
from contracts.feeds import WeightUnit
from contracts.product_master import product_on, weight_at, weight_history
from services.normalization.records import Indexed
from services.normalization.reference_rows import REFERENCE_FEEDS, weight_record_row
from services.normalization.units import to_kg
from tests.unit.test_normalization_factories import BASE, indexed, material, weight

D = Decimal


def history(*records):
    return weight_history(weight_record_row(i) for i in indexed(*records))[BASE]


def material_row(material_number: str = BASE) -> MaterialRow:
    return MaterialRow.model_validate(material(material_number).model_dump(mode="json"))


def test_pounds_convert_to_kg_exactly():
    assert to_kg(D("143.3"), WeightUnit.LB) == D("64.999786621")


def test_grams_convert_to_kg():
    assert to_kg(D("1350"), WeightUnit.G) == D("1.350")


def test_kilograms_stay_as_they_are():
    assert to_kg(D("52.0"), WeightUnit.KG) == D("52.0")


def test_newest_weight_record_valid_on_the_entry_date_wins():
    older = weight(net_weight="54.0", gross_weight="63", steel_weight="38", valid_from="2024-03-01")
    newer = weight(net_weight="52.0", valid_from="2025-06-01")
    chosen = weight_at(history(newer, older), date(2026, 11, 22))
    assert chosen is not None and chosen.net_weight_kg == D("52.0")


def test_an_entry_before_the_newer_record_uses_the_older_one():
    older = weight(net_weight="54.0", gross_weight="63", steel_weight="38", valid_from="2024-03-01")
    newer = weight(net_weight="52.0", valid_from="2025-06-01")
    chosen = weight_at(history(newer, older), date(2025, 5, 31))
    assert chosen is not None and chosen.net_weight_kg == D("54.0")


def test_weight_record_valid_from_the_entry_date_itself_counts():
    chosen = weight_at(history(weight(valid_from="2026-11-22")), date(2026, 11, 22))
    assert chosen is not None and chosen.valid_from == date(2026, 11, 22)


def test_an_entry_before_every_weight_record_has_none():
    assert weight_at(history(weight(valid_from="2025-06-01")), date(2025, 5, 31)) is None


def test_two_weight_records_of_one_day_resolve_to_the_later_one_in_the_extract():
    first = weight(plant="US10", net_weight="52.0")
    second = weight(plant="US20", net_weight="51.0")
    chosen = weight_at(history(first, second), date(2026, 1, 1))
    assert chosen is not None and chosen.plant == "US20"


def test_weight_records_of_one_material_and_plant_on_two_days_have_two_keys():
    row_key = REFERENCE_FEEDS["ZFMIOR002"].row_key
    first, second = (
        weight_record_row(Indexed(i, weight(valid_from=day)))
        for i, day in enumerate(("2024-03-01", "2025-06-01"))
    )
    assert row_key(first) != row_key(second)


def test_product_has_weights_in_kg_and_metal_shares_of_net():
    lounger = "000000000010006002"
    record = weight(
        lounger,
        weight_unit="LB",
        net_weight="22.5",
        gross_weight="27.0",
        steel_weight="1.2",
        aluminum_weight="18.9",
        steel_melt_pour_country="MX",
        aluminum_smelt_country="UNKNOWN",
        aluminum_cast_country="MX",
        valid_from="2025-01-01",
    )
    row = product_on(material_row(lounger), weight_record_row(Indexed(0, record)))
    assert row.net_weight_kg == D("22.5") * D("0.45359237")
    assert row.gross_weight_kg == D("27.0") * D("0.45359237")
    assert row.aluminum_kg == D("18.9") * D("0.45359237")
    assert row.steel_share == D("1.2") / D("22.5")
    assert row.aluminum_share == D("18.9") / D("22.5")
    assert (row.aluminum_smelt_country, row.aluminum_cast_country) == ("UNKNOWN", "MX")
    assert (row.weight_plant, row.weight_valid_from) == ("US10", date(2025, 1, 1))


def test_product_without_a_weight_record_has_no_net_weight():
    row = product_on(material_row(), None)
    assert row.net_weight_kg is None
    assert (row.steel_kg, row.steel_share) == (D(0), D(0))


def test_product_keeps_leading_zeros():
    row = product_on(material_row(), None)
    assert row.material == "000000000010004711"
    assert row.material_type == "FERT"
