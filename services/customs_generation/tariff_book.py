"""Tariff decisions (DOMAIN.md §3.2-3.4) memoised over one reference snapshot.

A decision depends only on the rules valid at the entry date (their epoch), the product's
category, HTS code and country, the HTS row, and - through `min_metal_share_pct` - on which
thresholds the metal share exceeds. A batch repeats those far more often than it has materials
or entry dates, so each decision is made once per distinct key.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from contracts.datasets import Component, HtsCodeRow, ProductMasterRow, TariffRuleRow
from services.customs_generation.reference import ReferenceSnapshot
from services.customs_generation.tariff_stack import (
    TariffStack,
    rules_for_product,
    splits_by_metal,
    tariff_stack,
)

SPLIT_COMPONENTS = (Component.NON_METAL, Component.STEEL, Component.ALUMINUM)
WHOLE_LINE = (Component.FULL,)


@dataclass(frozen=True, slots=True)
class ProductTariff:
    """A material's tariff on one entry date; no stacks when its HTS is not valid that day."""

    hts: HtsCodeRow | None
    split: bool
    stacks: Mapping[Component, TariffStack]


@dataclass(frozen=True, slots=True)
class _MatchedRules:
    key: tuple[int, str, str, str]
    rules: tuple[TariffRuleRow, ...]
    split: bool
    thresholds: tuple[Decimal, ...]


class TariffBook:
    def __init__(self, reference: ReferenceSnapshot) -> None:
        self._reference = reference
        self._by_material: dict[tuple[object, ...], ProductTariff] = {}
        self._matched: dict[tuple[int, str, str, str], _MatchedRules] = {}
        self._stacks: dict[tuple[object, ...], TariffStack] = {}

    def product_tariff(
        self, product: ProductMasterRow, metal_share_pct: Decimal, day: date
    ) -> ProductTariff:
        """`metal_share_pct` is the product's m (DOMAIN.md §3.1), passed in so it is computed
        once per material."""
        epoch = self._reference.rule_epoch(day)
        hts = self._reference.hts_at(product.hts_code, day)
        # The weight record decides the metal share, so two records of one material are two keys.
        weight = (product.weight_plant, product.weight_valid_from)
        key = (product.material, weight, epoch, None if hts is None else hts.valid_from)
        tariff = self._by_material.get(key)
        if tariff is None:
            matched = self._matched_rules(product, epoch, day)
            tariff = self._decide(matched, hts, metal_share_pct)
            self._by_material[key] = tariff
        return tariff

    def _matched_rules(self, product: ProductMasterRow, epoch: int, day: date) -> _MatchedRules:
        key = (epoch, product.product_category, product.hts_code, product.country_of_origin)
        matched = self._matched.get(key)
        if matched is None:
            rules = rules_for_product(self._reference.rules_at(day), product)
            thresholds = {r.min_metal_share_pct for r in rules if r.min_metal_share_pct is not None}
            matched = _MatchedRules(key, rules, splits_by_metal(rules), tuple(sorted(thresholds)))
            self._matched[key] = matched
        return matched

    def _decide(
        self, matched: _MatchedRules, hts: HtsCodeRow | None, metal_share_pct: Decimal
    ) -> ProductTariff:
        if hts is None:
            return ProductTariff(None, matched.split, {})
        exceeded = tuple(metal_share_pct > threshold for threshold in matched.thresholds)
        stacks = {}
        for component in SPLIT_COMPONENTS if matched.split else WHOLE_LINE:
            key = (*matched.key, hts.valid_from, hts.general_rate_pct, component, exceeded)
            stack = self._stacks.get(key)
            if stack is None:
                stack = tariff_stack(hts, matched.rules, component, metal_share_pct)
                self._stacks[key] = stack
            stacks[component] = stack
        return ProductTariff(hts, matched.split, stacks)
