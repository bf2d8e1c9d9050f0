"""Sends a message that met a live lease back to its own queue, delayed until the lease lapses.

SQS counts every receive and dead-letters a message itself after the queue's `maxReceiveCount`,
so putting the received message back (a visibility change) would spend one of its receives on
waiting for another worker, and a message whose worker died could reach the DLQ without a single
real attempt of its own. A fresh copy (same body and attributes, so the same idempotency key) starts
at receive 1 instead, and the received one is deleted: receives that met a lease never count.

The copy is delayed until the lease lapses, but at most one heartbeat interval: a live lease means
its holder is working and may finish at any moment (a duplicate notification then finds the key
completed a heartbeat later, not a whole lease later).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import structlog

from services.runtime.messaging.dead_letters import original_attributes
from services.runtime.messaging.messages import InboundMessage

if TYPE_CHECKING:
    from mypy_boto3_sqs import SQSClient

log = structlog.get_logger("ior.deferrals")
# SQS delays a message by at most 15 minutes; a longer lease is met again, and deferred again.
MAX_DELAY_SECONDS = 900


class Deferrals:
    def __init__(self, sqs: SQSClient, queue_url: str, recheck_seconds: int) -> None:
        self._sqs = sqs
        self._queue_url = queue_url
        self._recheck = min(MAX_DELAY_SECONDS, recheck_seconds)

    def send_later(self, message: InboundMessage, lease_lapses_in: int) -> None:
        delay = max(0, min(self._recheck, lease_lapses_in))
        self._sqs.send_message(
            QueueUrl=self._queue_url,
            MessageBody=message.body,
            MessageAttributes=original_attributes(message),
            DelaySeconds=delay,
        )
        log.info("message.deferred", message_id=message.message_id, delay_seconds=delay)
