"""The tariff stack of one component line (DOMAIN.md §3.2-3.4), rule by rule."""

from datetime import date

from contracts.datasets import Component
from services.customs_generation.reference import ReferenceSnapshot
from services.customs_generation.tariff_stack import (
    rules_for_product,
    splits_by_metal,
    tariff_stack,
)
from tests.unit.customs_factories import (
    SOFA_HTS,
    D,
    hts,
    product,
    rule,
    split_product,
    typical_rules,
)

SOFA = product("SOFA", steel_kg="10")
NO_SHARE = D("0")


def stack_codes(rules, component=Component.FULL, share=NO_SHARE, item=SOFA):
    stack = tariff_stack(hts(SOFA_HTS), rules_for_product(rules, item), component, share)
    return [(rate.program, rate.code) for rate in stack.rates]


def test_first_layer_is_mfn_with_the_hts_number_even_when_free():
    stack = tariff_stack(hts(SOFA_HTS, "0"), [], Component.FULL, NO_SHARE)

    (mfn,) = stack.rates
    assert (mfn.program, mfn.code, mfn.rate_pct, mfn.rule_id) == ("MFN", SOFA_HTS, D("0"), None)
    assert stack.chapter99_codes == ()


def test_layers_are_ordered_by_sequence_not_by_feed_order():
    rules = [
        rule("B", "B", "9903.00.02", "5", sequence=20),
        rule("A", "A", "9903.00.01", "5", sequence=10),
    ]

    assert stack_codes(rules)[1:] == [("A", "9903.00.01"), ("B", "9903.00.02")]


def test_fee_programs_are_never_layers():
    rules = [rule("MPF", "MPF", None, "0.3464"), rule("HMF", "HMF", None, "0.125")]

    assert stack_codes(rules) == [("MFN", SOFA_HTS)]


def test_rule_applies_to_its_own_component_or_all():
    rules = [
        rule("S", "232", "9903.81.91", "50", component="STEEL", sequence=1),
        rule("N", "X", "9903.00.09", "5", component="NON_METAL", sequence=2),
        rule("E", "Y", "9903.00.10", "5", component="ALL", sequence=3),
    ]

    assert stack_codes(rules, Component.STEEL)[1:] == [("232", "9903.81.91"), ("Y", "9903.00.10")]
    assert stack_codes(rules, Component.NON_METAL)[1:] == [
        ("X", "9903.00.09"),
        ("Y", "9903.00.10"),
    ]


def test_metal_share_threshold_is_strictly_greater():
    rules = [rule("D", "232", "9903.81.98", "25", component="FULL", min_share="15")]

    assert stack_codes(rules, share=D("15")) == [("MFN", SOFA_HTS)]
    assert stack_codes(rules, share=D("15.0001"))[1:] == [("232", "9903.81.98")]


def test_rules_for_other_products_do_not_match():
    rules = [
        rule("VN", "301", "9903.88.03", "25", country="VN"),
        rule("TABLE", "302", "9903.00.20", "5", category="TABLE"),
        rule("LAMP", "303", "9903.00.30", "5", hts_prefix="9405"),
    ]

    assert rules_for_product(rules, SOFA) == ()


def test_longer_hts_prefix_wins_within_a_program():
    rules = [
        rule("L3", "301", "9903.88.03", "25", hts_prefix="94"),
        rule("L4A", "301", "9903.88.15", "7.5", hts_prefix="940161"),
    ]

    assert stack_codes(rules)[1:] == [("301", "9903.88.15")]


def test_named_category_wins_over_wildcard():
    rules = [
        rule("ANY", "301", "9903.88.03", "25", hts_prefix="94"),
        rule("SOFA", "301", "9903.88.15", "7.5", hts_prefix="94", category="SOFA"),
    ]

    assert stack_codes(rules)[1:] == [("301", "9903.88.15")]


def test_named_country_wins_over_wildcard():
    rules = [
        rule("ANY", "IEEPA-RECIPROCAL", "9903.01.25", "10"),
        rule("CN", "IEEPA-RECIPROCAL", "9903.01.63", "34", country="CN"),
    ]

    assert stack_codes(rules)[1:] == [("IEEPA-RECIPROCAL", "9903.01.63")]


