"""The weekly reference feeds of the synthetic batch, drawn from one seeded generator.

2,000 materials of mixed metal content (ZEMM005 + ZFMIOR002 in KG, LB and G), their HTS numbers
(ZFMIOR003), the sample's tariff rules plus a few countries more (ZEMM007), packaging (ZEMM006) and
5,000 customers with aliases (ZSDR010). Records are JSON-ready dicts; numbers are `Decimal`.
"""

from __future__ import annotations

import json
import random
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from benchmarks.synthetic.catalogue import (
    CITIES,
    EXTRA_TARIFF_RULES,
    HTS_NUMBERS,
    LEGAL_FORMS,
    NAME_NOUNS,
    NAME_WORDS,
    NOT_PACKAGING_IN_ZEMM006,
    ORIGIN_SHARES,
    PACKAGING_KINDS,
    PACKAGING_MATERIALS,
    PRODUCT_KINDS,
    ProductKind,
)
from services.normalization.customer_matching import normalise_name

Record = dict[str, Any]
SAMPLE_RULES = Path(__file__).resolve().parents[2] / "samples/batch/ZEMM007-20261122-0001.json"
KG_PER_UNIT = {"KG": Decimal(1), "LB": Decimal("0.45359237"), "G": Decimal("0.001")}
UNIT_DECIMALS = {"KG": Decimal("0.01"), "LB": Decimal("0.1"), "G": Decimal(1)}


@dataclass(frozen=True)
class Material:
    number: str
    kind: ProductKind
    country: str


@dataclass(frozen=True)
class Customer:
    name: str
    aliases: tuple[str, ...]


@dataclass(frozen=True)
class ReferenceData:
    """The reference records by feed, and what the invoice generator draws from them."""

    records: dict[str, list[Record]]
    materials: tuple[Material, ...]
    packaging: tuple[str, ...]
    customers: tuple[Customer, ...]


def reference_data(rng: random.Random, materials: int, customers: int) -> ReferenceData:
    goods = [_material(rng, index) for index in range(materials)]
    packaging_numbers = [f"{90_000_000 + index:018d}" for index in range(PACKAGING_MATERIALS)]
    people = _customers(rng, customers)
    return ReferenceData(
        records={
            "ZEMM005": [_master_record(rng, m) for m in goods]
            + [
                _packaging_master_record(number, index)
                for index, number in enumerate(packaging_numbers)
            ],
            "ZFMIOR002": [r for m in goods for r in _weight_records(rng, m)]
            + [
                _packaging_weight(rng, number, index)
                for index, number in enumerate(packaging_numbers)
            ],
            "ZFMIOR003": _hts_records(),
            "ZEMM007": _tariff_rules(),
            "ZEMM006": _packaging_records(packaging_numbers),
            "ZSDR010": [_customer_record(rng, index, c) for index, c in enumerate(people)],
        },
        materials=tuple(goods),
        packaging=tuple(packaging_numbers),
        customers=tuple(people),
    )


def _material(rng: random.Random, index: int) -> Material:
    kind = rng.choices(PRODUCT_KINDS, weights=[k.share for k in PRODUCT_KINDS])[0]
    country = rng.choices(list(ORIGIN_SHARES), weights=list(ORIGIN_SHARES.values()))[0]
    return Material(f"{10_000_000 + index:018d}", kind, country)


def _master_record(rng: random.Random, material: Material) -> Record:
    return {
        "material": material.number,
        "description": f"{material.kind.noun}, model {rng.randint(100, 999)}",
        "material_type": rng.choice(("FERT", "FERT", "HAWA")),
        "product_category": material.kind.category,
        "hts_code": material.kind.hts_code,
        "country_of_origin": material.country,
        "base_unit": "EA",
        "manufacturer_id": (
            f"{material.country}MFR{rng.randint(1000, 9999)}CTY" if rng.random() < 0.8 else None
        ),
    }


def _weight_records(rng: random.Random, material: Material) -> list[Record]:
    """A weight history as SAP keeps it: a record from before the batch's first entry date; for
    one material in five a newer one from a day inside the batch's period (entries on either
    side of it use different records); one material in 500 never weighed at all."""
    roll = rng.random()
    if roll < 0.002:
        return []
    first = _weight_record(rng, material, date(2024, 3, 1))
    if roll >= 0.2:
        return [first]
    newer = date(2025, 6, 1) + timedelta(days=rng.randrange(300))
    return [first, _weight_record(rng, material, newer)]


def _weight_record(rng: random.Random, material: Material, valid_from: date) -> Record:
    kind = material.kind
    unit = "G" if kind.net_kg[1] < 3 else rng.choices(("KG", "LB", "G"), weights=(70, 25, 5))[0]
    net_kg = Decimal(str(rng.uniform(*kind.net_kg)))
    steel_pct = aluminum_pct = 0
    if rng.random() < kind.metal_odds:
        steel_pct = rng.randint(*kind.steel_pct)
        aluminum_pct = min(rng.randint(*kind.aluminum_pct), 100 - steel_pct)
    net = _in_unit(net_kg, unit)
    steel = _in_unit(net_kg * steel_pct / 100, unit)
    aluminum = min(_in_unit(net_kg * aluminum_pct / 100, unit), net - steel)
    melt = (
        (material.country if rng.random() < 0.8 else rng.choice(("CN", "OTH"))) if steel else None
    )
    smelt = rng.choice(("CN", material.country, "UNKNOWN")) if aluminum else None
    return {
        "material": material.number,
        "plant": rng.choice(("US10", "US20")),
        "weight_unit": unit,
        "net_weight": net,
        "gross_weight": _in_unit(net_kg * Decimal(str(rng.uniform(1.03, 1.2))), unit),
        "steel_weight": steel,
        "aluminum_weight": aluminum,
        "steel_melt_pour_country": melt,
        "aluminum_smelt_country": smelt,
        "aluminum_cast_country": material.country if aluminum else None,
        "valid_from": valid_from.isoformat(),
    }


