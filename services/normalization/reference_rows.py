"""The weekly reference feeds as the rows of their snapshot tables (one row per accepted record).

Each feed names the key a row has within its snapshot; of two records with one key in an
extract, the later stands (as a re-sent table would have it).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from contracts.datasets import (
    CustomerRow,
    HtsCodeRow,
    MaterialRow,
    PackagingRow,
    TariffRuleRow,
    WeightRecordRow,
)
from contracts.feeds import FeedRecord, Zfmior002Record
from services.normalization.records import Indexed
from services.normalization.units import to_kg


def _same_fields(model: type[BaseModel]) -> Callable[[Indexed[FeedRecord]], BaseModel]:
    """Feed and row share their field names; the row keeps the fields it declares (JSON mode turns
    enumerations into the plain text the rows store)."""
    return lambda indexed: model.model_validate(indexed.record.model_dump(mode="json"))


def weight_record_row(indexed: Indexed[Zfmior002Record]) -> WeightRecordRow:
    """A ZFMIOR002 record in kg per base unit (DOMAIN.md §2: LB * 0.45359237, G / 1000)."""
    record, unit = indexed.record, indexed.record.weight_unit
    return WeightRecordRow(
        material=record.material,
        plant=record.plant,
        valid_from=record.valid_from,
        net_weight_kg=to_kg(record.net_weight, unit),
        gross_weight_kg=to_kg(record.gross_weight, unit),
        steel_kg=to_kg(record.steel_weight, unit),
        aluminum_kg=to_kg(record.aluminum_weight, unit),
        steel_melt_pour_country=record.steel_melt_pour_country,
        aluminum_smelt_country=record.aluminum_smelt_country,
        aluminum_cast_country=record.aluminum_cast_country,
        record_index=indexed.record_index,
    )


@dataclass(frozen=True)
class ReferenceFeed:
    """A feed that is loaded one record → one row into its snapshot table."""

    to_row: Callable[[Indexed[Any]], BaseModel]
    row_key: Callable[[Any], str]

    def rows(self, records: Sequence[Indexed[FeedRecord]]) -> list[BaseModel]:
        return [self.to_row(indexed) for indexed in records]


REFERENCE_FEEDS: dict[str, ReferenceFeed] = {
    "ZEMM005": ReferenceFeed(_same_fields(MaterialRow), lambda row: row.material),
    "ZFMIOR002": ReferenceFeed(
        weight_record_row, lambda row: f"{row.material}|{row.plant}|{row.valid_from}"
    ),
    "ZFMIOR003": ReferenceFeed(
        _same_fields(HtsCodeRow), lambda row: f"{row.hts_code}|{row.valid_from}"
    ),
    "ZEMM007": ReferenceFeed(_same_fields(TariffRuleRow), lambda row: row.rule_id),
    "ZEMM006": ReferenceFeed(_same_fields(PackagingRow), lambda row: row.material),
    "ZSDR010": ReferenceFeed(_same_fields(CustomerRow), lambda row: row.customer_id),
}
