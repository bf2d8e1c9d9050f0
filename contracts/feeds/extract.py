"""The extract: the envelope of one SAP push (or upload), and the registry of feeds it may carry.

The header keeps its records as raw dicts: the ingestion validates each one alone against
`FEEDS[feed]`, so that a bad record is rejected while the file's other records are accepted.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from contracts.feeds.daily import Zemm004Record, Zsdr002Record
from contracts.feeds.reference import (
    Zemm005Record,
    Zemm006Record,
    Zemm007Record,
    Zfmior002Record,
    Zfmior003Record,
    Zsdr010Record,
)
from contracts.feeds.types import Code, ExtractId, FeedRecord, WholeNumber

FEEDS: dict[str, type[FeedRecord]] = {
    record.FEED: record
    for record in (
        Zfmior002Record,
        Zemm005Record,
        Zfmior003Record,
        Zemm007Record,
        Zemm006Record,
        Zsdr010Record,
        Zemm004Record,
        Zsdr002Record,
    )
}


class ExtractHeader(BaseModel):
    """One extract as SAP pushes it: which feed, which run, and the raw records.

    `records` is declared before `record_count` so that the count check is a validator of
    `record_count` and its error names that field.
    """

    model_config = ConfigDict(extra="ignore")

    feed: Code
    extract_id: ExtractId
    extracted_at: datetime = Field(description="with a timezone; stored in UTC")
    sap_system: Code
    records: list[dict[str, Any]]
    record_count: WholeNumber = Field(ge=0, description="must equal the number of records")

    @field_validator("feed")
    @classmethod
    def _known_feed(cls, feed: str) -> str:
        if feed not in FEEDS:
            raise ValueError(f"unknown feed {feed!r}; expected one of {', '.join(FEEDS)}")
        return feed

    @field_validator("extracted_at")
    @classmethod
    def _in_utc(cls, extracted_at: datetime) -> datetime:
        if extracted_at.tzinfo is None or extracted_at.utcoffset() is None:
            raise ValueError(
                "extracted_at has no timezone; write it like 2026-11-22T02:00:00Z or with +01:00"
            )
        try:
            return extracted_at.astimezone(UTC)
        except OverflowError:  # e.g. 9999-12-31T23:00:00-05:00 is in the year 10000 in UTC
            raise ValueError(
                f"extracted_at {extracted_at.isoformat()} is outside the years 1 to 9999 in UTC"
            ) from None

    @field_validator("record_count")
    @classmethod
    def _counts_the_records(cls, record_count: int, info: ValidationInfo) -> int:
        records = info.data.get("records")
        if records is not None and record_count != len(records):
            raise ValueError(
                f"record_count is {record_count} but the file holds {len(records)} records"
            )
        return record_count
