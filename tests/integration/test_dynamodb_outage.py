"""DynamoDB unreachable for a while: the message in work is ridden through the outage and completed
afterwards, nothing is dead-lettered (issue 20, item 9).

The worker reaches DynamoDB through a loopback TCP proxy that the handler stops in the middle of
the work (so the write fails and so does the release of the claim), and that the test starts
again only once the message has failed more often than its queue's `max_receive_count` would
allow: before deferrals, the third failed receive sent it to the DLQ.

Scaling: here each failed attempt costs botocore's 3 attempts (0-3 s of backoff) and the
deferrals wait 1, 2, 4 s, so the outage lasts about 10 s, with a 2 s lease and a 60 s budget. In
production the deferrals go on doubling to one a minute within `IOR_TRANSIENT_RETRY_BUDGET_SECONDS`
(900 s): a 2-minute outage is about 8 attempts, and the 90 s lease lapses before the last.
"""

import asyncio
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import replace
from typing import TypeVar
from urllib.parse import urlsplit

import pytest

from contracts.envelope import Envelope
from contracts.topology import ALERT_RAISED, QUEUE_AUDIT, TABLE_FEED_SYNC, TOPOLOGY
from services.runtime.aws.queues import queue_depth
from services.runtime.context import RuntimeContext
from services.runtime.messaging.dead_letters import DeadLetters
from services.runtime.messaging.deferrals import Deferrals
from services.runtime.messaging.events import event_decoder
from services.runtime.messaging.idempotency import IdempotencyStore, Status
from services.runtime.messaging.messages import (
    ConsumedEvent,
    Handler,
    InboundMessage,
    ServiceApp,
)
from services.runtime.messaging.processor import HeldClaim, MessageProcessor, Outcome
from services.runtime.messaging.publisher import message_attributes
from services.runtime.messaging.worker import QueueWorker
from services.runtime.settings import Settings
from tests.conftest import wait_for
from tests.integration.test_runtime import alert_envelope
from tests.loopback_proxy import LoopbackProxy

pytestmark = pytest.mark.integration

MAX_RECEIVES = TOPOLOGY.queue(QUEUE_AUDIT).max_receive_count
AUDIT_DLQ = TOPOLOGY.queue(QUEUE_AUDIT).dlq_name


class CountingProcessor(MessageProcessor):
    """The product's processor, counting the attempts (receives of the message or its copies)."""

    attempts = 0

    def process(self, message: InboundMessage, held: HeldClaim | None = None) -> Outcome:
        self.attempts += 1
        return super().process(message, held)


class SlowRenewals(MessageProcessor):
    """Work that lasts five heartbeats, with lease renewals that hang for four (DynamoDB not
    answering, botocore retrying), longer than the visibility one beat extends."""

    attempts = 0

    def renew(self, held: HeldClaim) -> None:
        time.sleep(4)

    def process(self, message: InboundMessage, held: HeldClaim | None = None) -> Outcome:
        self.attempts += 1
        time.sleep(5)
        return Outcome.DONE


class WritesThenLosesDynamoDB:
    """A handler that writes an item, as normalization does; the first call cuts DynamoDB off."""

    def __init__(self, context: RuntimeContext, proxy: LoopbackProxy) -> None:
        self._db = context.clients.dynamodb
        self._proxy = proxy
        self.calls = 0

    def __call__(self, event: ConsumedEvent) -> Sequence[Envelope]:
        self.calls += 1
        if self.calls == 1:
            self._proxy.stop()
        self._db.put_item(TableName=TABLE_FEED_SYNC, Item={"feed": {"S": event.envelope.id}})
        return []


@pytest.fixture
def proxy(settings: Settings) -> Iterator[LoopbackProxy]:
    moto = urlsplit(settings.endpoint_url)
    proxy = LoopbackProxy(moto.hostname or "127.0.0.1", moto.port or 80)
    proxy.start()
    yield proxy
    proxy.stop()


def through(proxy: LoopbackProxy, settings: Settings) -> Settings:
    """DynamoDB through the proxy; everything else straight to the emulator."""
    return replace(
        settings,
        service_endpoints=(("dynamodb", proxy.url),),
        claim_lease_seconds=2,
        transient_retry_budget_seconds=60,
    )


