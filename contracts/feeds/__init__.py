"""The SAP feed contracts (DOMAIN.md §1): the extract header and one record model per feed.

Validate an extract's header with `ExtractHeader`, then each raw record alone with
`FEEDS[header.feed].model_validate(record)`. Every validation error names its field (a non-empty
`loc`), and its message is a sentence that says what to fix.
"""

from contracts.feeds.daily import TransportMode, Zemm004Record, Zsdr002Record
from contracts.feeds.extract import FEEDS, ExtractHeader
from contracts.feeds.limits import MAX_DECIMAL_PLACES
from contracts.feeds.reference import (
    MaterialType,
    RuleComponent,
    WeightUnit,
    Zemm005Record,
    Zemm006Record,
    Zemm007Record,
    Zfmior002Record,
    Zfmior003Record,
    Zsdr010Record,
)
from contracts.feeds.types import FeedRecord


def record_fields(feed: str) -> tuple[str, ...]:
    """The record fields of `feed` in declaration order: the header row a CSV/XLSX upload needs.

    Raises KeyError for a feed that is not in `FEEDS`.
    """
    return tuple(FEEDS[feed].model_fields)


__all__ = [
    "FEEDS",
    "MAX_DECIMAL_PLACES",
    "ExtractHeader",
    "FeedRecord",
    "MaterialType",
    "RuleComponent",
    "TransportMode",
    "WeightUnit",
    "Zemm004Record",
    "Zemm005Record",
    "Zemm006Record",
    "Zemm007Record",
    "Zfmior002Record",
    "Zfmior003Record",
    "Zsdr002Record",
    "Zsdr010Record",
    "record_fields",
]
