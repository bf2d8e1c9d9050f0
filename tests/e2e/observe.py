"""Reading what the pipeline did on LocalStack: events seen on the topics, DLQ contents, objects
and idempotency records. Everything waits on a condition, never for a fixed time."""

from __future__ import annotations

import contextlib
import time
from collections import defaultdict
from collections.abc import Iterable

import pytest

from contracts.envelope import Envelope
from contracts.topology import (
    BUCKET_RAW,
    EXTRACT_ACCEPTED,
    EXTRACT_REJECTED,
    QUEUE_INGESTION,
    TABLE_IDEMPOTENCY,
)
from services.ingestion.notifications import parse_notification
from services.runtime.aws.queues import wait_until_idle
from services.runtime.context import RuntimeContext
from services.runtime.operations.observer import EventObserver
from tests.conftest import wait_for

SETTLE_SECONDS = 90


def settled_sources(events: Iterable[Envelope]) -> set[str]:
    """Files with an outcome: accepted, rejected whole, or every record rejected. (Accepted and
    rejected records of one file are published together, in one batch.)"""
    return {
        event.data["source_uri"]
        for event in events
        if event.type in {EXTRACT_ACCEPTED, EXTRACT_REJECTED}
    }


class Watch:
    """Every event published on the chain's topics while it is open (a temporary queue subscribed
    to all of them), with claim-checked data restored, as a consumer would read it."""

    def __init__(self, context: RuntimeContext) -> None:
        self._context = context
        self._observer = EventObserver(context.clients, context.names)
        self.events: list[Envelope] = []

    def __enter__(self) -> Watch:
        self._observer.__enter__()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._observer.__exit__(None, None, None)

    def collect(self) -> list[Envelope]:
        """Events published since the last call (waits at most a second for the first)."""
        new = [self._context.claim_checks.check_out(e) for e in self._observer.collect()]
        self.events += new
        return new

    def settle(
        self, sources: set[str], *, dead_letters_count: bool = False, any_of: bool = False
    ) -> None:
        """Waits until every source file (with `any_of`: one of them) has its outcome event (or,
        with `dead_letters_count`, its notification is in the ingestion DLQ), then until the
        ingestion queue is idle."""
        context = self._context
        missing = set(sources)
        deadline = time.monotonic() + SETTLE_SECONDS
        while missing and time.monotonic() < deadline:
            self.collect()
            done = settled_sources(self.events)
            if dead_letters_count:
                done |= dead_lettered_sources(context)
            missing = set() if any_of and done & sources else missing - done
        if missing:
            pytest.fail(f"no outcome within {SETTLE_SECONDS} s for {sorted(missing)}")
        assert wait_until_idle(context.clients, context.names, [QUEUE_INGESTION], timeout=30)
        self.collect()

    def outcomes(self, sources: set[str], *, any_of: bool = False) -> dict[str, list[Envelope]]:
        """`settle`, then ingestion's events by source file (every delivery, duplicates too)."""
        self.settle(sources, any_of=any_of)
        return by_source(self.events)


def by_source(events: Iterable[Envelope]) -> dict[str, list[Envelope]]:
    """Ingestion's events (accepted, rejected) by the file they are about."""
    found: dict[str, list[Envelope]] = defaultdict(list)
    for event in events:
        if event.type in {EXTRACT_ACCEPTED, EXTRACT_REJECTED}:
            found[event.data["source_uri"]].append(event)
    return found


def of_type(events: Iterable[Envelope], event_type: str) -> list[Envelope]:
    return [event for event in events if event.type == event_type]


def distinct(events: Iterable[Envelope]) -> list[Envelope]:
    """One envelope per event id: a re-delivery carries the same id and is dropped downstream."""
    return list({event.id: event for event in events}.values())


def dead_letters(context: RuntimeContext, dlq: str, count: int) -> list[dict]:
    """Waits for `count` messages in a DLQ; returns them with their attributes, left in the DLQ."""
    url = context.names.queue_url(dlq)
    seen: dict[str, dict] = {}

    def enough() -> bool:
        response = context.clients.sqs.receive_message(
            QueueUrl=url,
            MaxNumberOfMessages=10,
            VisibilityTimeout=0,
            WaitTimeSeconds=1,
            MessageAttributeNames=["All"],
        )
        for message in response.get("Messages", []):
            seen[message["MessageId"]] = message
        return len(seen) >= count

    wait_for(enough, SETTLE_SECONDS)
    return list(seen.values())


def dead_lettered_sources(context: RuntimeContext) -> set[str]:
    """The files whose S3 notifications are in the ingestion DLQ (peeked, left there)."""
    dlq = context.names.queue_url(f"{QUEUE_INGESTION}-dlq")
    response = context.clients.sqs.receive_message(
        QueueUrl=dlq, MaxNumberOfMessages=10, VisibilityTimeout=0, WaitTimeSeconds=0
    )
    sources = set()
    for message in response.get("Messages", []):
        with contextlib.suppress(ValueError, KeyError, TypeError):
            for created in parse_notification(message["Body"]):
                sources.add(f"s3://{created.bucket}/{created.key}")
    return sources


def reason(message: dict) -> dict[str, str]:
    """A dead letter's text attributes: error_type, error_message, failed_at, service, ..."""
    return {
        name: value["StringValue"]
        for name, value in message.get("MessageAttributes", {}).items()
        if "StringValue" in value
    }


def depth(context: RuntimeContext, queue: str) -> int:
    """Visible plus in-flight messages."""
    attributes = context.clients.sqs.get_queue_attributes(
        QueueUrl=context.names.queue_url(queue),
        AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
    )["Attributes"]
    return sum(int(value) for value in attributes.values())


def keys(context: RuntimeContext, bucket: str, prefix: str = "") -> list[str]:
    paginator = context.clients.s3.get_paginator("list_objects_v2")
    return [
        item["Key"]
        for page in paginator.paginate(Bucket=bucket, Prefix=prefix)
        for item in page.get("Contents", [])
    ]


def idempotency_records(context: RuntimeContext) -> list[dict]:
    return context.clients.dynamodb.scan(TableName=TABLE_IDEMPOTENCY, ConsistentRead=True)["Items"]


def put(context: RuntimeContext, key: str, body: bytes) -> str:
    """Lands a file in the raw bucket (the bucket notifies ingestion); returns its URI."""
    context.clients.s3.put_object(Bucket=BUCKET_RAW, Key=key, Body=body)
    return f"s3://{BUCKET_RAW}/{key}"
