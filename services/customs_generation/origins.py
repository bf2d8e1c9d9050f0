"""DOMAIN.md §3.7: the metal origin countries a component line carries.

A STEEL line carries the melt-and-pour country, an ALUMINUM line the smelt and cast countries, a
FULL line those of the metals the product contains; a NON_METAL line carries none.
"""

from __future__ import annotations

from dataclasses import dataclass

from contracts.datasets import Component, ProductMasterRow


@dataclass(frozen=True, slots=True)
class MetalOrigins:
    melt_pour_country: str | None
    smelt_country: str | None
    cast_country: str | None
    complete: bool


def metal_origins(component: Component, product: ProductMasterRow) -> MetalOrigins:
    has_steel = component is Component.STEEL or (
        component is Component.FULL and product.steel_kg > 0
    )
    has_aluminum = component is Component.ALUMINUM or (
        component is Component.FULL and product.aluminum_kg > 0
    )
    melt_pour = product.steel_melt_pour_country if has_steel else None
    smelt = product.aluminum_smelt_country if has_aluminum else None
    cast = product.aluminum_cast_country if has_aluminum else None
    return MetalOrigins(
        melt_pour_country=melt_pour,
        smelt_country=smelt,
        cast_country=cast,
        complete=(not has_steel or bool(melt_pour)) and (not has_aluminum or bool(smelt and cast)),
    )
