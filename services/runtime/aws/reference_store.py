"""The reference tables in DynamoDB: snapshot writes and reads, and the per-feed sync stamps.

A weekly feed is a full snapshot (DOMAIN.md §1). Normalization writes each accepted extract into
its table as a partition of its own (`write_snapshot`), then stamps the feed (`stamp`), which
makes that partition the one in force; a stamp never goes back to an older extract. The store is
the `SnapshotSource` of a `contracts.reference_batch.ReferenceBatch`, which reads each feed's stamp
and then that partition alone, at most once for the batch it serves: a 10,000-line batch costs one
load per table, not one request per line, and sees exactly one extract per feed. Rows are the
`contracts.datasets` models; in DynamoDB a Decimal is `N`, a date is its ISO text, a tuple is `L`
and a None field is left out.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, TypeVar

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from pydantic import BaseModel, ValidationError

from contracts.reference_batch import FeedSync
from contracts.topology import (
    FEED_SYNC_CALC,
    FEED_SYNC_COMPARISON,
    SNAPSHOT_KEY,
    SNAPSHOT_ROW_KEY,
    TABLE_FEED_SYNC,
    TOPOLOGY,
)
from services.runtime.aws.dynamo_batches import DynamoBatches
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
        except self._db.exceptions.ConditionalCheckFailedException:
            return False
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
