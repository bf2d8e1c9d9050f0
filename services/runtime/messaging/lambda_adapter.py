"""The same handlers as AWS Lambda functions behind SQS event source mappings.

Deployed with `IOR_SERVICE=<service>`; the mapping must enable `ReportBatchItemFailures`, so
only the messages to retry return to the queue while the settled ones are deleted.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from services.runtime.context import RuntimeContext, load_app, processor_for
from services.runtime.errors import SettingsError
from services.runtime.logging import configure_logging
from services.runtime.messaging.messages import InboundMessage
from services.runtime.messaging.processor import MessageProcessor, Outcome
from services.runtime.settings import Settings


@cache
def _processor() -> MessageProcessor:
    """Built on the first invocation and kept for the warm container's life."""
    settings = Settings.from_env()
    if settings.service is None:
        raise SettingsError("IOR_SERVICE is not set: the function does not know its service")
    configure_logging(settings.level())
    context = RuntimeContext.from_settings(settings)
    return processor_for(load_app(settings.service, context), context)


def process_batch(processor: MessageProcessor, event: dict[str, Any]) -> dict[str, Any]:
    failures = []
    for record in event.get("Records", []):
        outcome = processor.process(InboundMessage.from_lambda(record))
        if outcome is Outcome.RETRY:
            failures.append({"itemIdentifier": record["messageId"]})
    return {"batchItemFailures": failures}


def handler(event: dict[str, Any], _context: object) -> dict[str, Any]:
    return process_batch(_processor(), event)
