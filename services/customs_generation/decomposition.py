"""DOMAIN.md §3.1-3.2 and §3.6: an invoice line's value and weight split into component shares.

Metal shares are taken from kg, never from the master's pre-computed share fields, so the
arithmetic is exactly the one in DOMAIN.md: `round2(V * steel_kg / net_kg)`, evaluated left to
right so that an exact half cent stays exact before ROUND_HALF_UP.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from contracts.datasets import Component, NormalizedInvoiceLine
from services.customs_generation.results import Reconciliation
from services.customs_generation.rounding import round2, round3

_HUNDRED = Decimal(100)


@dataclass(frozen=True, slots=True)
class ComponentShare:
    component: Component
    value_usd: Decimal
    net_weight_kg: Decimal


@dataclass(frozen=True, slots=True)
class ProductWeights:
    """kg per base unit of one material (ProductMasterRow with a net weight)."""

    net_kg: Decimal
    steel_kg: Decimal
    aluminum_kg: Decimal

    @property
    def metal_share_pct(self) -> Decimal:
        """m = (steel_kg + aluminum_kg) / net_kg * 100, unrounded (compared with `>`)."""
        return (self.steel_kg + self.aluminum_kg) / self.net_kg * _HUNDRED


def decompose(
    value_usd: Decimal, quantity: Decimal, weights: ProductWeights, *, split: bool
) -> tuple[ComponentShare, ...]:
    """The line's components; one whose weight is zero produces no share.

    Nothing is adjusted here: a share may come out negative or the shares may not add up, which
    `reconcile` and the caller report as an exception.
    """
    weight_kg = round3(quantity * weights.net_kg)
    if not split:
        return (ComponentShare(Component.FULL, value_usd, weight_kg),)
    steel_value = round2(value_usd * weights.steel_kg / weights.net_kg)
    aluminum_value = round2(value_usd * weights.aluminum_kg / weights.net_kg)
    steel_weight = round3(quantity * weights.steel_kg)
    aluminum_weight = round3(quantity * weights.aluminum_kg)
    shares = (
        ComponentShare(
            Component.NON_METAL,
            value_usd - steel_value - aluminum_value,
            weight_kg - steel_weight - aluminum_weight,
        ),
        ComponentShare(Component.STEEL, steel_value, steel_weight),
        ComponentShare(Component.ALUMINUM, aluminum_value, aluminum_weight),
    )
    return tuple(share for share in shares if share.net_weight_kg != 0)


def reconcile(
    line: NormalizedInvoiceLine, weights: ProductWeights, shares: tuple[ComponentShare, ...]
) -> Reconciliation:
    return Reconciliation(
        invoice_number=line.invoice_number,
        line_number=line.line_number,
        material=line.material,
        value_usd=line.value_usd,
        component_value_usd=sum((share.value_usd for share in shares), Decimal(0)),
        weight_kg=round3(line.quantity * weights.net_kg),
        component_weight_kg=sum((share.net_weight_kg for share in shares), Decimal(0)),
    )
