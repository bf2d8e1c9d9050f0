"""Sends a message to its service's DLQ at once, with the reason as message attributes."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

import structlog

from services.runtime.messaging.messages import DEFERRAL_ATTRIBUTES, InboundMessage

if TYPE_CHECKING:
    from mypy_boto3_sqs import SQSClient
    from mypy_boto3_sqs.type_defs import MessageAttributeValueTypeDef

log = structlog.get_logger("ior.dlq")
_MAX_MESSAGE_CHARS = 1000
_NUMBER_ATTRIBUTES = frozenset({"version", "replay_count", *DEFERRAL_ATTRIBUTES})


def original_attributes(message: InboundMessage) -> dict[str, MessageAttributeValueTypeDef]:
    """The message's attributes as it was sent; those ior sets as numbers keep that type."""
    return {
        name: {
            "DataType": "Number" if name in _NUMBER_ATTRIBUTES else "String",
            "StringValue": value,
        }
        for name, value in message.attributes.items()
    }


class DeadLetters:
    def __init__(self, sqs: SQSClient, dlq_url: str, service: str) -> None:
        self._sqs = sqs
        self._dlq_url = dlq_url
        self._service = service

    def send(self, message: InboundMessage, error_type: str, error_message: str) -> None:
        """Body and original attributes are kept as they were, so a replay is the same message."""
        attributes = original_attributes(message)
        for name in DEFERRAL_ATTRIBUTES:
            attributes.pop(name, None)
        reason = {
            "error_type": error_type,
            "error_message": error_message[:_MAX_MESSAGE_CHARS] or error_type,
            "failed_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "service": self._service,
        }
        for name, value in reason.items():
            attributes[name] = {"DataType": "String", "StringValue": value}
        self._sqs.send_message(
            QueueUrl=self._dlq_url, MessageBody=message.body, MessageAttributes=attributes
        )
        log.warning("message.dead_lettered", message_id=message.message_id, **reason)
