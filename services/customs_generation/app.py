"""The customs-generation service as the runtime runs it."""

from __future__ import annotations

from contracts.topology import INVOICES_NORMALIZED
from services.customs_generation.handler import CustomsHandler
from services.customs_generation.invoice_ledger import InvoiceLedger
from services.runtime.aws.reference_store import ReferenceStore
from services.runtime.context import RuntimeContext
from services.runtime.messaging.events import event_decoder
from services.runtime.messaging.messages import ServiceApp

NAME = "customs_generation"


def build(context: RuntimeContext) -> ServiceApp:
    store = ReferenceStore(context.clients.dynamodb)
    ledger = InvoiceLedger(store, context.clients.dynamodb)
    handler = CustomsHandler(context.blobs, store, ledger)
    return ServiceApp(
        name=NAME,
        decode=event_decoder(NAME, context.claim_checks),
        handlers={INVOICES_NORMALIZED: handler},
    )