P = TypeVar("P", bound=MessageProcessor)


def audit_processor(context: RuntimeContext, handler: Handler, kind: type[P]) -> P:
    queue = TOPOLOGY.queue(QUEUE_AUDIT)
    app = ServiceApp("audit", event_decoder("audit", context.claim_checks), {ALERT_RAISED: handler})
    return kind(
        app,
        context.idempotency,
        context.publisher,
        DeadLetters(context.clients.sqs, context.names.queue_url(queue.dlq_name), "audit"),
        queue.max_receive_count,
        deferrals=Deferrals(
            context.clients.sqs,
            context.names.queue_url(queue.name),
            recheck_seconds=context.settings.visibility_heartbeat_seconds,
            transient_budget_seconds=context.settings.transient_retry_budget_seconds,
        ),
    )


Running = tuple[threading.Thread, asyncio.AbstractEventLoop, asyncio.Event]


def running(worker: QueueWorker) -> Running:
    loop = asyncio.new_event_loop()
    stop = asyncio.Event()
    thread = threading.Thread(target=loop.run_until_complete, args=(worker.run(stop),), daemon=True)
    thread.start()
    return thread, loop, stop


def messages_in(context: RuntimeContext, queue: str) -> int:
    depth = queue_depth(context.clients, context.names, queue)
    return depth.visible + depth.in_flight + depth.delayed


def test_a_dynamodb_outage_mid_message_is_ridden_out_and_the_message_completed(
    context, settings, proxy
):
    proxied = RuntimeContext.from_settings(through(proxy, settings))
    handler = WritesThenLosesDynamoDB(proxied, proxy)
    processor = audit_processor(proxied, handler, CountingProcessor)
    envelope = alert_envelope("outage")
    attributes = message_attributes(envelope)
    context.clients.sqs.send_message(
        QueueUrl=context.names.queue_url(QUEUE_AUDIT),
        MessageBody=envelope.to_json(),
        MessageAttributes=dict(attributes),
    )
    worker = QueueWorker("audit", context.names.queue_url(QUEUE_AUDIT), processor, proxied.settings)
    thread, loop, stop = running(worker)
    try:
        # More failed attempts than receives the queue allows: the message is still in play.
        wait_for(lambda: processor.attempts > MAX_RECEIVES, timeout=60)
        assert handler.calls == 1 and messages_in(context, AUDIT_DLQ) == 0
        proxy.start()
        key = f"audit:{envelope.source}:{envelope.id}"
        store = IdempotencyStore(context.clients.dynamodb, lease_seconds=2, retention_days=1)
        wait_for(
            lambda: (record := store.get(key)) is not None and record.status is Status.COMPLETED,
            timeout=60,
        )
    finally:
        loop.call_soon_threadsafe(stop.set)
        thread.join(timeout=30)
        loop.close()
    written = context.clients.dynamodb.get_item(
        TableName=TABLE_FEED_SYNC, Key={"feed": {"S": envelope.id}}
    )
    assert "Item" in written and handler.calls == 2
    assert messages_in(context, AUDIT_DLQ) == 0
    assert messages_in(context, QUEUE_AUDIT) == 0


def test_a_lease_renewal_that_hangs_does_not_let_the_message_reappear_while_it_is_worked_on(
    context, settings
):
    processor = audit_processor(context, lambda event: [], SlowRenewals)
    envelope = alert_envelope("slow renewals")
    queue_url = context.names.queue_url(QUEUE_AUDIT)
    context.clients.sqs.send_message(
        QueueUrl=queue_url,
        MessageBody=envelope.to_json(),
        MessageAttributes=dict(message_attributes(envelope)),
    )
    worker = QueueWorker("audit", queue_url, processor, settings)
    thread, loop, stop = running(worker)
    try:
        wait_for(lambda: processor.attempts == 1 and messages_in(context, QUEUE_AUDIT) == 0, 30)
    finally:
        loop.call_soon_threadsafe(stop.set)
        thread.join(timeout=30)
        loop.close()
    assert processor.attempts == 1
