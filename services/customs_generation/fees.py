"""DOMAIN.md §3.5: MPF and HMF per entry, allocated to its component lines pro rata by value.

The fee rules are ZEMM007 rows of program `MPF`/`HMF`: the rate and the MPF minimum/maximum
change with the fiscal year, so the rule is the one valid at the entry date, never a constant.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from contracts.datasets import TariffRuleRow
from services.customs_generation.results import RateUsed
from services.customs_generation.rounding import round2

MPF_PROGRAM = "MPF"
HMF_PROGRAM = "HMF"
FEE_PROGRAMS = frozenset({MPF_PROGRAM, HMF_PROGRAM})
OCEAN = "OCEAN"
_ZERO = Decimal(0)
_HUNDRED = Decimal(100)


@dataclass(frozen=True, slots=True)
class EntryFees:
    mpf_usd: Decimal
    hmf_usd: Decimal
    rates: tuple[RateUsed, ...]


def fee_rule(rules_at_entry_date: Iterable[TariffRuleRow], program: str) -> TariffRuleRow | None:
    """The program's rule valid at the entry date; if several overlap, the one that started last
    (a new fiscal year loaded before the old row was closed)."""
    rules = [rule for rule in rules_at_entry_date if rule.program == program]
    return max(rules, key=lambda rule: (rule.valid_from, rule.rule_id), default=None)


def merchandise_processing_fee(rule: TariffRuleRow, entered_value_usd: Decimal) -> Decimal:
    """clamp(round2(ΣV * rate), min, max); a missing bound does not clamp."""
    fee = round2(entered_value_usd * rule.rate_pct / _HUNDRED)
    if rule.min_usd is not None:
        fee = max(fee, rule.min_usd)
    if rule.max_usd is not None:
        fee = min(fee, rule.max_usd)
    return fee


def harbor_maintenance_fee(rule: TariffRuleRow, entered_value_usd: Decimal) -> Decimal:
    """round2(ΣV * rate): DOMAIN.md gives HMF no minimum or maximum."""
    return round2(entered_value_usd * rule.rate_pct / _HUNDRED)


def entry_fees(
    rules_at_entry_date: Sequence[TariffRuleRow], transport_mode: str, entered_value_usd: Decimal
) -> EntryFees:
    """MPF always, HMF for ocean entries; a program without a valid rule charges nothing."""
    mpf_usd = hmf_usd = _ZERO
    rates: list[RateUsed] = []
    mpf_rule = fee_rule(rules_at_entry_date, MPF_PROGRAM)
    if mpf_rule is not None:
        mpf_usd = merchandise_processing_fee(mpf_rule, entered_value_usd)
        rates.append(RateUsed.of_rule(mpf_rule))
    hmf_rule = fee_rule(rules_at_entry_date, HMF_PROGRAM) if transport_mode == OCEAN else None
    if hmf_rule is not None:
        hmf_usd = harbor_maintenance_fee(hmf_rule, entered_value_usd)
        rates.append(RateUsed.of_rule(hmf_rule))
    return EntryFees(mpf_usd, hmf_usd, tuple(rates))


def allocate_pro_rata(amount: Decimal, values: Sequence[Decimal]) -> list[Decimal]:
    """Each line gets round2(amount * value / Σvalue); the rounding remainder goes to the line
    with the largest value (the first of equals), so the parts always add up to `amount`."""
    if not values:
        return []
    total = sum(values, _ZERO)
    parts = [round2(amount * value / total) if total else _ZERO for value in values]
    largest = max(range(len(values)), key=values.__getitem__)
    parts[largest] += amount - sum(parts, _ZERO)
    return parts
