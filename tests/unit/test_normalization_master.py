"""Product master: weights to kg, the latest valid weight record, the merge with ZEMM005."""

from datetime import date
from decimal import Decimal

from contracts.feeds import WeightUnit
from services.normalization.product_master import latest_weights, merge_product_master
from services.normalization.units import to_kg
from tests.unit.test_normalization_factories import BASE, indexed, material, weight

D = Decimal


def test_pounds_convert_to_kg_exactly():
    assert to_kg(D("143.3"), WeightUnit.LB) == D("64.999786621")


def test_grams_convert_to_kg():
    assert to_kg(D("1350"), WeightUnit.G) == D("1.350")


def test_kilograms_stay_as_they_are():
    assert to_kg(D("52.0"), WeightUnit.KG) == D("52.0")


def test_newest_weight_record_valid_on_the_day_wins():
    older = weight(net_weight="54.0", gross_weight="63", steel_weight="38", valid_from="2024-03-01")
    newer = weight(net_weight="52.0", valid_from="2025-06-01")
    chosen = latest_weights(indexed(newer, older), as_of=date(2026, 11, 22))
    assert chosen[BASE].net_weight == D("52.0")


def test_weight_record_valid_from_the_day_itself_counts():
    record = weight(valid_from="2026-11-22")
    assert latest_weights(indexed(record), as_of=date(2026, 11, 22))[BASE] == record


def test_weight_record_valid_only_later_is_not_in_force_yet():
    current = weight(net_weight="52.0", valid_from="2024-03-01")
    future = weight(net_weight="60.0", gross_weight="70", valid_from="2026-11-23")
    chosen = latest_weights(indexed(current, future), as_of=date(2026, 11, 22))
    assert chosen[BASE].net_weight == D("52.0")


def test_two_weight_records_of_one_day_resolve_to_the_later_one_in_the_extract():
    first = weight(plant="US10", net_weight="52.0")
    second = weight(plant="US20", net_weight="51.0")
    assert latest_weights(indexed(first, second), as_of=date(2026, 1, 1))[BASE] == second


def test_master_row_has_weights_in_kg_and_metal_shares_of_net():
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
    [row] = merge_product_master(
        indexed(material(lounger)), latest_weights(indexed(record), date(2026, 11, 22)), "X-1"
    )
    assert row.net_weight_kg == D("22.5") * D("0.45359237")
    assert row.gross_weight_kg == D("27.0") * D("0.45359237")
    assert row.aluminum_kg == D("18.9") * D("0.45359237")
    assert row.steel_share == D("1.2") / D("22.5")
    assert row.aluminum_share == D("18.9") / D("22.5")
    assert (row.aluminum_smelt_country, row.aluminum_cast_country) == ("UNKNOWN", "MX")
    assert row.weight_valid_from == date(2025, 1, 1)


def test_master_row_without_weight_record_has_no_net_weight():
    [row] = merge_product_master(indexed(material()), {}, "ZEMM005-20261122-0001")
    assert row.net_weight_kg is None
    assert (row.steel_kg, row.steel_share) == (D(0), D(0))


def test_master_keeps_leading_zeros_and_names_its_zemm005_extract():
    [row] = merge_product_master(indexed(material()), {}, "ZEMM005-20261122-0001")
    assert row.material == "000000000010004711"
    assert row.extract_id == "ZEMM005-20261122-0001"
    assert row.material_type == "FERT"


def test_weights_of_a_material_missing_from_zemm005_make_no_row():
    rows = merge_product_master(indexed(material()), {"OTHER": weight("OTHER")}, "X-1")
    assert [row.material for row in rows] == [BASE]
