"""The product master of DOMAIN.md §2: a ZEMM005 material with its ZFMIOR002 record valid on a day.

Normalization checks an invoice line against, and customs generation declares it with, the same
product on the line's entry date; both take it from here so that they cannot disagree.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from decimal import Decimal

from contracts.datasets import MaterialRow, ProductMasterRow, WeightRecordRow


def weight_history(records: Iterable[WeightRecordRow]) -> dict[str, tuple[WeightRecordRow, ...]]:
    """Every material's weight records, in the order `weight_at` decides by."""
    by_material: dict[str, list[WeightRecordRow]] = {}
    for record in records:
        by_material.setdefault(record.material, []).append(record)
    return {
        material: tuple(sorted(history, key=lambda r: (r.valid_from, r.record_index)))
        for material, history in by_material.items()
    }


def weight_at(history: Sequence[WeightRecordRow], day: date) -> WeightRecordRow | None:
    """The record valid on `day`: the greatest `valid_from` on or before it (of two records of
    one day, e.g. two plants, the later in the extract). `history` is sorted (`weight_history`)."""
    valid = None
    for record in history:
        if record.valid_from > day:
            break
        valid = record
    return valid


def product_on(material: MaterialRow, weight: WeightRecordRow | None) -> ProductMasterRow:
    """The material as declared with `weight`; without one, `net_weight_kg` is None."""
    row = ProductMasterRow.model_validate(material.model_dump())
    if weight is None:
        return row
    net = weight.net_weight_kg
    return row.model_copy(
        update={
            "net_weight_kg": net,
            "gross_weight_kg": weight.gross_weight_kg,
            "steel_kg": weight.steel_kg,
            "aluminum_kg": weight.aluminum_kg,
            "steel_share": _share(weight.steel_kg, net),
            "aluminum_share": _share(weight.aluminum_kg, net),
            "steel_melt_pour_country": weight.steel_melt_pour_country,
            "aluminum_smelt_country": weight.aluminum_smelt_country,
            "aluminum_cast_country": weight.aluminum_cast_country,
            "weight_plant": weight.plant,
            "weight_valid_from": weight.valid_from,
        }
    )


def _share(part: Decimal, net: Decimal) -> Decimal:
    # A zero net weight is a quality error reported elsewhere; the share is then meaningless.
    return part / net if net > 0 else Decimal(0)


class ProductsOnDays:
    """The product master as one batch reads it. A batch repeats few (material, weight record)
    pairs over many entry dates, so each pair is joined once and each (material, day) looked
    up once."""

    def __init__(
        self, materials: Mapping[str, MaterialRow], weights: Mapping[str, Sequence[WeightRecordRow]]
    ) -> None:
        self._materials = materials
        self._weights = weights
        self._on_day: dict[tuple[str, date], ProductMasterRow | None] = {}
        self._joined: dict[tuple[str, WeightRecordRow | None], ProductMasterRow] = {}

    def at(self, material: str, day: date) -> ProductMasterRow | None:
        """The material with its weight record valid on `day` (None: not in ZEMM005)."""
        key = (material, day)
        if key not in self._on_day:
            self._on_day[key] = self._join(material, day)
        return self._on_day[key]

    def _join(self, material: str, day: date) -> ProductMasterRow | None:
        row = self._materials.get(material)
        if row is None:
            return None
        weight = weight_at(self._weights.get(material, ()), day)
        pair = (material, weight)
        if pair not in self._joined:
            self._joined[pair] = product_on(row, weight)
        return self._joined[pair]
