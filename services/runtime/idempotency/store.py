"""Idempotency records in DynamoDB, claimed with a conditional put.

Keys are explicit strings chosen by the caller (`<service>:<source>:<event id>` or a natural
key such as `ingestion:sha256:<hex>`), never derived from code paths or SQS message ids: a DLQ
redrive gives a message a new SQS id, but not a new event id.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING

import structlog
from botocore.exceptions import ClientError

from contracts.topology import TABLE_IDEMPOTENCY
from services.runtime.errors import AlreadyInProgress, IdempotencyKeyMissing
from services.runtime.idempotency.record import Claim, IdempotencyRecord, Status
from services.runtime.retries import aws_retry

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

log = structlog.get_logger("ior.idempotency")


class IdempotencyStore:
    def __init__(
        self,
        dynamodb: DynamoDBClient,
        *,
        inprogress_expiry_seconds: int,
        retention_days: int,
        table: str = TABLE_IDEMPOTENCY,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._db = dynamodb
        self._table = table
        self._inprogress_expiry = inprogress_expiry_seconds
        self._retention = retention_days * 24 * 3600
        self._clock = clock

    def claim(self, key: str | None) -> Claim:
        """Claim `key` for this worker: FRESH means go ahead, DUPLICATE means already done.

        Raises `AlreadyInProgress` while another worker's unexpired claim holds the key.
        """
        if not key:
            raise IdempotencyKeyMissing("refusing to process a message without an idempotency key")
        now = int(self._clock())
        try:
            self._put_in_progress(key, now)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") != "ConditionalCheckFailedException":
                raise
            record = self.get(key)
            if record is not None and record.status is Status.COMPLETED:
                log.info("idempotency.duplicate", key=key)
                return Claim.DUPLICATE
            raise AlreadyInProgress(key) from exc
        log.info("idempotency.fresh", key=key)
        return Claim.FRESH

    @aws_retry
    def complete(self, key: str) -> None:
        now = int(self._clock())
        self._db.put_item(
            TableName=self._table,
            Item={
                "key": {"S": key},
                "status": {"S": Status.COMPLETED},
                "in_progress_expiry": {"N": "0"},
                "expires_at": {"N": str(now + self._retention)},
            },
        )

    @aws_retry
    def release(self, key: str) -> None:
        """Drop an IN_PROGRESS claim after a failure, so the retry need not wait for expiry."""
        try:
            self._db.delete_item(
                TableName=self._table,
                Key={"key": {"S": key}},
                ConditionExpression="#s = :in_progress",
                ExpressionAttributeNames={"#s": "status"},
                ExpressionAttributeValues={":in_progress": {"S": Status.IN_PROGRESS}},
            )
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") != "ConditionalCheckFailedException":
                raise

    @aws_retry
    def get(self, key: str) -> IdempotencyRecord | None:
        item = self._db.get_item(
            TableName=self._table, Key={"key": {"S": key}}, ConsistentRead=True
        )
        found = item.get("Item")
        if not found:
            return None
        return IdempotencyRecord(
            key=key,
            status=Status(found["status"]["S"]),
            in_progress_expiry=int(found["in_progress_expiry"]["N"]),
            expires_at=int(found["expires_at"]["N"]),
        )

    @aws_retry
    def _put_in_progress(self, key: str, now: int) -> None:
        self._db.put_item(
            TableName=self._table,
            Item={
                "key": {"S": key},
                "status": {"S": Status.IN_PROGRESS},
                "in_progress_expiry": {"N": str(now + self._inprogress_expiry)},
                "expires_at": {"N": str(now + self._retention)},
            },
            ConditionExpression=("attribute_not_exists(#k) OR (#s = :in_progress AND #exp < :now)"),
            ExpressionAttributeNames={"#k": "key", "#s": "status", "#exp": "in_progress_expiry"},
            ExpressionAttributeValues={
                ":in_progress": {"S": Status.IN_PROGRESS},
                ":now": {"N": str(now)},
            },
        )
