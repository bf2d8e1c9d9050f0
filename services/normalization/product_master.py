"""The product master: ZEMM005 joined with the latest valid ZFMIOR002 weight record per material.

SAP sends the two feeds as separate extracts; the master is always rebuilt from the latest accepted
extract of each, so it comes out the same whichever of the two arrived last.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Decimal

from contracts.datasets import ProductMasterRow
from contracts.feeds import Zemm005Record, Zfmior002Record
from services.normalization.records import Indexed
from services.normalization.units import to_kg


def latest_weights(
    weights: Iterable[Indexed[Zfmior002Record]], as_of: date
) -> dict[str, Zfmior002Record]:
    """Per material, the weight record with the greatest `valid_from` on or before `as_of`.

    Records valid only from a later day are not in force yet and are skipped. Two records of the
    same material and day (two plants) are a tie that the later record in the extract wins.
    """
    chosen: dict[str, Zfmior002Record] = {}
    for _, record in weights:
        if record.valid_from > as_of:
            continue
        current = chosen.get(record.material)
        if current is None or record.valid_from >= current.valid_from:
            chosen[record.material] = record
    return chosen


def merge_product_master(
    materials: Iterable[Indexed[Zemm005Record]],
    weights: Mapping[str, Zfmior002Record],
    extract_id: str,
) -> list[ProductMasterRow]:
    """One master row per ZEMM005 material; a material without weights has net_weight_kg None."""
    return [
        _master_row(record, weights.get(record.material), extract_id) for _, record in materials
    ]


def _master_row(
    material: Zemm005Record, weight: Zfmior002Record | None, extract_id: str
) -> ProductMasterRow:
    row = ProductMasterRow(
        material=material.material,
        description=material.description,
        material_type=material.material_type.value,
        product_category=material.product_category,
        hts_code=material.hts_code,
        country_of_origin=material.country_of_origin,
        base_unit=material.base_unit,
        manufacturer_id=material.manufacturer_id,
        net_weight_kg=None,
        extract_id=extract_id,
    )
    if weight is None:
        return row
    net = to_kg(weight.net_weight, weight.weight_unit)
    steel = to_kg(weight.steel_weight, weight.weight_unit)
    aluminum = to_kg(weight.aluminum_weight, weight.weight_unit)
    return row.model_copy(
        update={
            "net_weight_kg": net,
            "gross_weight_kg": to_kg(weight.gross_weight, weight.weight_unit),
            "steel_kg": steel,
            "aluminum_kg": aluminum,
            "steel_share": _share(steel, net),
            "aluminum_share": _share(aluminum, net),
            "steel_melt_pour_country": weight.steel_melt_pour_country,
            "aluminum_smelt_country": weight.aluminum_smelt_country,
            "aluminum_cast_country": weight.aluminum_cast_country,
            "weight_valid_from": weight.valid_from,
        }
    )


def _share(part: Decimal, net: Decimal) -> Decimal:
    # A zero net weight is a quality error reported elsewhere; the share is then meaningless.
    return part / net if net > 0 else Decimal(0)
