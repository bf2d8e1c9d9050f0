"""The quality checks of DOMAIN.md §2 that look at one record on its own: a record in, its issues
out. The checks of an invoice line against the reference data it will be declared with are in
`line_checks`, which uses the field checks here on the product master's row.

Ingestion already rejects records that break their feed's contract, so on the sample data the
record checks find nothing; they are kept because the product master joins two feeds, which no
single feed contract can see.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal
from functools import cache
from typing import Any, NamedTuple

import pycountry

from contracts.feeds import Zemm005Record, Zfmior002Record, Zfmior003Record, Zsdr002Record
from contracts.quality_rules import Rule
from services.normalization.quality import Issue, about_material

_HTS_NUMBER = re.compile(r"[0-9]{10}")  # ASCII only: \d also matches fullwidth digits


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