def _in_unit(kg: Decimal, unit: str) -> Decimal:
    """`kg` in `unit`, rounded down to what SAP keeps for that unit (so parts never exceed net)."""
    return (kg / KG_PER_UNIT[unit]).quantize(UNIT_DECIMALS[unit], rounding="ROUND_DOWN")


def _packaging_master_record(number: str, index: int) -> Record:
    _, noun, hts_code, _ = PACKAGING_KINDS[index % len(PACKAGING_KINDS)]
    return {
        "material": number,
        "description": f"{noun}, size {index}",
        "material_type": "VERP",
        "product_category": "PACKAGING",
        "hts_code": hts_code,
        "country_of_origin": "CN",
        "base_unit": "EA",
        "manufacturer_id": None,
    }


def _packaging_weight(rng: random.Random, number: str, index: int) -> Record:
    net = Decimal(str(rng.uniform(*PACKAGING_KINDS[index % len(PACKAGING_KINDS)][3])))
    net = net.quantize(Decimal("0.01"))
    return {
        "material": number,
        "plant": "US10",
        "weight_unit": "KG",
        "net_weight": net,
        "gross_weight": net,
        "steel_weight": Decimal(0),
        "aluminum_weight": Decimal(0),
        "valid_from": "2024-03-01",
    }


def _packaging_records(numbers: list[str]) -> list[Record]:
    packaging = [
        {
            "material": number,
            "description": f"{PACKAGING_KINDS[index % len(PACKAGING_KINDS)][1]}, size {index}",
            "packaging_type": PACKAGING_KINDS[index % len(PACKAGING_KINDS)][0],
            "is_packaging": True,
        }
        for index, number in enumerate(numbers)
    ]
    look_alikes = [
        {
            "material": f"{10_000_000 + index:018d}",
            "description": "display stand, sold with the goods",
            "packaging_type": "DISPLAY",
            "is_packaging": False,
        }
        for index in range(NOT_PACKAGING_IN_ZEMM006)
    ]
    return packaging + look_alikes


def _hts_records() -> list[Record]:
    records = []
    for number in HTS_NUMBERS:
        for position, (valid_from, rate) in enumerate(number.rates):
            following = number.rates[position + 1 :]
            records.append(
                {
                    "hts_code": number.code,
                    "description": number.description,
                    "general_rate_pct": Decimal(rate),
                    "unit_of_quantity": number.unit_of_quantity,
                    "valid_from": valid_from.isoformat(),
                    "valid_to": (following[0][0] - timedelta(days=1)).isoformat()
                    if following
                    else None,
                }
            )
    return records


def _tariff_rules() -> list[Record]:
    """The sample's rules (samples/batch), which DOMAIN.md's regimes were worked out on, plus
    reciprocal rates for the synthetic suppliers' other countries."""
    sample = json.loads(SAMPLE_RULES.read_text(encoding="utf-8"), parse_float=Decimal)
    defaults: Record = {
        "product_category": "*",
        "component": "ALL",
        "min_metal_share_pct": None,
        "requires_program": None,
        "excluded_by_program": None,
        "min_usd": None,
        "max_usd": None,
    }
    extra = [
        {**defaults, **asdict(rule), "rate_pct": Decimal(rule.rate_pct)}
        for rule in EXTRA_TARIFF_RULES
    ]
    return [*sample["records"], *extra]


def _customers(rng: random.Random, count: int) -> list[Customer]:
    """Distinct customers: no two share a name once case, punctuation and legal form are gone."""
    seen: set[str] = set()
    people: list[Customer] = []
    while len(people) < count:
        words = rng.sample(NAME_WORDS, rng.choice((1, 2, 2, 3)))
        noun = rng.choice(NAME_NOUNS)
        name = " ".join((*words, noun, rng.choice(LEGAL_FORMS))).strip()
        if normalise_name(name) in seen:
            continue
        seen.add(normalise_name(name))
        people.append(Customer(name, _aliases(rng, words, noun)))
    return people


def _aliases(rng: random.Random, words: list[str], noun: str) -> tuple[str, ...]:
    """How the customer is also known: initials, a short trade name, or both, or neither."""
    initials = "".join(word[0] for word in (*words, *noun.split()))
    options = [f"{initials} {noun.rsplit(maxsplit=1)[-1]}", f"{words[0]} {noun}", initials]
    return tuple(rng.sample(options, rng.choice((0, 0, 1, 1, 2))))


def _customer_record(rng: random.Random, index: int, customer: Customer) -> Record:
    country = rng.choices(("US", "CA", "MX"), weights=(90, 5, 5))[0]
    return {
        "customer_id": f"{100_000 + index:010d}",
        "name": customer.name,
        "aliases": list(customer.aliases),
        "country": country,
        "city": rng.choice(CITIES[country]),
        "active": rng.random() < 0.97,
    }
