"""The weekly reference feeds as the rows of their tables (one row per accepted record)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from pydantic import BaseModel

from contracts.datasets import CustomerRow, HtsCodeRow, PackagingRow, TariffRuleRow
from contracts.feeds import FeedRecord
from contracts.topology import TABLE_CUSTOMERS, TABLE_HTS_CODES, TABLE_PACKAGING, TABLE_TARIFF_RULES
from services.normalization.records import Indexed


def _same_fields(model: type[BaseModel]) -> Callable[[FeedRecord], BaseModel]:
    """Feed and row share their field names; the row keeps the fields it declares (JSON mode turns
    enumerations into the plain text the rows store)."""
    return lambda record: model.model_validate(record.model_dump(mode="json"))


@dataclass(frozen=True)
class ReferenceFeed:
    """A feed that is loaded one record → one row into its own table."""

    table: str
    to_row: Callable[[FeedRecord], BaseModel]

    def rows(self, records: Sequence[Indexed[FeedRecord]]) -> list[BaseModel]:
        return [self.to_row(record) for _, record in records]


REFERENCE_FEEDS: dict[str, ReferenceFeed] = {
    "ZFMIOR003": ReferenceFeed(TABLE_HTS_CODES, _same_fields(HtsCodeRow)),
    "ZEMM007": ReferenceFeed(TABLE_TARIFF_RULES, _same_fields(TariffRuleRow)),
    "ZEMM006": ReferenceFeed(TABLE_PACKAGING, _same_fields(PackagingRow)),
    "ZSDR010": ReferenceFeed(TABLE_CUSTOMERS, _same_fields(CustomerRow)),
}
