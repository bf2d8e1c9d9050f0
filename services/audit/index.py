"""The audit index (by CALC-ID, PO number and file name) and the `CALC` row of `ior status`.

Index items are put only where absent, so a re-delivered event never writes one twice: the items
of a calculation are read in one go (BatchGetItem) and the absent ones put with a condition that
they still are, a hundred to a transaction (TransactWriteItems), instead of a conditional PutItem
per PO. Not BatchWriteItem: IAM cannot tell its puts from its deletes, and the audit role may add
to the index, never delete from it. An item a racing delivery put meanwhile (the same item, it
derives from the same record) cancels the transaction; the others are then put again. The only
update is the supersession mark on a record item (`mark_superseded`). The `CALC` row only moves
forward in time: replaying an older calculation does not make it "the last one".
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

import structlog
from boto3.dynamodb.types import TypeSerializer
from botocore.exceptions import ClientError

from contracts.audit_layout import RECORD_SORT_KEY, calc_partition
from contracts.datasets import CalculationRecordV1
from contracts.topology import (
    AUDIT_SUPERSEDED_BY,
    AUDIT_SUPERSEDED_INVOICES,
    FEED_SYNC_CALC,
    TABLE_AUDIT_INDEX,
    TABLE_FEED_SYNC,
)
from services.runtime.aws.dynamo_batches import DynamoBatches
from services.runtime.aws.retries import transaction_retry

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

log = structlog.get_logger("ior.audit")
_CONDITION_FAILED = "ConditionalCheckFailedException"
_CONDITION = "ConditionalCheckFailed"  # a transaction's cancellation reason
_TRANSACTION_ITEMS = 100  # DynamoDB's limit per TransactWriteItems
_serializer = TypeSerializer()


class AuditIndex:
    def __init__(
        self,
        dynamodb: DynamoDBClient,
        *,
        table: str = TABLE_AUDIT_INDEX,
        feed_sync_table: str = TABLE_FEED_SYNC,
    ) -> None:
        self._db = dynamodb
        self._batches = DynamoBatches(dynamodb)
        self._table = table
        self._feed_sync = feed_sync_table

    def add(self, items: Iterable[Mapping[str, Any]]) -> int:
        """Put every item that is not there yet; returns how many were new."""
        by_key = {(item["pk"], item["sk"]): _serialize(item) for item in items}
        keys = [{"pk": item["pk"], "sk": item["sk"]} for item in by_key.values()]
        existing = {(i["pk"]["S"], i["sk"]["S"]) for i in self._batches.get_all(self._table, keys)}
        if existing:
            log.info("audit.index_exists", items=len(existing))
        absent = [item for key, item in by_key.items() if key not in existing]
        return sum(
            self._put_absent(absent[start : start + _TRANSACTION_ITEMS])
            for start in range(0, len(absent), _TRANSACTION_ITEMS)
        )

    @transaction_retry
    def _put_absent(self, items: list[dict[str, Any]]) -> int:
        """Put every item unless it exists; returns how many this call put."""
        if not items:
            return 0
        try:
            self._db.transact_write_items(
                TransactItems=[
                    {
                        "Put": {
                            "TableName": self._table,
                            "Item": item,
                            "ConditionExpression": "attribute_not_exists(pk)",
                        }
                    }
                    for item in items
                ]
            )
        except ClientError as exc:
            reasons = exc.response.get("CancellationReasons", [])
            taken = {n for n, reason in enumerate(reasons) if reason.get("Code") == _CONDITION}
            if not taken:
                raise
            log.info("audit.index_put_meanwhile", items=len(taken))
            return self._put_absent([item for n, item in enumerate(items) if n not in taken])
        return len(items)

    def mark_superseded(self, calc_id: str, invoices: Iterable[str], by_calc_id: str) -> None:
        """Note on `calc_id`'s record item that `by_calc_id` replaced it for `invoices` (the
        record itself is locked; the index says which calculation is current)."""
        self._db.update_item(
            TableName=self._table,
            Key={"pk": {"S": calc_partition(calc_id)}, "sk": {"S": RECORD_SORT_KEY}},
            UpdateExpression=(
                f"ADD {AUDIT_SUPERSEDED_INVOICES} :invoices, {AUDIT_SUPERSEDED_BY} :by"
            ),
            ExpressionAttributeValues={
                ":invoices": {"SS": sorted(set(invoices))},
                ":by": {"SS": [by_calc_id]},
            },
        )

    def mark_last_calculation(
        self, record: CalculationRecordV1, record_uri: str, at: datetime
    ) -> None:
        try:
            self._db.put_item(
                TableName=self._feed_sync,
                Item=_serialize(
                    {
                        "feed": FEED_SYNC_CALC,
                        "calc_id": record.calc_id,
                        "calculated_at": record.calculated_at,
                        "line_count": record.line_count,
                        "invoice_count": len(record.invoice_numbers),
                        "record_uri": record_uri,
                        "at": at.isoformat(),
                    }
                ),
                ConditionExpression="attribute_not_exists(feed) OR calculated_at <= :calculated",
                ExpressionAttributeValues={":calculated": {"S": record.calculated_at}},
            )
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") != _CONDITION_FAILED:
                raise
            log.info("audit.calc_row_newer", calc_id=record.calc_id)


def _serialize(item: Mapping[str, Any]) -> dict[str, Any]:
    return {name: _serializer.serialize(value) for name, value in item.items()}
