"""DynamoDB's multi-item APIs, within their limits, with their partial results finished.

BatchWriteItem (25 puts), BatchGetItem (100 keys) and TransactWriteItems (100 updates) are the
calls that keep a stage from issuing one request per record. The batch calls answer a throttled
table with what they left undone (`UnprocessedItems`/`UnprocessedKeys`) instead of an error:
that remainder is asked again with backoff here until nothing is left, or the caller gets a
transient error (the message is retried) rather than silently losing items. Chunks touch
distinct keys, so they go out side by side.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from services.runtime.aws.parallel import side_by_side
from services.runtime.aws.retries import transaction_retry
from services.runtime.errors import TransientAwsError

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

Item = dict[str, Any]
T = TypeVar("T")

BATCH_WRITE_LIMIT = 25  # requests in one BatchWriteItem
BATCH_GET_LIMIT = 100  # keys in one BatchGetItem
TRANSACTION_LIMIT = 100  # actions in one TransactWriteItems


@dataclass(frozen=True)
class Update:
    """One UpdateItem-style change: `expression` applied to the item at `key`."""

    key: Item
    expression: str
    values: Item


class DynamoBatches:
    def __init__(
        self,
        dynamodb: DynamoDBClient,
        *,
        max_attempts: int = 8,
        backoff_seconds: float = 0.05,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._db = dynamodb
        self._max_attempts = max_attempts
        self._backoff = backoff_seconds
        self._sleep = sleep

    def put_all(self, table: str, items: Sequence[Item]) -> None:
        """Put every item (keys must be distinct: one request may not name a key twice)."""
        side_by_side(lambda chunk: self._put_chunk(table, chunk), _chunks(items, BATCH_WRITE_LIMIT))

    def get_all(self, table: str, keys: Sequence[Item]) -> list[Item]:
        """The items at `keys` that exist, strongly consistent, in no particular order."""
        found = side_by_side(
            lambda chunk: self._get_chunk(table, chunk), _chunks(keys, BATCH_GET_LIMIT)
        )
        return [item for items in found for item in items]

    def update_all(self, table: str, updates: Sequence[Update]) -> None:
        """Apply every update, 100 per TransactWriteItems (keys must be distinct).

        TransactWriteItems is the one multi-item call that can change part of an item (e.g. add
        to a set) instead of replacing it; atomicity across the chunk is not what it is used for.
        IAM authorises each action as the UpdateItem it is.
        """
        side_by_side(
            lambda chunk: self._transact(table, chunk), _chunks(updates, TRANSACTION_LIMIT)
        )

    def _put_chunk(self, table: str, items: Sequence[Item]) -> None:
        pending: Sequence[Any] = [{"PutRequest": {"Item": item}} for item in items]
        for attempt in range(self._max_attempts):
            response = self._batch_write(table, pending)
            pending = response.get("UnprocessedItems", {}).get(table, [])
            if not pending:
                return
            self._back_off(attempt)
        raise TransientAwsError(
            f"{table}: {len(pending)} items still unprocessed after {self._max_attempts} attempts"
        )

    def _get_chunk(self, table: str, keys: Sequence[Item]) -> list[Item]:
        found: list[Item] = []
        pending: Sequence[Item] = keys
        for attempt in range(self._max_attempts):
            response = self._batch_get(table, pending)
            found += response.get("Responses", {}).get(table, [])
            pending = response.get("UnprocessedKeys", {}).get(table, {}).get("Keys", [])
            if not pending:
                return found
            self._back_off(attempt)
        raise TransientAwsError(
            f"{table}: {len(pending)} keys still unread after {self._max_attempts} attempts"
        )

    def _back_off(self, attempt: int) -> None:
        # Unprocessed items mean the table is throttling: wait before asking again.
        self._sleep(self._backoff * 2**attempt * (1 + random.random()))

    def _batch_write(self, table: str, requests: Sequence[Any]) -> Mapping[str, Any]:
        return self._db.batch_write_item(RequestItems={table: requests})

    def _batch_get(self, table: str, keys: Sequence[Item]) -> Mapping[str, Any]:
        return self._db.batch_get_item(RequestItems={table: {"Keys": keys, "ConsistentRead": True}})

    @transaction_retry
    def _transact(self, table: str, updates: Sequence[Update]) -> None:
        self._db.transact_write_items(
            TransactItems=[
                {
                    "Update": {
                        "TableName": table,
                        "Key": update.key,
                        "UpdateExpression": update.expression,
                        "ExpressionAttributeValues": update.values,
                    }
                }
                for update in updates
            ]
        )


def _chunks(values: Sequence[T], size: int) -> list[Sequence[T]]:
    return [values[start : start + size] for start in range(0, len(values), size)]
