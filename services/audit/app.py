"""The audit service as the runtime runs it: every event of every topic in, nothing out."""

from __future__ import annotations

from contracts.events import EVENT_MODELS
from contracts.topology import CUSTOMS_LINES_GENERATED
from services.audit.handler import AuditHandler
from services.audit.index import AuditIndex
from services.audit.locked_store import LockedStore
from services.runtime.context import RuntimeContext
from services.runtime.messaging.events import event_decoder
from services.runtime.messaging.messages import Handler, ServiceApp

NAME = "audit"


def build(context: RuntimeContext) -> ServiceApp:
    handler = AuditHandler(
        context.blobs,
        LockedStore(context.clients.s3, expected_owner=context.names.account_id),
        AuditIndex(context.clients.dynamodb),
    )
    handlers: dict[str, Handler] = {model.TYPE: handler.record_event for model in EVENT_MODELS}
    handlers[CUSTOMS_LINES_GENERATED] = handler.record_calculation
    return ServiceApp(
        name=NAME, decode=event_decoder(NAME, context.claim_checks), handlers=handlers
    )
