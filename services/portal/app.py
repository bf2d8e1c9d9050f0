"""The portal's read model as the runtime runs it: the events people look at in, nothing out."""

from __future__ import annotations

from contracts.topology import PORTAL_EVENTS
from services.portal.handler import ReadModelHandler
from services.portal.store import ReadModelStore
from services.runtime.context import RuntimeContext
from services.runtime.messaging.events import event_decoder
from services.runtime.messaging.messages import Handler, ServiceApp

NAME = "portal"


def build(context: RuntimeContext) -> ServiceApp:
    handler = read_model_handler(context)
    handlers: dict[str, Handler] = {
        event_type: handler.on_event for types in PORTAL_EVENTS.values() for event_type in types
    }
    return ServiceApp(
        name=NAME, decode=event_decoder(NAME, context.claim_checks), handlers=handlers
    )


def read_model_handler(context: RuntimeContext) -> ReadModelHandler:
    return ReadModelHandler(context.blobs, ReadModelStore(context.clients.dynamodb))