def test_hts_prefix_outranks_category_and_category_outranks_country():
    rules = [
        rule("PREFIX", "301", "9903.00.01", "1", hts_prefix="9401"),
        rule("CATEGORY", "301", "9903.00.02", "2", hts_prefix="94", category="SOFA"),
        rule("COUNTRY", "301", "9903.00.03", "3", hts_prefix="94", country="CN"),
        rule("CATEGORY-302", "302", "9903.00.04", "4", category="SOFA", sequence=20),
        rule("COUNTRY-302", "302", "9903.00.05", "5", country="CN", sequence=20),
    ]

    assert stack_codes(rules)[1:] == [("301", "9903.00.01"), ("302", "9903.00.04")]


def test_equally_specific_rules_are_decided_by_rule_id_not_feed_order():
    first = rule("R-1", "301", "9903.00.01", "1")
    second = rule("R-2", "301", "9903.00.02", "2")

    assert stack_codes([second, first]) == stack_codes([first, second])
    assert stack_codes([second, first])[1:] == [("301", "9903.00.01")]


def test_equally_specific_rules_are_decided_by_lower_sequence_before_rule_id():
    earlier = rule("R-2", "301", "9903.00.02", "2", sequence=5)
    later = rule("R-1", "301", "9903.00.01", "1", sequence=10)

    assert stack_codes([later, earlier])[1:] == [("301", "9903.00.02")]


def test_program_excluded_by_232_is_replaced_by_its_exemption_code_on_the_steel_line():
    rules = [
        rule("232", "232", "9903.81.91", "50", component="STEEL"),
        rule("S122", "S122", "9903.03.01", "10", excluded_by="232"),
        rule("S122-232", "S122", "9903.03.06", "0", requires="232"),
    ]

    assert stack_codes(rules, Component.STEEL)[1:] == [
        ("232", "9903.81.91"),
        ("S122", "9903.03.06"),
    ]
    assert stack_codes(rules, Component.NON_METAL)[1:] == [("S122", "9903.03.01")]


def test_conditional_rules_are_judged_against_unconditional_programs_only():
    rules = [
        rule("S122", "S122", "9903.03.01", "10", excluded_by="232"),
        rule("ON-S122", "X", "9903.99.99", "1", requires="S122"),
    ]

    assert stack_codes(rules)[1:] == [("S122", "9903.03.01")]


def test_split_only_when_a_matching_rule_targets_a_metal_component():
    day = date(2025, 6, 2)
    reference = ReferenceSnapshot.build(
        materials=[split_product(SOFA)[0]],
        weights=[split_product(SOFA)[1]],
        hts_codes=[],
        tariff_rules=typical_rules(),
        packaging=[],
    )
    later = date(2026, 5, 4)

    assert splits_by_metal(rules_for_product(reference.rules_at(day), SOFA))
    assert not splits_by_metal(rules_for_product(reference.rules_at(later), SOFA))
    vietnam_only = [rule("232-VN", "232", "9903.81.91", "50", component="STEEL", country="VN")]
    assert not splits_by_metal(rules_for_product(vietnam_only, SOFA))


def test_rule_validity_includes_both_ends_and_open_end():
    rules = [
        rule(
            "OLD", "A", "9903.00.01", "1", valid_from=date(2025, 1, 1), valid_to=date(2025, 1, 31)
        ),
        rule("NEW", "B", "9903.00.02", "1", valid_from=date(2025, 2, 1)),
    ]
    reference = ReferenceSnapshot.build(
        materials=[], weights=[], hts_codes=[], tariff_rules=rules, packaging=[]
    )

    assert [r.rule_id for r in reference.rules_at(date(2024, 12, 31))] == []
    assert [r.rule_id for r in reference.rules_at(date(2025, 1, 1))] == ["OLD"]
    assert [r.rule_id for r in reference.rules_at(date(2025, 1, 31))] == ["OLD"]
    assert [r.rule_id for r in reference.rules_at(date(2025, 2, 1))] == ["NEW"]
    assert [r.rule_id for r in reference.rules_at(date(2099, 1, 1))] == ["NEW"]
