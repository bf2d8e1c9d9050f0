"""The reference tables in DynamoDB: batch writes, full-table loads and the per-feed sync stamps.

Normalization writes the tables (`ReferenceStore.write_rows`, `stamp`); customs generation reads
them through a `ReferenceBatch`, which scans each table at most once for the batch it serves, so a
10,000-line batch costs one load per table, not one request per line. Rows are the
`contracts.datasets` models; in DynamoDB a Decimal is `N`, a date is its ISO text, a tuple is `L`
and a None field is left out. Nothing here knows what the rows mean.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime
from functools import cached_property
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from pydantic import BaseModel, ConfigDict, Field

from contracts.datasets import (
    CustomerRow,
    HtsCodeRow,
    PackagingRow,
    ProductMasterRow,
    TariffRuleRow,
)
from contracts.events.refs import ObjectRef
from contracts.topology import (
    FEED_SYNC_CALC,
    FEED_SYNC_COMPARISON,
    TABLE_CUSTOMERS,
    TABLE_FEED_SYNC,
    TABLE_HTS_CODES,
    TABLE_PACKAGING,
    TABLE_PRODUCT_MASTER,
    TABLE_TARIFF_RULES,
    TOPOLOGY,
)
from services.runtime.dynamo_batches import DynamoBatches
from services.runtime.retries import aws_retry

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

Row = TypeVar("Row", bound=BaseModel)
Item = dict[str, Any]

_SERIALIZER = TypeSerializer()
_DESERIALIZER = TypeDeserializer()


def to_item(row: BaseModel) -> Item:
    """A row as a DynamoDB item: Decimal/int as N, date/datetime as ISO S, None fields left out."""
    return {
        name: _SERIALIZER.serialize(_plain(value))
        for name, value in row.model_dump(mode="python").items()
        if value is not None
    }


def from_item(model: type[Row], item: Mapping[str, Any]) -> Row:
    """The row a DynamoDB item holds; the model turns ISO text back into dates."""
    return model.model_validate(
        {name: _DESERIALIZER.deserialize(value) for name, value in item.items()}
    )


def _plain(value: object) -> object:
    """What TypeSerializer accepts: it knows neither dates nor tuples."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [_plain(element) for element in value]
    return value


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

    @property
    def records(self) -> ObjectRef:
        """The accepted records of the extract, to read again (e.g. to re-merge a table)."""
        return ObjectRef(uri=self.records_uri, sha256=self.records_sha256, row_count=self.row_count)


class RowSource(Protocol):
    """Where a `ReferenceBatch` loads whole tables from (the store, or rows in a test)."""

    def scan_rows(self, table: str, model: type[Row]) -> list[Row]: ...


class ReferenceStore:
    def __init__(self, dynamodb: DynamoDBClient, batches: DynamoBatches | None = None) -> None:
        self._db = dynamodb
        self._batches = batches or DynamoBatches(dynamodb)

    def write_rows(self, table: str, rows: Iterable[BaseModel]) -> int:
        """Put every row (BatchWriteItem) and return how many distinct rows were written.

        Rows with the same key collapse to the last one, since one request may not name a key
        twice; a re-delivered extract overwrites the same items, so it never duplicates a row.
        """
        keys = _key_attributes(table)
        items = list({tuple(str(i.get(k)) for k in keys): i for i in map(to_item, rows)}.values())
        self._batches.put_all(table, items)
        return len(items)

    def scan_rows(
        self, table: str, model: type[Row], keep: Callable[[Item], bool] = lambda _: True
    ) -> list[Row]:
        """Every row of `table` that `keep` accepts (paginated, strongly consistent: a load just
        written is seen)."""
        rows: list[Row] = []
        start_key: Item | None = None
        while True:
            page = self._scan_page(table, start_key)
            rows += [from_item(model, item) for item in page.get("Items", []) if keep(item)]
            start_key = page.get("LastEvaluatedKey")
            if not start_key:
                return rows

    @aws_retry
    def stamp(self, sync: FeedSync) -> None:
        self._db.put_item(TableName=TABLE_FEED_SYNC, Item=to_item(sync))

    @aws_retry
    def last_sync(self, feed: str) -> FeedSync | None:
        response = self._db.get_item(
            TableName=TABLE_FEED_SYNC, Key={"feed": {"S": feed}}, ConsistentRead=True
        )
        item = response.get("Item")
        return None if item is None else from_item(FeedSync, item)

    def syncs(self) -> list[FeedSync]:
        """Every feed's last sync, ordered by feed."""
        rows = self.scan_rows(TABLE_FEED_SYNC, FeedSync, keep=_is_feed_row)
        return sorted(rows, key=lambda sync: sync.feed)

    @aws_retry
    def _scan_page(self, table: str, start_key: Item | None) -> Mapping[str, Any]:
        if start_key is None:
            return self._db.scan(TableName=table, ConsistentRead=True)
        return self._db.scan(TableName=table, ConsistentRead=True, ExclusiveStartKey=start_key)


def _is_feed_row(item: Item) -> bool:
    """The feed-sync table also holds the last calculation and comparison; they are no feeds."""
    return item.get("feed", {}).get("S") not in {FEED_SYNC_CALC, FEED_SYNC_COMPARISON}


def _key_attributes(table: str) -> tuple[str, ...]:
    definition = TOPOLOGY.table(table)
    return tuple(k for k in (definition.partition_key, definition.sort_key) if k is not None)


def valid_on(valid_from: date, valid_to: date | None, day: date) -> bool:
    """A row is valid from `valid_from` through `valid_to` inclusive; None is open-ended."""
    return valid_from <= day and (valid_to is None or day <= valid_to)


class ReferenceBatch:
    """The reference tables as one batch sees them: each table is loaded on first use, once.

    Create one per batch (not per process): the next batch must see the next SAP sync.
    """

    def __init__(self, source: RowSource) -> None:
        self._source = source
        self._rules_by_day: dict[date, tuple[TariffRuleRow, ...]] = {}

    @cached_property
    def products(self) -> Mapping[str, ProductMasterRow]:
        rows = self._source.scan_rows(TABLE_PRODUCT_MASTER, ProductMasterRow)
        return {row.material: row for row in rows}

    @cached_property
    def packaging(self) -> Mapping[str, PackagingRow]:
        rows = self._source.scan_rows(TABLE_PACKAGING, PackagingRow)
        return {row.material: row for row in rows}

    @cached_property
    def customers(self) -> tuple[CustomerRow, ...]:
        return tuple(self._source.scan_rows(TABLE_CUSTOMERS, CustomerRow))

    @cached_property
    def hts_codes(self) -> Mapping[str, tuple[HtsCodeRow, ...]]:
        """ZFMIOR003 rows by HTS number (a number has one row per validity range)."""
        grouped: dict[str, list[HtsCodeRow]] = {}
        for row in self._source.scan_rows(TABLE_HTS_CODES, HtsCodeRow):
            grouped.setdefault(row.hts_code, []).append(row)
        return {code: tuple(rows) for code, rows in grouped.items()}

    @cached_property
    def tariff_rules(self) -> tuple[TariffRuleRow, ...]:
        return tuple(self._source.scan_rows(TABLE_TARIFF_RULES, TariffRuleRow))

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
