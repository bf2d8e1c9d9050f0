"""The reference snapshots as one batch sees them, and the rules of reading them. Pure.

Normalization and customs generation both read the weekly snapshots in force (DOMAIN.md §1): a
feed's `FeedSync` stamp names the extract in force, a `SnapshotSource` yields its rows, and a
`ReferenceBatch` reads each feed at most once for the batch it serves. Which HTS row, tariff rule
or weight record applies on a day is decided here, once, for both services.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from functools import cached_property
from typing import Protocol, TypeVar, cast

from pydantic import BaseModel, ConfigDict, Field

from contracts.datasets import (
    CustomerRow,
    HtsCodeRow,
    MaterialRow,
    PackagingRow,
    ProductMasterRow,
    TariffRuleRow,
    WeightRecordRow,
)
from contracts.events.refs import ObjectRef
from contracts.product_master import ProductsOnDays, weight_history
from contracts.topology import SNAPSHOT_TABLES

Row = TypeVar("Row", bound=BaseModel)


class FeedSync(BaseModel):
    """The "last SAP sync" of one feed: which accepted extract was loaded into which table."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    feed: str
    table: str
    extract_id: str
    extracted_at: datetime = Field(description="when SAP extracted it (orders extracts)")
    synced_at: datetime = Field(description="when ior loaded it")
    row_count: int = Field(ge=0, description="accepted records of the extract")
    records_uri: str
    records_sha256: str
    source_uri: str = Field(default="", description="the file as SAP pushed it")
    source_sha256: str = Field(default="", description="that file's SHA-256 as received")
    source_record_count: int = Field(default=0, description="records in it, accepted or not")

    @property
    def records(self) -> ObjectRef:
        """The accepted records of the extract, to read again (e.g. to re-merge a table)."""
        return ObjectRef(uri=self.records_uri, sha256=self.records_sha256, row_count=self.row_count)


class SnapshotSource(Protocol):
    """Where a `ReferenceBatch` reads snapshots from (the store, or rows in a test)."""

    def last_sync(self, feed: str) -> FeedSync | None: ...

    def snapshot_rows(self, table: str, snapshot: str, model: type[Row]) -> list[Row]: ...


class SnapshotsInMemory:
    """A `SnapshotSource` over rows already built (feed → rows), one snapshot per feed named
    `extract_ids[feed]`: how benchmarks and tests run the pure cores without a table."""

    def __init__(
        self, rows: Mapping[str, Sequence[BaseModel]], stamped_at: datetime, extract_id: str
    ) -> None:
        self._rows = {SNAPSHOT_TABLES[feed]: rows for feed, rows in rows.items()}
        self._syncs = {
            feed: FeedSync(
                feed=feed,
                table=SNAPSHOT_TABLES[feed],
                extract_id=f"{feed}-{extract_id}",
                extracted_at=stamped_at,
                synced_at=stamped_at,
                row_count=len(feed_rows),
                records_uri=f"memory://{feed}",
                records_sha256="0" * 64,
            )
            for feed, feed_rows in rows.items()
        }

    def last_sync(self, feed: str) -> FeedSync | None:
        return self._syncs.get(feed)

    def snapshot_rows(self, table: str, snapshot: str, model: type[Row]) -> list[Row]:
        return cast(list[Row], list(self._rows.get(table, ())))


def valid_on(valid_from: date, valid_to: date | None, day: date) -> bool:
    """A row is valid from `valid_from` through `valid_to` inclusive; None is open-ended."""
    return valid_from <= day and (valid_to is None or day <= valid_to)


class ReferenceBatch:
    """The reference snapshots as one batch sees them: each feed's is read on first use, once.

    Create one per batch (not per process): the next batch must see the next SAP sync.
    `snapshots` names the extract of every feed that was read, for the audit record.
    """

    def __init__(self, source: SnapshotSource) -> None:
        self._source = source
        self._snapshots: dict[str, FeedSync] = {}
        self._rules_by_day: dict[date, tuple[TariffRuleRow, ...]] = {}

    @property
    def snapshots(self) -> Mapping[str, FeedSync]:
        """Feed → the stamp of the snapshot read so far (feeds never loaded are absent)."""
        return dict(sorted(self._snapshots.items()))

    @cached_property
    def materials(self) -> Mapping[str, MaterialRow]:
        return {row.material: row for row in self._snapshot("ZEMM005", MaterialRow)}

    @cached_property
    def weight_history(self) -> Mapping[str, tuple[WeightRecordRow, ...]]:
        """Per material, every ZFMIOR002 record of the snapshot, oldest first."""
        return weight_history(self._snapshot("ZFMIOR002", WeightRecordRow))

    @cached_property
    def packaging(self) -> Mapping[str, PackagingRow]:
        return {row.material: row for row in self._snapshot("ZEMM006", PackagingRow)}

    @cached_property
    def customers(self) -> tuple[CustomerRow, ...]:
        return tuple(self._snapshot("ZSDR010", CustomerRow))

    @cached_property
    def hts_codes(self) -> Mapping[str, tuple[HtsCodeRow, ...]]:
        """ZFMIOR003 rows by HTS number (a number has one row per validity range)."""
        grouped: dict[str, list[HtsCodeRow]] = {}
        for row in self._snapshot("ZFMIOR003", HtsCodeRow):
            grouped.setdefault(row.hts_code, []).append(row)
        return {code: tuple(rows) for code, rows in grouped.items()}

    @cached_property
    def tariff_rules(self) -> tuple[TariffRuleRow, ...]:
        return tuple(self._snapshot("ZEMM007", TariffRuleRow))

    def product_at(self, material: str, day: date) -> ProductMasterRow | None:
        """The material with its weight record valid on `day` (None: not in ZEMM005)."""
        return self._products.at(material, day)

    @cached_property
    def _products(self) -> ProductsOnDays:
        return ProductsOnDays(self.materials, self.weight_history)

    def packaging_material(self, material: str) -> PackagingRow | None:
        """The ZEMM006 row when the material is packaging (`is_packaging`), else None."""
        row = self.packaging.get(material)
        return row if row is not None and row.is_packaging else None

    def hts_at(self, hts_code: str, day: date) -> HtsCodeRow | None:
        """The ZFMIOR003 row of `hts_code` valid on `day`; if ranges overlap, the latest start."""
        valid = [
            row
            for row in self.hts_codes.get(hts_code, ())
            if valid_on(row.valid_from, row.valid_to, day)
        ]
        return max(valid, key=lambda row: row.valid_from, default=None)

    def rules_at(self, day: date) -> tuple[TariffRuleRow, ...]:
        """Every ZEMM007 rule valid on `day` (memoised: a batch has few distinct entry dates)."""
        if day not in self._rules_by_day:
            self._rules_by_day[day] = tuple(
                rule for rule in self.tariff_rules if valid_on(rule.valid_from, rule.valid_to, day)
            )
        return self._rules_by_day[day]

    def _snapshot(self, feed: str, model: type[Row]) -> list[Row]:
        sync = self._source.last_sync(feed)
        if sync is None:
            return []  # the feed was never loaded: an empty table, which the checks report
        self._snapshots[feed] = sync
        return self._source.snapshot_rows(SNAPSHOT_TABLES[feed], sync.extract_id, model)
