"""Sends a message back to its own queue for later, without spending one of its receives.

Two kinds of message wait rather than fail:
- one that met a live lease (another worker holds its key): delayed until the lease lapses, but
  at most one heartbeat interval, since a live lease means its holder is working and may finish
  at any moment (a duplicate notification then finds the key completed a heartbeat later);
- one whose work failed because AWS was unavailable or throttling after botocore's own retries
  (`retries.is_transient`): delayed with exponential backoff (1, 2, 4, … 60 s), for as long as
  the settings' transient budget since its first such failure allows, so an outage of a few
  minutes is ridden out; past the budget it is retried and dead-lettered as any other failure.

SQS counts every receive and dead-letters a message itself after the queue's `maxReceiveCount`,
so putting the received message back (a visibility change) would spend one of its receives on
waiting. A fresh copy (same body and attributes, so the same idempotency key) starts at receive 1
instead, and the received one is deleted: receives spent waiting never count.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

import structlog

from services.runtime.messaging.dead_letters import original_attributes
from services.runtime.messaging.messages import (
    TRANSIENT_DEFERRALS,
    TRANSIENT_SINCE,
    InboundMessage,
)

if TYPE_CHECKING:
    from mypy_boto3_sqs import SQSClient

log = structlog.get_logger("ior.deferrals")
# SQS delays a message by at most 15 minutes; a longer lease is met again, and deferred again.
MAX_DELAY_SECONDS = 900
# Backoff after a transient error: the first retry soon (a blip), then less and less often.
FIRST_TRANSIENT_DELAY_SECONDS = 1
MAX_TRANSIENT_DELAY_SECONDS = 60


def transient_delay_seconds(deferrals_so_far: int) -> int:
    """The delay before the next attempt of a message already put back `deferrals_so_far` times."""
    return min(
        MAX_TRANSIENT_DELAY_SECONDS, FIRST_TRANSIENT_DELAY_SECONDS << min(deferrals_so_far, 16)
    )


class Deferrals:
    def __init__(
        self,
        sqs: SQSClient,
        queue_url: str,
        recheck_seconds: int,
        *,
        transient_budget_seconds: int,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._sqs = sqs
        self._queue_url = queue_url
        self._recheck = min(MAX_DELAY_SECONDS, recheck_seconds)
        self._budget = transient_budget_seconds
        self._clock = clock

    def send_later(self, message: InboundMessage, lease_lapses_in: int) -> None:
        """Again once another worker's lease on the message's key has lapsed (or soon)."""
        delay = max(0, min(self._recheck, lease_lapses_in))
        self._send(message, delay, {})
        log.info(
            "message.deferred", message_id=message.message_id, reason="lease", delay_seconds=delay
        )

    def after_transient_error(self, message: InboundMessage) -> bool:
        """Again after a backoff, unless the budget since the message's first transient error
        would be spent by then (False: nothing was sent)."""
        now = int(self._clock())
        since = _number(message.attributes, TRANSIENT_SINCE, now)
        deferrals = _number(message.attributes, TRANSIENT_DEFERRALS, 0)
        delay = transient_delay_seconds(deferrals)
        if now + delay - since > self._budget:
            return False
        marks = {TRANSIENT_SINCE: str(since), TRANSIENT_DEFERRALS: str(deferrals + 1)}
        self._send(message, delay, marks)
        log.info(
            "message.deferred",
            message_id=message.message_id,
            reason="transient-aws-error",
            delay_seconds=delay,
            deferrals=deferrals + 1,
            waiting_seconds=now - since,
        )
        return True

    def _send(self, message: InboundMessage, delay: int, marks: Mapping[str, str]) -> None:
        attributes = original_attributes(message)
        for name, value in marks.items():
            attributes[name] = {"DataType": "Number", "StringValue": value}
        self._sqs.send_message(
            QueueUrl=self._queue_url,
            MessageBody=message.body,
            MessageAttributes=attributes,
            DelaySeconds=delay,
        )


def _number(attributes: Mapping[str, str], name: str, default: int) -> int:
    value = attributes.get(name, "")
    return int(value) if value.isdigit() else default
