"""DOMAIN.md §3.2-3.4: which ZEMM007 rules apply to a product on a day, and to each component.

Everything here is decided by the rule rows; the code knows only the rule grammar (`*`, `ALL`,
`min_metal_share_pct`, `requires_program`, `excluded_by_program`, `sequence`) and that the first
layer is the HTS general rate under program `MFN`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from contracts.datasets import Component, DutyLayer, HtsCodeRow, ProductMasterRow, TariffRuleRow
from services.customs_generation.fees import FEE_PROGRAMS
from services.customs_generation.results import RateUsed
from services.customs_generation.rounding import round2

MFN_PROGRAM = "MFN"
ANY = "*"
ALL_COMPONENTS = "ALL"
_METAL_COMPONENTS = frozenset({Component.STEEL.value, Component.ALUMINUM.value})
_HUNDRED = Decimal(100)
_ZERO_DUTY = Decimal("0.00")


@dataclass(frozen=True, slots=True, eq=False)
class TariffStack:
    """The layers of one component line, MFN first, then the rules ordered by `sequence`.

    Compared by identity: a calculation shares one stack between all lines with the same tariff
    decision, so collecting the stacks in use is cheap.
    """

    rates: tuple[RateUsed, ...]
    chapter99_codes: tuple[str, ...]
    _free_layers: tuple[DutyLayer | None, ...] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        # A 0 % layer (Free MFN, exemption codes) is the same for every value: built once.
        free_layers = tuple(
            _layer(rate, _ZERO_DUTY) if rate.rate_pct == 0 else None for rate in self.rates
        )
        object.__setattr__(self, "_free_layers", free_layers)

    def duty_layers(self, value_usd: Decimal) -> tuple[DutyLayer, ...]:
        return tuple(
            free if free is not None else _layer(rate, round2(value_usd * rate.rate_pct / _HUNDRED))
            for rate, free in zip(self.rates, self._free_layers, strict=True)
        )


def _layer(rate: RateUsed, duty_usd: Decimal) -> DutyLayer:
    return DutyLayer(
        program=rate.program, code=rate.code or "", rate_pct=rate.rate_pct, duty_usd=duty_usd
    )


def rules_for_product(
    rules_at_entry_date: Iterable[TariffRuleRow], product: ProductMasterRow
) -> tuple[TariffRuleRow, ...]:
    """The rules whose category, HTS prefix and country match the product (each may be `*`)."""
    return tuple(
        rule
        for rule in rules_at_entry_date
        if rule.product_category in (ANY, product.product_category)
        and (rule.hts_prefix == ANY or product.hts_code.startswith(rule.hts_prefix))
        and rule.country_of_origin in (ANY, product.country_of_origin)
    )


def splits_by_metal(product_rules: Iterable[TariffRuleRow]) -> bool:
    """A line is split into components when any matching rule targets STEEL or ALUMINUM."""
    return any(rule.component in _METAL_COMPONENTS for rule in product_rules)


def tariff_stack(
    hts: HtsCodeRow,
    product_rules: Sequence[TariffRuleRow],
    component: Component,
    metal_share_pct: Decimal,
) -> TariffStack:
    """Unconditional rules are decided first; conditional rules are then judged against the
    programs those applied (plus MFN). Per program the most specific applicable rule wins."""
    candidates = [
        rule
        for rule in product_rules
        if rule.program not in FEE_PROGRAMS
        and rule.component in (component.value, ALL_COMPONENTS)
        and (rule.min_metal_share_pct is None or metal_share_pct > rule.min_metal_share_pct)
    ]
    unconditional = [rule for rule in candidates if not _is_conditional(rule)]
    applied = {MFN_PROGRAM} | {rule.program for rule in unconditional}
    conditional = [
        rule
        for rule in candidates
        if _is_conditional(rule)
        and (rule.requires_program is None or rule.requires_program in applied)
        and (rule.excluded_by_program is None or rule.excluded_by_program not in applied)
    ]
    winners = _most_specific_per_program([*unconditional, *conditional])
    mfn = RateUsed.of_hts(hts, MFN_PROGRAM)
    ordered = sorted(winners, key=lambda rule: (rule.sequence, rule.rule_id))
    rates = (mfn, *(RateUsed.of_rule(rule) for rule in ordered))
    return TariffStack(rates, tuple(rate.code for rate in rates[1:] if rate.code))


def _is_conditional(rule: TariffRuleRow) -> bool:
    return rule.requires_program is not None or rule.excluded_by_program is not None


def _most_specific_per_program(rules: Iterable[TariffRuleRow]) -> list[TariffRuleRow]:
    """Per program the rule first in `precedence`: most specific, then lower sequence, then
    lower rule_id, so the result never depends on the order in which the rules were read."""
    best: dict[str, TariffRuleRow] = {}
    for rule in rules:
        current = best.get(rule.program)
        if current is None or rule.precedence < current.precedence:
            best[rule.program] = rule
    return list(best.values())
