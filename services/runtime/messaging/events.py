"""The decoder of event-driven services: envelope → claim check → model → keyed work."""

from __future__ import annotations

from collections.abc import Sequence

from contracts.envelope import Envelope
from contracts.events import parse_event
from services.runtime.messaging.claimcheck import ClaimCheckStore
from services.runtime.messaging.messages import ConsumedEvent, Decoder, InboundMessage, Work


def event_decoder(service: str, claim_checks: ClaimCheckStore) -> Decoder:
    def decode(message: InboundMessage) -> Sequence[Work]:
        envelope = claim_checks.check_out(Envelope.from_json(message.body))
        data = parse_event(envelope)
        return [
            Work(
                key=f"{service}:{envelope.source}:{envelope.id}",
                event_type=envelope.type,
                event_id=envelope.id,
                correlationid=envelope.correlationid,
                payload=ConsumedEvent(envelope, data),
            )
        ]

    return decode
