"""Idempotency records in DynamoDB, claimed with a conditional put.

A claim is a lease: it holds the key for `lease_seconds` and the worker's visibility heartbeat
renews it while the work runs, so the lease of a worker that was killed lapses within
`lease_seconds` and another worker takes the message over, instead of the message meeting the dead
worker's claim on every receive until SQS dead-letters it. Each claim carries an owner token, so a
worker whose lease lapsed and was taken over can neither renew nor release the new owner's claim.

Keys are explicit strings chosen by the caller (`<service>:<source>:<event id>` or a natural
key such as `ingestion:sha256:<hex>`), never derived from code paths or SQS message ids: a DLQ
redrive gives a message a new SQS id, but not a new event id.
"""

from __future__ import annotations

import contextlib
import time
import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING

import structlog

from contracts.topology import TABLE_IDEMPOTENCY
from services.runtime.errors import AlreadyInProgress, IdempotencyKeyMissing
from services.runtime.messaging.idempotency.record import Claim, IdempotencyRecord, Status

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

log = structlog.get_logger("ior.idempotency")


class IdempotencyStore:
    def __init__(
        self,
        dynamodb: DynamoDBClient,
        *,
        lease_seconds: int,
        retention_days: int,
        table: str = TABLE_IDEMPOTENCY,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._db = dynamodb
        self._table = table
        self._lease = lease_seconds
        self._retention = retention_days * 24 * 3600
        self._clock = clock
        # The owner token of every claim this process holds (dict operations are thread-safe).
        self._owners: dict[str, str] = {}

    def claim(self, key: str | None) -> Claim:
        """Claim `key` for this worker: FRESH means go ahead, DUPLICATE means already done.

        Raises `AlreadyInProgress`, with the seconds the lease has left, while another worker's
        live lease holds the key.
        """
        if not key:
            raise IdempotencyKeyMissing("refusing to process a message without an idempotency key")
        now = int(self._clock())
        owner = uuid.uuid4().hex
        try:
            self._put_in_progress(key, owner, now)
        except self._db.exceptions.ConditionalCheckFailedException as exc:
            record = self.get(key)
            if record is not None and record.status is Status.COMPLETED:
                log.info("idempotency.duplicate", key=key)
                return Claim.DUPLICATE
            # A lease is taken over only once its expiry is in the past (`#exp < :now`).
            lapses_in = record.in_progress_expiry + 1 - now if record is not None else 1
            raise AlreadyInProgress(key, max(1, lapses_in)) from exc
        self._owners[key] = owner
        log.info("idempotency.fresh", key=key)
        return Claim.FRESH

    def renew(self, key: str) -> bool:
        """Extend this process's lease on `key` by `lease_seconds` from now; False when the lease
        is no longer ours (it lapsed and another worker took the key, or the work completed)."""
        owner = self._owners.get(key)
        if owner is None:
            return False
        try:
            self._extend_lease(key, owner, int(self._clock()))
        except self._db.exceptions.ConditionalCheckFailedException:
            log.warning("idempotency.lease_lost", key=key)
            return False
        return True

    def complete(self, key: str) -> None:
        self._owners.pop(key, None)
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

    def release(self, key: str) -> None:
        """Drop our IN_PROGRESS claim after a failure, so the retry need not wait for the lease."""
        owner = self._owners.pop(key, None)
        if owner is None:
            return
        with contextlib.suppress(self._db.exceptions.ConditionalCheckFailedException):
            self._db.delete_item(
                TableName=self._table,
                Key={"key": {"S": key}},
                ConditionExpression="#s = :in_progress AND #o = :owner",
                ExpressionAttributeNames={"#s": "status", "#o": "owner"},
                ExpressionAttributeValues={
                    ":in_progress": {"S": Status.IN_PROGRESS},
                    ":owner": {"S": owner},
                },
            )

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

    def _put_in_progress(self, key: str, owner: str, now: int) -> None:
        self._db.put_item(
            TableName=self._table,
            Item={
                "key": {"S": key},
                "status": {"S": Status.IN_PROGRESS},
                "owner": {"S": owner},
                "in_progress_expiry": {"N": str(now + self._lease)},
                "expires_at": {"N": str(now + self._retention)},
            },
            ConditionExpression=("attribute_not_exists(#k) OR (#s = :in_progress AND #exp < :now)"),
            ExpressionAttributeNames={"#k": "key", "#s": "status", "#exp": "in_progress_expiry"},
            ExpressionAttributeValues={
                ":in_progress": {"S": Status.IN_PROGRESS},
                ":now": {"N": str(now)},
            },
        )

    def _extend_lease(self, key: str, owner: str, now: int) -> None:
        self._db.update_item(
            TableName=self._table,
            Key={"key": {"S": key}},
            UpdateExpression="SET #exp = :expiry",
            ConditionExpression="#s = :in_progress AND #o = :owner",
            ExpressionAttributeNames={"#s": "status", "#o": "owner", "#exp": "in_progress_expiry"},
            ExpressionAttributeValues={
                ":in_progress": {"S": Status.IN_PROGRESS},
                ":owner": {"S": owner},
                ":expiry": {"N": str(now + self._lease)},
            },
        )
