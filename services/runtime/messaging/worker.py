"""The SQS long-poll worker: asyncio + aiobotocore around the synchronous message processor.

- bounded concurrency: never more messages received than free slots;
- per-message ack: each message is deleted on its own as soon as it is settled;
- visibility heartbeat: long work keeps its message invisible to other workers and renews the
  lease of its idempotency claim, so a worker that dies lets both lapse within a few beats;
- retry backoff: a message to retry becomes visible again after an exponential delay;
- graceful stop: on SIGTERM/SIGINT no new receive starts, in-flight messages finish, and messages
  received but not started are released at once (visibility 0) — never lost.
"""

from __future__ import annotations

import asyncio
from typing import Any

import structlog

from services.runtime.aws.clients import async_client
from services.runtime.messaging.messages import InboundMessage
from services.runtime.messaging.processor import HeldClaim, MessageProcessor, Outcome
from services.runtime.settings import Settings

log = structlog.get_logger("ior.worker")
_MAX_BATCH = 10
_MAX_VISIBILITY_SECONDS = 12 * 3600


def retry_delay_seconds(receive_count: int, base: int = 2, cap: int = 300) -> int:
    """Exponential backoff for a message that failed its `receive_count`-th attempt."""
    return int(min(cap, base * 2 ** max(0, receive_count - 1)))


class QueueWorker:
    def __init__(
        self, service: str, queue_url: str, processor: MessageProcessor, settings: Settings
    ) -> None:
        self.service = service
        self._queue_url = queue_url
        self._processor = processor
        self._settings = settings
        self._inflight: set[asyncio.Task[None]] = set()

    async def run(self, stop: asyncio.Event) -> None:
        async with async_client(self._settings, "sqs") as sqs:
            log.info("worker.started", service=self.service, queue=self._queue_url)
            while not stop.is_set():
                free = self._settings.worker_concurrency - len(self._inflight)
                if free <= 0:
                    await asyncio.wait(self._inflight, return_when=asyncio.FIRST_COMPLETED)
                    continue
                messages = await self._receive(sqs, min(free, _MAX_BATCH))
                if stop.is_set():
                    await self._release(sqs, messages)
                    break
                for message in messages:
                    task = asyncio.create_task(self._settle(sqs, message))
                    self._inflight.add(task)
                    task.add_done_callback(self._inflight.discard)
            if self._inflight:
                await asyncio.wait(self._inflight)
            log.info("worker.stopped", service=self.service)

    async def _receive(self, sqs: Any, count: int) -> list[dict[str, Any]]:
        try:
            response = await sqs.receive_message(
                QueueUrl=self._queue_url,
                MaxNumberOfMessages=count,
                WaitTimeSeconds=self._settings.receive_wait_seconds,
                MessageAttributeNames=["All"],
                MessageSystemAttributeNames=["ApproximateReceiveCount"],
            )
        except Exception as exc:
            log.warning("worker.receive_failed", service=self.service, error=str(exc))
            await asyncio.sleep(1)
            return []
        return list(response.get("Messages", []))

    async def _settle(self, sqs: Any, raw: dict[str, Any]) -> None:
        receipt = raw["ReceiptHandle"]
        message = InboundMessage.from_sqs(raw)
        held = HeldClaim()
        heartbeat = asyncio.create_task(self._heartbeat(sqs, receipt, held))
        try:
            outcome = await asyncio.to_thread(self._processor.process, message, held)
        finally:
            heartbeat.cancel()
        if outcome is Outcome.RETRY:
            delay = retry_delay_seconds(message.receive_count)
            await sqs.change_message_visibility(
                QueueUrl=self._queue_url, ReceiptHandle=receipt, VisibilityTimeout=delay
            )
        else:
            await sqs.delete_message(QueueUrl=self._queue_url, ReceiptHandle=receipt)

    async def _heartbeat(self, sqs: Any, receipt: str, held: HeldClaim) -> None:
        """Every beat keeps the message invisible, whatever the lease renewal is doing: a renewal
        stuck in DynamoDB's retries (an outage) must not let the message reappear to another slot
        while its work goes on, which would run it twice and leave a second deferred copy."""
        interval = self._settings.visibility_heartbeat_seconds
        renewal: asyncio.Task[None] | None = None
        try:
            while True:
                await asyncio.sleep(interval)
                try:
                    await sqs.change_message_visibility(
                        QueueUrl=self._queue_url,
                        ReceiptHandle=receipt,
                        VisibilityTimeout=min(_MAX_VISIBILITY_SECONDS, interval * 3),
                    )
                except Exception as exc:  # the next beat tries again; the work itself goes on
                    log.warning("worker.heartbeat_failed", service=self.service, error=str(exc))
                if renewal is None or renewal.done():
                    renewal = asyncio.create_task(self._renew(held))
        finally:
            if renewal is not None:
                renewal.cancel()

    async def _renew(self, held: HeldClaim) -> None:
        try:
            await asyncio.to_thread(self._processor.renew, held)
        except Exception as exc:  # the next beat tries again; the lease outlives a few misses
            log.warning("worker.lease_renewal_failed", service=self.service, error=str(exc))

    async def _release(self, sqs: Any, messages: list[dict[str, Any]]) -> None:
        for raw in messages:
            await sqs.change_message_visibility(
                QueueUrl=self._queue_url, ReceiptHandle=raw["ReceiptHandle"], VisibilityTimeout=0
            )
