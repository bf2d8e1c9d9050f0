"""The normalization service as the runtime runs it: extract.accepted in, normalized data out."""

from __future__ import annotations

from datetime import UTC, datetime

from contracts.topology import EXTRACT_ACCEPTED
from services.normalization.config import NormalizationConfig
from services.normalization.daily_loads import DailyLoader
from services.normalization.handler import NormalizationHandler
from services.normalization.reference_loads import ReferenceLoader
from services.runtime.aws.reference_store import ReferenceStore
from services.runtime.context import RuntimeContext
from services.runtime.messaging.events import event_decoder
from services.runtime.messaging.messages import ServiceApp

NAME = "normalization"


def build(context: RuntimeContext, config: NormalizationConfig | None = None) -> ServiceApp:
    config = config or NormalizationConfig.from_env()
    store = ReferenceStore(context.clients.dynamodb)
    handler = NormalizationHandler(
        context.blobs,
        ReferenceLoader(store, clock=_now),
        DailyLoader(context.blobs, store, config, clock=_now),
        clock=_now,
    )
    return ServiceApp(
        name=NAME,
        decode=event_decoder(NAME, context.claim_checks),
        handlers={EXTRACT_ACCEPTED: handler},
    )


def _now() -> datetime:
    return datetime.now(UTC)
