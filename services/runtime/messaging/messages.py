"""What a service receives (an SQS message) and what it works on (decoded, keyed work items)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from contracts.envelope import Envelope, EventData

# Set by `deferrals` on a message put back after a transient AWS error: when the first such error
# happened (epoch seconds) and how often the message was put back since. A dead-lettered message
# loses them, so a replay after the outage gets the whole budget again.
TRANSIENT_SINCE = "transient_since"
TRANSIENT_DEFERRALS = "transient_deferrals"
DEFERRAL_ATTRIBUTES = (TRANSIENT_SINCE, TRANSIENT_DEFERRALS)


@dataclass(frozen=True)
class InboundMessage:
    """One SQS message, from the long-poll worker or from a Lambda SQS event alike."""

    message_id: str
    body: str
    attributes: Mapping[str, str] = field(default_factory=dict)
    receive_count: int = 1

    @classmethod
    def from_sqs(cls, message: Mapping[str, Any]) -> InboundMessage:
        return cls(
            message_id=message["MessageId"],
            body=message["Body"],
            attributes={
                name: value["StringValue"]
                for name, value in message.get("MessageAttributes", {}).items()
                if "StringValue" in value
            },
            receive_count=int(message.get("Attributes", {}).get("ApproximateReceiveCount", 1)),
        )

    @classmethod
    def from_lambda(cls, record: Mapping[str, Any]) -> InboundMessage:
        return cls(
            message_id=record["messageId"],
            body=record["body"],
            attributes={
                name: value["stringValue"]
                for name, value in record.get("messageAttributes", {}).items()
                if "stringValue" in value
            },
            receive_count=int(record.get("attributes", {}).get("ApproximateReceiveCount", 1)),
        )


@dataclass(frozen=True)
class ConsumedEvent:
    """An incoming event: its envelope and its data parsed into the contract's model."""

    envelope: Envelope
    data: EventData


@dataclass(frozen=True)
class Work:
    """One unit of effects, claimed under `key` so that it happens exactly once."""

    key: str
    event_type: str
    event_id: str
    correlationid: str
    payload: Any


@dataclass(frozen=True)
class Handled:
    """A handler's events plus effects that must wait until its work is committed.

    An effect that destroys the input (moving a file out of the landing area) runs only after
    the events are published and the idempotency key completed: a crash before that point leaves
    the input in place for the retry, never a retry without its input.
    """

    envelopes: Sequence[Envelope]
    after_commit: tuple[Callable[[], None], ...] = ()


Decoder = Callable[[InboundMessage], Sequence[Work]]
Handler = Callable[[Any], Sequence[Envelope] | Handled]


@dataclass(frozen=True)
class ServiceApp:
    """A service as the runtime sees it: how to decode its messages, and a handler per type."""

    name: str
    decode: Decoder
    handlers: Mapping[str, Handler]

    @property
    def source(self) -> str:
        return f"ior.{self.name}"
