"""The baseline: every service's app called directly, events routed in memory, no queues.

The same apps the workers run (`load_app`), on the same storage (S3 and DynamoDB of the same
endpoint), decode the same message bodies and call the same handlers; what is left out is what
messaging adds: SNS publishing, SQS polling and deleting, claim checks and the idempotency table.
Each message still ends with the runtime's `metrics` line, so both modes are timed alike.
"""

from __future__ import annotations

import json
import time
import uuid
from collections import Counter, deque
from datetime import UTC, datetime
from urllib.parse import quote_plus

import structlog

from contracts.envelope import Envelope
from contracts.topology import BUCKET_RAW, EVENT_TOPICS, TOPOLOGY
from services.runtime.context import RuntimeContext, available_services, load_app
from services.runtime.messaging.messages import Handled, InboundMessage
from services.runtime.messaging.processor import Outcome
from services.runtime.messaging.publisher import message_attributes
from services.runtime.metrics import emit_metrics


class DirectDispatch:
    def __init__(self, context: RuntimeContext) -> None:
        self._apps = {name: load_app(name, context) for name in available_services()}
        self._pending: deque[tuple[str, InboundMessage]] = deque()
        self.published: Counter[str] = Counter()  # events handed on, per phase
        self.phase = "setup"

    def object_created(self, key: str, size: int) -> None:
        """What S3 tells the ingestion queue about an object put in the raw bucket."""
        record = {
            "eventName": "ObjectCreated:Put",
            "eventTime": datetime.now(UTC).isoformat(),
            "s3": {
                "bucket": {"name": BUCKET_RAW},
                "object": {"key": quote_plus(key), "size": size},
            },
        }
        body = json.dumps({"Records": [record]})
        self._pending.append(("ingestion", InboundMessage(str(uuid.uuid4()), body)))

    def run_until_idle(self) -> None:
        """Handle messages, oldest first, until no service has anything left to do."""
        while self._pending:
            service, message = self._pending.popleft()
            for envelope in self._handle(service, message):
                self.published[self.phase] += 1
                attributes = {
                    name: value["StringValue"]
                    for name, value in message_attributes(envelope).items()
                }
                for subscriber in _subscribers(envelope.type):
                    inbound = InboundMessage(str(uuid.uuid4()), envelope.to_json(), attributes)
                    self._pending.append((subscriber, inbound))

    def _handle(self, service: str, message: InboundMessage) -> list[Envelope]:
        app = self._apps[service]
        started = time.perf_counter()
        with structlog.contextvars.bound_contextvars(
            service=service, correlationid=message.attributes.get("correlationid", "-")
        ):
            envelopes: list[Envelope] = []
            for work in app.decode(message):
                result = app.handlers[work.event_type](work.payload)
                handled = result if isinstance(result, Handled) else Handled(result)
                envelopes += handled.envelopes
                for effect in handled.after_commit:  # as the processor does once committed
                    effect()
            seconds = time.perf_counter() - started
            emit_metrics(service, message.attributes.get("type", "unknown"), Outcome.DONE, seconds)
        return envelopes


def _subscribers(event_type: str) -> list[str]:
    """The services whose queue the topology subscribes to this event type."""
    queues = {
        subscription.queue
        for subscription in TOPOLOGY.subscriptions
        if subscription.topic == EVENT_TOPICS[event_type]
        and (subscription.event_types is None or event_type in subscription.event_types)
    }
    return [
        s.name for s in TOPOLOGY.services if s.queue in queues and s.name in available_services()
    ]
