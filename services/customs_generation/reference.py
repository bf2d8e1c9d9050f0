"""The reference snapshots one calculation reads, with point-in-time lookups by entry date.

Entries are computed under the rules and the weights valid at their entry date (DOMAIN.md §2-3),
so every lookup takes the day. A row is valid on `day` when `valid_from <= day <= valid_to`;
`valid_to` None is open-ended.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date

from contracts.datasets import (
    HtsCodeRow,
    MaterialRow,
    PackagingRow,
    ProductMasterRow,
    TariffRuleRow,
    WeightRecordRow,
)
from contracts.product_master import ProductsOnDays, weight_history
from contracts.reference_batch import valid_on


@dataclass(frozen=True)
class ReferenceSnapshot:
    """ZEMM005, the ZFMIOR002 weight history, ZFMIOR003, ZEMM007 and ZEMM006 as read for one
    calculation."""

    materials: Mapping[str, MaterialRow]
    weights: Mapping[str, tuple[WeightRecordRow, ...]]
    hts_codes: Mapping[str, tuple[HtsCodeRow, ...]]
    tariff_rules: tuple[TariffRuleRow, ...]
    packaging: Mapping[str, PackagingRow]
    _epochs_by_day: dict[date, tuple[int, tuple[TariffRuleRow, ...]]] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )
    _epoch_numbers: dict[tuple[int, ...], int] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )
    _hts_by_day: dict[tuple[str, date], HtsCodeRow | None] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )
    _products: ProductsOnDays = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_products", ProductsOnDays(self.materials, self.weights))

    @classmethod
    def build(
        cls,
        *,
        materials: Iterable[MaterialRow],
        weights: Iterable[WeightRecordRow],
        hts_codes: Iterable[HtsCodeRow],
        tariff_rules: Iterable[TariffRuleRow],
        packaging: Iterable[PackagingRow],
    ) -> ReferenceSnapshot:
        hts_by_code: defaultdict[str, list[HtsCodeRow]] = defaultdict(list)
        for row in hts_codes:
            hts_by_code[row.hts_code].append(row)
        return cls(
            materials={row.material: row for row in materials},
            weights=weight_history(weights),
            hts_codes={code: tuple(rows) for code, rows in hts_by_code.items()},
            tariff_rules=tuple(tariff_rules),
            packaging={row.material: row for row in packaging},
        )

    def product_at(self, material: str, day: date) -> ProductMasterRow | None:
        """The material with its weight record valid on `day` (None: not in ZEMM005)."""
        return self._products.at(material, day)

    def packaging_material(self, material: str) -> PackagingRow | None:
        """The ZEMM006 row when the material is packaging (`is_packaging`), else None."""
        row = self.packaging.get(material)
        return row if row is not None and row.is_packaging else None

    def hts_at(self, hts_code: str, day: date) -> HtsCodeRow | None:
        """The ZFMIOR003 row valid on `day`; if ranges overlap, the one that started last."""
        key = (hts_code, day)
        if key not in self._hts_by_day:
            valid = [
                row
                for row in self.hts_codes.get(hts_code, ())
                if valid_on(row.valid_from, row.valid_to, day)
            ]
            self._hts_by_day[key] = max(valid, key=lambda row: row.valid_from, default=None)
        return self._hts_by_day[key]

    def rules_at(self, day: date) -> tuple[TariffRuleRow, ...]:
        """Every ZEMM007 rule valid on `day`."""
        return self._epoch_at(day)[1]

    def rule_epoch(self, day: date) -> int:
        """A number shared by all days on which exactly the same rules are valid, so that
        decisions depending only on the rules can be made once per epoch instead of per day."""
        return self._epoch_at(day)[0]

    def _epoch_at(self, day: date) -> tuple[int, tuple[TariffRuleRow, ...]]:
        epoch = self._epochs_by_day.get(day)
        if epoch is None:
            valid = tuple(
                index
                for index, rule in enumerate(self.tariff_rules)
                if valid_on(rule.valid_from, rule.valid_to, day)
            )
            number = self._epoch_numbers.setdefault(valid, len(self._epoch_numbers))
            epoch = (number, tuple(self.tariff_rules[index] for index in valid))
            self._epochs_by_day[day] = epoch
        return epoch
