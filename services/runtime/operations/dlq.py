"""Dead-letter queues as ops see them: list, peek, purge, and the pipeline's status.

Replay lives in `services.runtime.operations.replay`. Every function takes the injected clients and
name resolver; nothing here reads the environment, and nothing here consumes a message it only
looks at.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import structlog
from boto3.dynamodb.types import TypeDeserializer

from contracts.feeds import FEEDS
from contracts.topology import FEED_SYNC_CALC, FEED_SYNC_COMPARISON, TABLE_FEED_SYNC, TOPOLOGY
from services.runtime.aws.clients import AwsClients
from services.runtime.aws.names import NameResolver
from services.runtime.aws.queues import queue_depth
from services.runtime.errors import UnknownService

if TYPE_CHECKING:
    from mypy_boto3_sqs import SQSClient
    from mypy_boto3_sqs.type_defs import MessageAttributeValueOutputTypeDef, MessageTypeDef

log = structlog.get_logger("ior.dlq")

REPLAY_COUNT = "replay_count"
SQS_BATCH = 10  # the most SQS returns or accepts per receive and per *Batch call
# A long poll asks every SQS server, so an empty answer means the queue really has nothing visible.
_RECEIVE_WAIT_SECONDS = 1
# Peeked messages are hidden only while a peek collects them (then released at once); if the peek
# is killed they come back on their own after this long.
_PEEK_VISIBILITY_SECONDS = 30
_AGE_SAMPLE = SQS_BATCH
# TABLE_FEED_SYNC rows that are not SAP feeds: the last calculation and the last comparison.


@dataclass(frozen=True)
class ServiceQueues:
    service: str
    queue: str
    dlq: str


def service_queues(service: str) -> ServiceQueues:
    for candidate in TOPOLOGY.services:
        if candidate.name == service:
            dlq = TOPOLOGY.queue(candidate.queue).dlq_name
            return ServiceQueues(candidate.name, candidate.queue, dlq)
    raise UnknownService(service)


@dataclass(frozen=True)
class DlqMessage:
    """One message received from a DLQ, kept whole so that a replay can send it unchanged."""

    message_id: str
    receipt_handle: str
    body: str
    attributes: Mapping[str, MessageAttributeValueOutputTypeDef]
    sent_at: datetime | None
    receive_count: int

    @classmethod
    def from_sqs(cls, raw: MessageTypeDef) -> DlqMessage:
        system = raw.get("Attributes", {})
        sent_ms = system.get("SentTimestamp")
        return cls(
            message_id=raw["MessageId"],
            receipt_handle=raw["ReceiptHandle"],
            body=raw["Body"],
            attributes=raw.get("MessageAttributes", {}),
            sent_at=datetime.fromtimestamp(int(sent_ms) / 1000, UTC) if sent_ms else None,
            receive_count=int(system.get("ApproximateReceiveCount", 1)),
        )

    @property
    def text_attributes(self) -> dict[str, str]:
        """String and Number attributes by name (what filters and people read)."""
        return {
            name: value["StringValue"]
            for name, value in self.attributes.items()
            if "StringValue" in value
        }

    @property
    def event_id(self) -> str | None:
        """The CloudEvent id when the body is an envelope (an S3 notification has none)."""
        try:
            body = json.loads(self.body)
        except ValueError:
            return None
        event_id = body.get("id") if isinstance(body, dict) and "specversion" in body else None
        return event_id if isinstance(event_id, str) else None


def receive(sqs: SQSClient, url: str, count: int, visibility_seconds: int) -> list[DlqMessage]:
    response = sqs.receive_message(
        QueueUrl=url,
        MaxNumberOfMessages=count,
        VisibilityTimeout=visibility_seconds,
        WaitTimeSeconds=_RECEIVE_WAIT_SECONDS,
        MessageAttributeNames=["All"],
        MessageSystemAttributeNames=["SentTimestamp", "ApproximateReceiveCount"],
    )
    return [DlqMessage.from_sqs(raw) for raw in response.get("Messages", [])]


def set_visibility(sqs: SQSClient, url: str, handles: Sequence[str], seconds: int) -> None:
    """Hide or (with 0) release messages; one that cannot be changed reappears on its own."""
    for start in range(0, len(handles), SQS_BATCH):
        chunk = handles[start : start + SQS_BATCH]
        response = sqs.change_message_visibility_batch(
            QueueUrl=url,
            Entries=[
                {"Id": str(index), "ReceiptHandle": handle, "VisibilityTimeout": seconds}
                for index, handle in enumerate(chunk)
            ],
        )
        for failure in response.get("Failed", []):
            log.warning("dlq.visibility_unchanged", queue=url, error=failure.get("Message"))


def peek_messages(sqs: SQSClient, url: str, limit: int) -> list[DlqMessage]:
    """Up to `limit` distinct messages, released (visible again) before this returns. Asking for
    no more than the queue's depth saves the final empty long poll.

    They are held while the peek collects them, not released one by one: a message released at
    once could come back in the next receive and hide the ones behind it.
    """
    seen: dict[str, DlqMessage] = {}
    try:
        while len(seen) < limit:
            batch = receive(sqs, url, min(SQS_BATCH, limit - len(seen)), _PEEK_VISIBILITY_SECONDS)
            if not batch:
                break
            seen.update((message.message_id, message) for message in batch)
    finally:
        set_visibility(sqs, url, [message.receipt_handle for message in seen.values()], 0)
    return list(seen.values())


@dataclass(frozen=True)
class DlqInfo:
    """A service's DLQ. The oldest message's age comes from the `SentTimestamp` of `age_sample`
    peeked messages: SQS has no queue attribute for it (`ApproximateAgeOfOldestMessage` is a
    CloudWatch metric only), so it is exact when the sample covers every message."""

    service: str
    dlq: str
    depth: int
    in_flight: int
    oldest_age_seconds: float | None
    age_sample: int

    @property
    def age_is_exact(self) -> bool:
        return self.age_sample >= self.depth + self.in_flight


def list_dlqs(clients: AwsClients, names: NameResolver) -> list[DlqInfo]:
    infos = []
    now = datetime.now(UTC)
    for service in TOPOLOGY.services:
        queues = service_queues(service.name)
        depth = queue_depth(clients, names, queues.dlq)
        sample: list[DlqMessage] = []
        if depth.visible:
            url = names.queue_url(queues.dlq)
            sample = peek_messages(clients.sqs, url, min(_AGE_SAMPLE, depth.visible))
        sent = [message.sent_at for message in sample if message.sent_at]
        infos.append(
            DlqInfo(
                service=service.name,
                dlq=queues.dlq,
                depth=depth.visible,
                in_flight=depth.in_flight,
                oldest_age_seconds=(now - min(sent)).total_seconds() if sent else None,
                age_sample=len(sent),
            )
        )
    return infos


@dataclass(frozen=True)
class PeekedMessage:
    """What ops need to decide about a dead letter. `receive_count` counts every receive of this
    DLQ copy, peeks included; `replay_count` how often ior has replayed it already."""

    message_id: str
    type: str | None
    correlationid: str | None
    event_id: str | None
    error_type: str | None
    error_message: str | None
    failed_at: str | None
    replay_count: int | None
    receive_count: int
    sent_at: datetime | None
    body: str


def peek(
    clients: AwsClients, names: NameResolver, service: str, n: int = 10
) -> list[PeekedMessage]:
    """Up to `n` messages of the service's DLQ, left in the DLQ and visible again."""
    dlq = service_queues(service).dlq
    limit = min(n, queue_depth(clients, names, dlq).visible)
    peeked = []
    for message in peek_messages(clients.sqs, names.queue_url(dlq), limit):
        text = message.text_attributes
        peeked.append(
            PeekedMessage(
                message_id=message.message_id,
                type=text.get("type"),
                correlationid=text.get("correlationid"),
                event_id=message.event_id,
                error_type=text.get("error_type"),
                error_message=text.get("error_message"),
                failed_at=text.get("failed_at"),
                replay_count=replay_count(text),
                receive_count=message.receive_count,
                sent_at=message.sent_at,
                body=message.body,
            )
        )
    return peeked


