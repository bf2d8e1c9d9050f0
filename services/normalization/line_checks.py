"""The quality checks of DOMAIN.md §2 of an invoice line against the reference data valid at its
entry date (its product master row, HTS row, tariff rules, customer): pure functions, a line and
its references in, its issues out. An invoice line is checked against the master row it will be
declared with, which no single feed contract can see.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from decimal import Decimal
from typing import Protocol

from contracts.datasets import (
    HtsCodeRow,
    MatchStatus,
    PackagingRow,
    ProductMasterRow,
    TariffRuleRow,
)
from contracts.feeds import Zemm004Record
from contracts.quality_rules import Rule
from services.normalization.customer_matching import CustomerMatch
from services.normalization.quality import Issue, about_material
from services.normalization.record_checks import (
    MASTER_FIELDS,
    country_issues,
    hts_issues,
    metal_origin_issues,
    weight_issues,
)

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
