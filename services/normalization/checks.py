"""The quality checks of DOMAIN.md §2 as pure functions: a record in, its issues out.

Ingestion already rejects records that break their feed's contract, so on the sample data the
record checks find nothing; they are kept because the product master joins two feeds and an
invoice line is checked against the master row it will be declared with, which no single feed
contract can see.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import date, timedelta
from decimal import Decimal
from functools import cache
from typing import Any, NamedTuple, Protocol

import pycountry

from contracts.datasets import (
    HtsCodeRow,
    MatchStatus,
    PackagingRow,
    ProductMasterRow,
    TariffRuleRow,
)
from contracts.feeds import (
    Zemm004Record,
    Zemm005Record,
    Zfmior002Record,
    Zfmior003Record,
    Zsdr002Record,
)
from contracts.quality_rules import Rule
from services.normalization.customer_matching import CustomerMatch
from services.normalization.quality import Issue, about_material

_HTS_NUMBER = re.compile(r"\d{10}")
ANY = "*"
ALL_COMPONENTS = "ALL"
# An HTS classification ending this soon after an entry date is a warning (DOMAIN.md §2).
HTS_EXPIRY_WARNING = timedelta(days=30)
ONE_DAY = timedelta(days=1)


class ReferenceLookups(Protocol):
    """The reference data an invoice line is checked against (a `ReferenceBatch` is one)."""

    def product_at(self, material: str, day: date) -> ProductMasterRow | None: ...

    def packaging_material(self, material: str) -> PackagingRow | None: ...

    def hts_at(self, hts_code: str, day: date) -> HtsCodeRow | None: ...

    def rules_at(self, day: date) -> tuple[TariffRuleRow, ...]: ...


class MetalFields(NamedTuple):
    """How weights and metal origins are named where they are checked."""

    net: str
    steel: str
    aluminum: str
    melt_pour: str
    smelt: str
    cast: str


WEIGHT_RECORD_FIELDS = MetalFields(
    "net_weight",
    "steel_weight",
    "aluminum_weight",
    "steel_melt_pour_country",
    "aluminum_smelt_country",
    "aluminum_cast_country",
)
MASTER_FIELDS = MetalFields(
    "net_weight_kg",
    "steel_kg",
    "aluminum_kg",
    "steel_melt_pour_country",
    "aluminum_smelt_country",
    "aluminum_cast_country",
)


@cache
def _iso_alpha2() -> frozenset[str]:
    return frozenset(country.alpha_2 for country in pycountry.countries)


def hts_issues(hts_code: str | None) -> list[Issue]:
    if hts_code and _HTS_NUMBER.fullmatch(hts_code):
        return []
    return [Issue("hts_code", hts_code, Rule.HTS_MALFORMED, "HTS must be 10 digits without dots")]


def country_issues(country: str | None, field: str = "country_of_origin") -> list[Issue]:
    if country is not None and country in _iso_alpha2():
        return []
    return [Issue(field, country, Rule.COUNTRY_INVALID, "not an ISO 3166-1 alpha-2 country code")]


def weight_issues(
    net: Decimal, steel: Decimal, aluminum: Decimal, fields: MetalFields
) -> list[Issue]:
    issues = [
        Issue(field, str(weight), Rule.WEIGHT_NOT_POSITIVE, f"{field} must not be negative")
        for field, weight in ((fields.steel, steel), (fields.aluminum, aluminum))
        if weight < 0
    ]
    if net <= 0:
        issues.append(
            Issue(fields.net, str(net), Rule.WEIGHT_NOT_POSITIVE, "net weight must be > 0")
        )
    elif steel + aluminum > net:
        detail = f"steel {steel} + aluminum {aluminum} exceeds net weight {net}"
        issues.append(Issue(fields.aluminum, str(aluminum), Rule.METAL_OVER_NET, detail))
    return issues


def metal_origin_issues(
    steel: Decimal,
    aluminum: Decimal,
    countries: tuple[str | None, str | None, str | None],
    fields: MetalFields,
) -> list[Issue]:
    """Steel needs its melt-and-pour country; aluminum its smelt and cast countries."""
    melt_pour, smelt, cast = countries
    required = [(fields.melt_pour, melt_pour, steel > 0)]
    required += [(fields.smelt, smelt, aluminum > 0), (fields.cast, cast, aluminum > 0)]
    return [
        Issue(field, None, Rule.METAL_ORIGIN_MISSING, f"{field} is required for metal content")
        for field, country, needed in required
        if needed and not country
    ]


def material_record_issues(record: Zemm005Record) -> list[Issue]:
    issues = hts_issues(record.hts_code) + country_issues(record.country_of_origin)
    return about_material(issues, record.material, record.description)


def weight_record_issues(record: Zfmior002Record) -> list[Issue]:
    steel, aluminum = record.steel_weight, record.aluminum_weight
    countries = (
        record.steel_melt_pour_country,
        record.aluminum_smelt_country,
        record.aluminum_cast_country,
    )
    issues = weight_issues(record.net_weight, steel, aluminum, WEIGHT_RECORD_FIELDS)
    issues += metal_origin_issues(steel, aluminum, countries, WEIGHT_RECORD_FIELDS)
    return about_material(issues, record.material)


def hts_record_issues(record: Zfmior003Record) -> list[Issue]:
    return hts_issues(record.hts_code)


def declared_line_issues(record: Zsdr002Record) -> list[Issue]:
    issues = hts_issues(record.hts_code) + country_issues(record.country_of_origin)
    return about_material(issues, record.material)


# The checks run on each record of an extract of the feed (feeds not named have none). Each is
# only ever given records of its own feed, which the key guarantees and the type cannot say.
RECORD_CHECKS: dict[str, Callable[[Any], list[Issue]]] = {
    "ZEMM005": material_record_issues,
    "ZFMIOR002": weight_record_issues,
    "ZFMIOR003": hts_record_issues,
    "ZSDR002": declared_line_issues,
}


def duty_rules(rules: Sequence[TariffRuleRow], product: ProductMasterRow) -> list[TariffRuleRow]:
    """The rules whose category, HTS prefix and country match the product (`*` matches all).

    Fees (MPF, HMF) carry no Chapter 99 code and match every entry, so they do not count.
    """
    return [
        rule
        for rule in rules
        if rule.chapter99_code
        and rule.product_category in (product.product_category, ANY)
        and (rule.hts_prefix == ANY or product.hts_code.startswith(rule.hts_prefix))
        and rule.country_of_origin in (product.country_of_origin, ANY)
    ]


def equally_specific_rules(
    rules: Sequence[TariffRuleRow], metal_share_pct: Decimal
) -> list[tuple[TariffRuleRow, TariffRuleRow]]:
    """Pairs (winner, loser) of one program, equally specific, that can apply to one component
    line: DOMAIN.md §3.3 then lets `precedence` (lower sequence, then rule_id) decide."""
    applicable = sorted(
        (
            rule
            for rule in rules
            if rule.min_metal_share_pct is None or metal_share_pct > rule.min_metal_share_pct
        ),
        key=lambda rule: rule.precedence,
    )
    return [
        (first, second)
        for position, first in enumerate(applicable)
        for second in applicable[position + 1 :]
        if first.program == second.program
        and first.specificity == second.specificity
        and _same_component_line(first, second)
        and _conditions_compatible(first, second)
    ]


def _same_component_line(first: TariffRuleRow, second: TariffRuleRow) -> bool:
    components = {first.component, second.component}
    return len(components) == 1 or ALL_COMPONENTS in components


def _conditions_compatible(first: TariffRuleRow, second: TariffRuleRow) -> bool:
    """False for a rule and its exemption code: one requires the program that excludes the
    other (e.g. reciprocal excluded by 232, its 0 % code requiring 232), so never both apply."""
    return not (
        (first.requires_program and first.requires_program == second.excluded_by_program)
        or (second.requires_program and second.requires_program == first.excluded_by_program)
    )


def hts_validity_issues(
    hts_code: str, entry_date: date, reference: ReferenceLookups, expiry_warning: timedelta
) -> list[Issue]:
    """No ZFMIOR003 row valid on the entry date is an error. A row valid then that ends within
    `expiry_warning` after it is a warning, unless a successor row is valid from the day after
    its end (and the successor's own end, if that is within the span too, is followed the same
    way): then the next shipments of the material are classified as well."""
    row = reference.hts_at(hts_code, entry_date)
    if row is None:
        detail = f"no ZFMIOR003 record of {hts_code} is valid on {entry_date}"
        return [Issue("hts_code", hts_code, Rule.HTS_NOT_VALID_AT_ENTRY, detail)]
    # Dates stop at 9999-12-31: a row ending then leaves no later day to classify.
    if date.max - entry_date <= expiry_warning:
        horizon = date.max - ONE_DAY
    else:
        horizon = entry_date + expiry_warning
    while row.valid_to is not None and row.valid_to <= horizon:
        successor = reference.hts_at(hts_code, row.valid_to + ONE_DAY)
        if successor is None:
            days = (row.valid_to - entry_date).days
            detail = (
                f"the ZFMIOR003 record of {hts_code} ends on {row.valid_to}, {days} "
                f"day{'' if days == 1 else 's'} after the entry date {entry_date}, and none is "
                f"valid from the day after: later "
                f"entries will fail {Rule.HTS_NOT_VALID_AT_ENTRY} unless SAP sends its successor"
            )
            return [Issue("hts_code", hts_code, Rule.HTS_EXPIRES_SOON, detail)]
        row = successor
    return []


def product_issues(
    product: ProductMasterRow,
    entry_date: date,
    reference: ReferenceLookups,
    hts_expiry_warning: timedelta = HTS_EXPIRY_WARNING,
) -> list[Issue]:
    """What keeps a line of this product from being declared on `entry_date` (or warns)."""
    issues = hts_issues(product.hts_code)
    if not issues:
        issues = hts_validity_issues(product.hts_code, entry_date, reference, hts_expiry_warning)
    issues += country_issues(product.country_of_origin)
    if product.net_weight_kg is None:
        detail = f"no ZFMIOR002 weight record of {product.material} is valid on {entry_date}"
        issues.append(Issue("net_weight_kg", None, Rule.WEIGHT_MISSING, detail))
    else:
        issues += _content_issues(product, product.net_weight_kg, entry_date, reference)
    return about_material(issues, product.material, product.description)


def _content_issues(
    product: ProductMasterRow, net_weight_kg: Decimal, entry_date: date, reference: ReferenceLookups
) -> list[Issue]:
    """The weights, metal origins and tariff rules of a product that has a weight record."""
    steel, aluminum = product.steel_kg, product.aluminum_kg
    countries = (
        product.steel_melt_pour_country,
        product.aluminum_smelt_country,
        product.aluminum_cast_country,
    )
    issues = weight_issues(net_weight_kg, steel, aluminum, MASTER_FIELDS)
    issues += metal_origin_issues(steel, aluminum, countries, MASTER_FIELDS)
    rules = duty_rules(reference.rules_at(entry_date), product)
    if not rules:
        detail = (
            f"no ZEMM007 rule for {product.product_category} / {product.hts_code} / "
            f"{product.country_of_origin} is valid on {entry_date}: only the MFN rate applies"
        )
        issues.append(Issue("material", product.material, Rule.NO_TARIFF_RULE, detail))
    if net_weight_kg > 0:
        share = (steel + aluminum) / net_weight_kg * 100
        issues += [_tie(winner, loser) for winner, loser in equally_specific_rules(rules, share)]
    return issues


def _tie(winner: TariffRuleRow, loser: TariffRuleRow) -> Issue:
    detail = (
        f"rules {winner.rule_id} and {loser.rule_id} of program {winner.program} are equally "
        f"specific for this line; {winner.rule_id} applies (lower sequence, then rule_id)"
    )
    rule_ids = f"{winner.rule_id}, {loser.rule_id}"
    return Issue("rule_id", rule_ids, Rule.RULES_EQUALLY_SPECIFIC, detail)


def invoice_line_issues(
    record: Zemm004Record,
    product: ProductMasterRow | None,
    reference: ReferenceLookups,
    customer: CustomerMatch,
    hts_expiry_warning: timedelta = HTS_EXPIRY_WARNING,
) -> list[Issue]:
    """`product` is the line's material on its entry date. Packaging is not declared, so it
    needs neither weights nor a classification (DOMAIN.md §2)."""
    if reference.packaging_material(record.material) is not None:
        issues: list[Issue] = []
    elif product is None:
        detail = "the material has no product master record (ZEMM005)"
        not_in_master = Issue("material", record.material, Rule.MATERIAL_NOT_IN_MASTER, detail)
        issues = about_material([not_in_master], record.material)
    else:
        issues = product_issues(product, record.entry_date, reference, hts_expiry_warning)
        if record.unit.upper() != product.base_unit.upper():
            detail = (
                f"the line is in {record.unit} but {record.material}'s weights are per "
                f"{product.base_unit} (its base unit): convert the quantity to {product.base_unit}"
            )
            unit = Issue("unit", record.unit, Rule.UNIT_NOT_BASE_UNIT, detail)
            issues += about_material([unit], product.material, product.description)
    if record.currency != "USD" and record.exchange_rate_to_usd is None:
        detail = f"a {record.currency} line needs exchange_rate_to_usd to be valued in USD"
        issues.append(Issue("exchange_rate_to_usd", None, Rule.EXCHANGE_RATE_MISSING, detail))
    return issues + customer_issues(record.ship_to_name, customer)


def customer_issues(ship_to_name: str, customer: CustomerMatch) -> list[Issue]:
    if customer.status is MatchStatus.REVIEW:
        detail = f"matched to {customer.customer_id} {customer.matched_name!r} at {customer.score}"
        return [Issue("ship_to_name", ship_to_name, Rule.CUSTOMER_REVIEW, detail)]
    if customer.status is MatchStatus.UNMATCHED:
        detail = f"no customer scores high enough (best {customer.score})"
        return [Issue("ship_to_name", ship_to_name, Rule.CUSTOMER_UNMATCHED, detail)]
    return []
