"""The portal's consumer: each event it subscribes to updates the read model, nothing is
published. The same `apply` rebuilds the model from the audit bucket."""

from __future__ import annotations

import structlog

from contracts.datasets import CustomsLineV1
from contracts.envelope import Envelope, EventData
from contracts.errors import MalformedEvent
from contracts.events import CustomsLinesGeneratedV1
from services.portal import projection
from services.portal.changes import Changes
from services.portal.store import ReadModelStore
from services.runtime.aws.blobs import BlobStore
from services.runtime.messaging.messages import ConsumedEvent

log = structlog.get_logger("ior.portal")


class ReadModelHandler:
    def __init__(self, blobs: BlobStore, store: ReadModelStore) -> None:
        self._blobs = blobs
        self._store = store

    def on_event(self, event: ConsumedEvent) -> list[Envelope]:
        self.apply(event.envelope, event.data)
        return []

    def apply(self, envelope: Envelope, data: EventData) -> None:
        self._store.apply(self.changes(envelope, data))
        log.info("portal.projected", type=envelope.type, subject=envelope.subject)

    def changes(self, envelope: Envelope, data: EventData) -> Changes:
        if isinstance(data, CustomsLinesGeneratedV1):
            lines = [
                CustomsLineV1.model_validate_json(row)
                for row in self._blobs.get_verified(data.lines).splitlines()
                if row.strip()
            ]
            return projection.calculation(envelope, data, lines)
        project = projection.PROJECTORS.get(type(data))
        if project is None:
            raise MalformedEvent(f"the portal does not keep {envelope.type} events")
        return project(envelope, data)
