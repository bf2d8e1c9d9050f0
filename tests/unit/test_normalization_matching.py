"""Customer matching: ship-to names against customer names and aliases (DOMAIN.md §2)."""

from decimal import Decimal

import pytest

from contracts.datasets import MatchStatus
from services.normalization.customer_matching import (
    CustomerMatcher,
    MatchThresholds,
    normalise_name,
)
from tests.unit.test_normalization_factories import SAMPLE_CUSTOMERS, customer


def match(name: str, customers=SAMPLE_CUSTOMERS, **thresholds):
    matcher = CustomerMatcher(customers, MatchThresholds(**thresholds))
    return matcher.match([name])[name]


@pytest.mark.parametrize(
    "written,normalised",
    [
        ("Acme Furniture, Inc.", "acme furniture"),
        ("ACME FURNITURE", "acme furniture"),
        ("Sleep Number Corporation", "sleep number"),
        ("Shanghai Furniture Works Co., Ltd.", "shanghai furniture works"),
        ("Muebles Modernos del Norte, S.A. de C.V.", "muebles modernos del norte"),
        ("Maison Confort Ltée", "maison confort"),
        ("Bayou Bed & Bath LLC", "bayou bed and bath"),
        ("Inc.", "inc"),
    ],
)
def test_names_are_normalised_for_case_punctuation_accents_and_legal_suffixes(written, normalised):
    assert normalise_name(written) == normalised


def test_exact_name_matches_at_100():
    result = match("Sleep Number Corporation")
    assert (result.status, result.customer_id, result.score) == (
        MatchStatus.MATCHED,
        "0000100001",
        Decimal("100.00"),
    )


def test_alias_matches_its_customer():
    result = match("SleepNumber")
    assert (result.customer_id, result.matched_name) == ("0000100001", "SleepNumber")


def test_legal_suffix_and_case_variant_matches_at_100():
    result = match("ACME FURNITURE")
    assert (result.status, result.customer_id, result.score) == (
        MatchStatus.MATCHED,
        "0000100002",
        Decimal("100.00"),
    )


def test_typo_still_matches_above_92():
    result = match("Harbour Home Outfiters LLC")
    assert result.status is MatchStatus.MATCHED and result.customer_id == "0000100003"
    assert Decimal(92) <= result.score < Decimal(100)


def test_abbreviation_between_80_and_92_is_matched_for_review():
    result = match("Rocky Mtn Bedding")
    assert (result.status, result.customer_id) == (MatchStatus.REVIEW, "0000100004")
    assert result.score == Decimal("87.18")


def test_name_below_80_is_unmatched_but_keeps_its_best_score():
    result = match("Zenith Hospitality Group")
    assert (result.status, result.customer_id) == (MatchStatus.UNMATCHED, None)
    assert result.score is not None and result.score < Decimal(80)


def test_thresholds_are_configurable():
    assert match("Rocky Mtn Bedding", matched=Decimal(85)).status is MatchStatus.MATCHED
    assert match("Rocky Mtn Bedding", review=Decimal(90)).status is MatchStatus.UNMATCHED


def test_thresholds_must_be_ordered():
    with pytest.raises(ValueError, match="review"):
        MatchThresholds(matched=Decimal(80), review=Decimal(92))


def test_inactive_customers_are_not_matched():
    assert match("Bedding Barn Outlet LLC").customer_id != "0000100010"


def test_without_customers_every_name_is_unmatched_without_score():
    result = match("Sleep Number Corporation", customers=())
    assert (result.status, result.score) == (MatchStatus.UNMATCHED, None)


def test_a_batch_repeats_names_and_each_distinct_name_gets_its_match():
    matcher = CustomerMatcher(SAMPLE_CUSTOMERS)
    results = matcher.match(["SleepNumber", "Harbour Home", "SleepNumber"])
    assert set(results) == {"SleepNumber", "Harbour Home"}
    assert results["Harbour Home"].customer_id == "0000100003"


def test_many_names_against_many_customers_take_their_own_best_match():
    customers = [customer(f"{i:010d}", f"Customer Number {i:05d} Trading") for i in range(3000)]
    matcher = CustomerMatcher(customers)
    names = [f"Customer Numbr {i:05d} Trading" for i in range(0, 3000, 7)]
    results = matcher.match(names)
    assert all(
        results[name].customer_id == f"{i:010d}"
        for name, i in zip(names, range(0, 3000, 7), strict=True)
    )
