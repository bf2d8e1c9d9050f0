"""Entry fees (DOMAIN.md §3.5): MPF clamp, HMF by sea only, pro-rata allocation."""

from datetime import date

from services.customs_generation.fees import (
    allocate_pro_rata,
    entry_fees,
    fee_rule,
    harbor_maintenance_fee,
    merchandise_processing_fee,
)
from services.customs_generation.reference import ReferenceSnapshot
from tests.unit.customs_factories import D, fee_rules, rule

MPF = rule("MPF", "MPF", None, "0.3464", min_usd="32.71", max_usd="634.62")


def rules_on(day):
    return ReferenceSnapshot.build(
        materials=[], weights=[], hts_codes=[], tariff_rules=fee_rules(), packaging=[]
    ).rules_at(day)


def test_mpf_below_the_minimum_is_raised_to_it():
    # 9000.00 x 0.3464 % = 31.176 -> 31.18 < 32.71
    assert merchandise_processing_fee(MPF, D("9000.00")) == D("32.71")


def test_mpf_between_the_bounds_is_the_rounded_rate():
    # 12345.67 x 0.3464 % = 42.76540088 -> 42.77
    assert merchandise_processing_fee(MPF, D("12345.67")) == D("42.77")


def test_mpf_above_the_maximum_is_cut_to_it():
    # 200000.00 x 0.3464 % = 692.80 > 634.62
    assert merchandise_processing_fee(MPF, D("200000.00")) == D("634.62")


def test_mpf_rule_without_bounds_does_not_clamp():
    unbounded = rule("MPF-X", "MPF", None, "0.3464")

    assert merchandise_processing_fee(unbounded, D("100.00")) == D("0.35")  # 0.3464 -> 0.35


def test_hmf_is_the_rounded_rate_without_bounds():
    # 1234.56 x 0.125 % = 1.5432 -> 1.54
    assert harbor_maintenance_fee(rule("HMF", "HMF", None, "0.125"), D("1234.56")) == D("1.54")


def test_fee_rule_is_the_one_valid_at_the_entry_date():
    assert fee_rule(rules_on(date(2025, 9, 30)), "MPF").rule_id == "MPF-FY25"
    assert fee_rule(rules_on(date(2025, 10, 1)), "MPF").rule_id == "MPF-FY26"
    assert fee_rule(rules_on(date(2024, 9, 30)), "MPF") is None


def test_overlapping_fee_rules_take_the_one_that_started_last():
    old = rule("MPF-OLD", "MPF", None, "0.3464", valid_from=date(2024, 10, 1))
    new = rule("MPF-NEW", "MPF", None, "0.3500", valid_from=date(2025, 10, 1))

    assert fee_rule([new, old], "MPF") is new


def test_entry_by_air_has_no_hmf():
    fees = entry_fees(rules_on(date(2025, 6, 2)), "AIR", D("1000.00"))

    assert (fees.mpf_usd, fees.hmf_usd) == (D("32.71"), D("0"))
    assert [rate.program for rate in fees.rates] == ["MPF"]


def test_entry_by_sea_has_mpf_and_hmf():
    fees = entry_fees(rules_on(date(2025, 6, 2)), "OCEAN", D("1000.00"))

    assert (fees.mpf_usd, fees.hmf_usd) == (D("32.71"), D("1.25"))
    assert [(rate.program, rate.min_usd) for rate in fees.rates] == [
        ("MPF", D("32.71")),
        ("HMF", None),
    ]


def test_entry_without_a_valid_fee_rule_is_charged_nothing():
    fees = entry_fees([], "OCEAN", D("1000.00"))

    assert (fees.mpf_usd, fees.hmf_usd, fees.rates) == (D("0"), D("0"), ())


def test_allocation_gives_the_rounding_remainder_to_the_largest_line():
    # 10.00 x 100/350 = 2.857 -> 2.86; x 200/350 = 5.714 -> 5.71; x 50/350 = 1.428 -> 1.43
    # sum 10.00: nothing left over
    assert allocate_pro_rata(D("10.00"), [D("100"), D("200"), D("50")]) == [
        D("2.86"),
        D("5.71"),
        D("1.43"),
    ]
    # 1.00 / 3 = 0.333 -> 0.33 each, 0.01 left -> the first of the equal largest lines
    assert allocate_pro_rata(D("1.00"), [D("5"), D("5"), D("5")]) == [
        D("0.34"),
        D("0.33"),
        D("0.33"),
    ]


def test_allocation_can_take_back_an_over_rounded_cent():
    # 0.05 x 1/2 = 0.025 -> 0.03 twice = 0.06: the largest (first) line gives back 0.01
    assert allocate_pro_rata(D("0.05"), [D("1"), D("1")]) == [D("0.02"), D("0.03")]


def test_allocation_over_zero_value_puts_everything_on_one_line():
    assert allocate_pro_rata(D("32.71"), [D("0"), D("0")]) == [D("32.71"), D("0")]


def test_allocation_over_no_lines_is_empty():
    assert allocate_pro_rata(D("32.71"), []) == []
