"""Weights to kilograms (DOMAIN.md §2), exactly: Decimal arithmetic, no intermediate rounding."""

from __future__ import annotations

from decimal import Decimal

from contracts.feeds import WeightUnit

KG_PER_LB = Decimal("0.45359237")  # the international avoirdupois pound, exact by definition
_KG_PER_UNIT = {WeightUnit.KG: Decimal(1), WeightUnit.LB: KG_PER_LB, WeightUnit.G: Decimal("0.001")}


def to_kg(weight: Decimal, unit: WeightUnit) -> Decimal:
    """`weight` in `unit` as kilograms (LB * 0.45359237, G / 1000)."""
    return weight * _KG_PER_UNIT[unit]
