"""The reference tables in DynamoDB: snapshot writes and reads, and the per-feed sync stamps.

A weekly feed is a full snapshot (DOMAIN.md §1). Normalization writes each accepted extract into
its table as a partition of its own (`write_snapshot`), then stamps the feed (`stamp`), which
makes that partition the one in force; a stamp never goes back to an older extract. Readers get
a `ReferenceBatch`, which reads each feed's stamp and then that partition alone, at most once for
the batch it serves: a 10,000-line batch costs one load per table, not one request per line, and
sees exactly one extract per feed. Rows are the `contracts.datasets` models; in DynamoDB a Decimal
is `N`, a date is its ISO text, a tuple is `L` and a None field is left out.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date, datetime
from functools import cached_property
from typing import TYPE_CHECKING, Any, Protocol, TypeVar, cast

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from botocore.exceptions import ClientError
from pydantic import BaseModel, ConfigDict, Field, ValidationError

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
from contracts.topology import (
    FEED_SYNC_CALC,
    FEED_SYNC_COMPARISON,
    SNAPSHOT_KEY,
    SNAPSHOT_ROW_KEY,
    SNAPSHOT_TABLES,
    TABLE_FEED_SYNC,
    TOPOLOGY,
)
from services.runtime.dynamo_batches import DynamoBatches
from services.runtime.errors import ReferenceRowUnreadable

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


def from_item(model: type[Row], item: Mapping[str, Any], table: str = "") -> Row:
    """The row a DynamoDB item holds; the model turns ISO text back into dates.

    An item that does not parse is data, not a hiccup: `ReferenceRowUnreadable` (permanent)."""
    fields = {name: _DESERIALIZER.deserialize(value) for name, value in item.items()}
    try:
        return model.model_validate(fields)
    except ValidationError as exc:
        raise ReferenceRowUnreadable(table, fields.get(SNAPSHOT_ROW_KEY), str(exc)) from exc


def _plain(value: object) -> object:
    """What TypeSerializer accepts: it knows neither dates nor tuples."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [_plain(element) for element in value]
    if isinstance(value, dict):
        return {key: _plain(element) for key, element in value.items()}
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


class ReferenceStore:
    def __init__(self, dynamodb: DynamoDBClient, batches: DynamoBatches | None = None) -> None:
        self._db = dynamodb
        self._batches = batches or DynamoBatches(dynamodb)

    def write_rows(self, table: str, rows: Iterable[BaseModel]) -> int:
        """Put every row (BatchWriteItem) and return how many distinct rows were written.

        Rows with the same key collapse to the last one, since one request may not name a key
        twice; a re-delivered extract overwrites the same items, so it never duplicates a row.
        """
        return self._put_items(table, [to_item(row) for row in rows])

    def write_snapshot(
        self,
        table: str,
        snapshot: str,
        rows: Iterable[BaseModel],
        row_key: Callable[[BaseModel], str],
    ) -> int:
        """Put `rows` as the partition `snapshot` of `table`; returns the distinct rows written
        (of two rows with one `row_key`, the later stands)."""
        items = [
            {
                SNAPSHOT_KEY: {"S": snapshot},
                SNAPSHOT_ROW_KEY: {"S": row_key(row)},
                **to_item(row),
            }
            for row in rows
        ]
        return self._put_items(table, items)

    def snapshot_rows(self, table: str, snapshot: str, model: type[Row]) -> list[Row]:
        """Every row of one snapshot."""
        return self.partition_rows(table, snapshot, model)

    def partition_rows(self, table: str, partition: str, model: type[Row]) -> list[Row]:
        """Every row whose partition key is `partition` (Query, paginated, strongly
        consistent)."""
        rows: list[Row] = []
        start_key: Item | None = None
        while True:
            page = self._query_page(table, partition, start_key)
            rows += [from_item(model, item, table) for item in page.get("Items", [])]
            start_key = page.get("LastEvaluatedKey")
            if not start_key:
                return rows

    def scan_rows(
        self, table: str, model: type[Row], keep: Callable[[Item], bool] = lambda _: True
    ) -> list[Row]:
        """Every row of `table` that `keep` accepts (paginated, strongly consistent: a load just
        written is seen)."""
        rows: list[Row] = []
        start_key: Item | None = None
        while True:
            page = self._scan_page(table, start_key)
            rows += [from_item(model, item, table) for item in page.get("Items", []) if keep(item)]
            start_key = page.get("LastEvaluatedKey")
            if not start_key:
                return rows

    def stamp(self, sync: FeedSync) -> bool:
        """Make `sync` the feed's last sync unless the stamp names a later extract already.

        "Later" is SAP's `extracted_at` (DOMAIN.md §1), never arrival order: an older weekly
        extract handled after a newer one must not become the table. Returns whether it did.
        """
        try:
            self._put_stamp(sync)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException":
                return False
            raise
        return True

    def _put_stamp(self, sync: FeedSync) -> None:
        self._db.put_item(
            TableName=TABLE_FEED_SYNC,
            Item=to_item(sync),
            ConditionExpression="attribute_not_exists(feed) OR extracted_at <= :at",
            ExpressionAttributeValues={":at": {"S": sync.extracted_at.isoformat()}},
        )

    def last_sync(self, feed: str) -> FeedSync | None:
        response = self._db.get_item(
            TableName=TABLE_FEED_SYNC, Key={"feed": {"S": feed}}, ConsistentRead=True
        )
        item = response.get("Item")
        return None if item is None else from_item(FeedSync, item, TABLE_FEED_SYNC)

    def syncs(self) -> list[FeedSync]:
        """Every feed's last sync, ordered by feed."""
        rows = self.scan_rows(TABLE_FEED_SYNC, FeedSync, keep=_is_feed_row)
        return sorted(rows, key=lambda sync: sync.feed)

    def _put_items(self, table: str, items: list[Item]) -> int:
        keys = _key_attributes(table)
        distinct = list({tuple(str(i.get(k)) for k in keys): i for i in items}.values())
        self._batches.put_all(table, distinct)
        return len(distinct)

    def _scan_page(self, table: str, start_key: Item | None) -> Mapping[str, Any]:
        if start_key is None:
            return self._db.scan(TableName=table, ConsistentRead=True)
        return self._db.scan(TableName=table, ConsistentRead=True, ExclusiveStartKey=start_key)

    def _query_page(self, table: str, partition: str, start_key: Item | None) -> Mapping[str, Any]:
        query: dict[str, Any] = {
            "TableName": table,
            "ConsistentRead": True,
            "KeyConditionExpression": "#partition = :partition",
            "ExpressionAttributeNames": {"#partition": TOPOLOGY.table(table).partition_key},
            "ExpressionAttributeValues": {":partition": {"S": partition}},
        }
        if start_key is not None:
            query["ExclusiveStartKey"] = start_key
        return self._db.query(**query)


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
