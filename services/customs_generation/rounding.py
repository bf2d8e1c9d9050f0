"""The two roundings DOMAIN.md §3 allows: money to cents, weights to grams, both ROUND_HALF_UP."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

_CENT = Decimal("0.01")
_GRAM = Decimal("0.001")


def round2(amount: Decimal) -> Decimal:
    return amount.quantize(_CENT, rounding=ROUND_HALF_UP)


def round3(weight_kg: Decimal) -> Decimal:
    return weight_kg.quantize(_GRAM, rounding=ROUND_HALF_UP)