def replay_count(attributes: Mapping[str, str]) -> int | None:
    """How often a message was replayed (0 when never); None when the attribute is unreadable,
    which the loop guard treats as over the limit, so a broken count cannot cause a loop."""
    try:
        return int(attributes.get(REPLAY_COUNT, "0"))
    except ValueError:
        return None


def purge(clients: AwsClients, names: NameResolver, service: str) -> int:
    """Delete every message of the service's DLQ; returns how many it held (approximately).

    SQS allows one purge per queue per 60 seconds and may take that long to finish.
    """
    dlq = service_queues(service).dlq
    depth = queue_depth(clients, names, dlq)
    clients.sqs.purge_queue(QueueUrl=names.queue_url(dlq))
    log.warning("dlq.purged", service=service, dlq=dlq, messages=depth.visible + depth.in_flight)
    return depth.visible + depth.in_flight


def status(clients: AwsClients, names: NameResolver) -> dict[str, Any]:
    """Queues, feed syncs and the last calculation, as JSON-ready data.

    Every SAP feed is listed; one without a sync row has `synced_at: None` (never synced). The last
    CALC-ID and comparison result are `None` until the services that write them have run.
    """
    now = datetime.now(UTC)
    services = []
    for service in TOPOLOGY.services:
        queues = service_queues(service.name)
        queue = queue_depth(clients, names, queues.queue)
        dlq = queue_depth(clients, names, queues.dlq)
        services.append(
            {
                "service": service.name,
                "queue": queues.queue,
                "depth": queue.visible + queue.delayed,
                "in_flight": queue.in_flight,
                "dlq_depth": dlq.visible + dlq.in_flight,
            }
        )
    rows = {row["feed"]: row for row in _scan(clients, TABLE_FEED_SYNC)}
    markers = {name: rows.pop(name, None) for name in (FEED_SYNC_CALC, FEED_SYNC_COMPARISON)}
    expected = {feed: {"feed": feed} for feed in FEEDS}
    return {
        "services": services,
        "feeds": [feed_sync(row, now) for _, row in sorted({**expected, **rows}.items())],
        "last_calc": markers[FEED_SYNC_CALC],
        "last_comparison": markers[FEED_SYNC_COMPARISON],
    }


def feed_sync(row: Mapping[str, Any], now: datetime) -> dict[str, Any]:
    """A TABLE_FEED_SYNC row with the age of its last sync; `synced_at` None means never."""
    synced_at = row.get("synced_at")
    age = None
    if isinstance(synced_at, str):
        try:
            age = round((now - datetime.fromisoformat(synced_at)).total_seconds())
        except (ValueError, TypeError):  # unparsable, or without a time zone
            age = None
    return {
        "feed": row["feed"],
        "synced_at": synced_at,
        "age_seconds": age,
        "extract_id": row.get("extract_id"),
        "row_count": row.get("row_count"),
    }


def _scan(clients: AwsClients, table: str) -> list[dict[str, Any]]:
    deserializer = TypeDeserializer()
    rows = []
    for page in clients.dynamodb.get_paginator("scan").paginate(TableName=table):
        for item in page.get("Items", []):
            row = {name: deserializer.deserialize(value) for name, value in item.items()}
            rows.append({name: _plain(value) for name, value in row.items()})
    return rows


def _plain(value: Any) -> Any:
    """DynamoDB numbers arrive as Decimal; status is JSON, so whole numbers become int."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value
