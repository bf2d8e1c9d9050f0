"""The comparison service as the runtime runs it: customs lines and SAP declarations in,
comparison reports and alerts out."""

from __future__ import annotations

import os
from collections.abc import Mapping

from contracts.topology import CUSTOMS_LINES_GENERATED, DECLARED_LINES_NORMALIZED
from services.comparison.alerted import AlertedFindings
from services.comparison.config import ComparisonConfig
from services.comparison.declarations import DeclarationStore
from services.comparison.handler import ComparisonHandler
from services.comparison.invoice_index import InvoiceIndex
from services.comparison.pending import PendingCalcs
from services.comparison.status import ComparisonStatus
from services.runtime.context import RuntimeContext
from services.runtime.messaging.events import event_decoder
from services.runtime.messaging.messages import ServiceApp

NAME = "comparison"


def build(context: RuntimeContext, environ: Mapping[str, str] | None = None) -> ServiceApp:
    """`environ` (default: the process environment) is read here, once, for the tolerances."""
    config = ComparisonConfig.from_env(os.environ if environ is None else environ)
    index = InvoiceIndex(context.clients.dynamodb)
    handler = ComparisonHandler(
        context.blobs,
        DeclarationStore(context.blobs, index),
        PendingCalcs(context.blobs, index),
        ComparisonStatus(context.clients.dynamodb),
        AlertedFindings(context.blobs),
        config=config,
    )
    return ServiceApp(
        name=NAME,
        decode=event_decoder(NAME, context.claim_checks),
        handlers={
            CUSTOMS_LINES_GENERATED: handler.on_customs_lines,
            DECLARED_LINES_NORMALIZED: handler.on_declared_lines,
        },
    )
