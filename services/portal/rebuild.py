"""`ior portal rebuild`: the read model made again from the events the audit bucket keeps.

The tables are emptied, then every event the portal subscribes to is applied in the order it
happened (event time, then id). Each change commutes, so the result is the model the consumer
built live; a rebuild is how a new view gets its history, or a damaged model is repaired.
The consumer is stopped meanwhile (an event it applied between the listing and the emptying
would be lost); what waited on its queue is applied after, changing nothing twice.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

import structlog

from contracts.audit_layout import EVENTS_PREFIX
from contracts.envelope import Envelope
from contracts.events import parse_event
from contracts.topology import BUCKET_AUDIT, PORTAL_EVENTS
from services.portal.handler import ReadModelHandler
from services.portal.store import ReadModelStore
from services.runtime.aws.blobs import BlobStore

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

log = structlog.get_logger("ior.portal")
_KEPT = frozenset(event_type for types in PORTAL_EVENTS.values() for event_type in types)


@dataclass(frozen=True)
class RebuildSummary:
    removed: int
    applied: int


def rebuild(s3: S3Client, blobs: BlobStore, store: ReadModelStore) -> RebuildSummary:
    envelopes = sorted(audited_events(s3, blobs), key=lambda e: (e.time, e.id))
    removed = store.clear()
    handler = ReadModelHandler(blobs, store)
    for envelope in envelopes:
        handler.apply(envelope, parse_event(envelope))
    log.info("portal.rebuilt", removed=removed, applied=len(envelopes))
    return RebuildSummary(removed=removed, applied=len(envelopes))


def audited_events(s3: S3Client, blobs: BlobStore) -> Iterator[Envelope]:
    """The audited envelopes of the types the portal keeps (the type is part of the key)."""
    paginator = s3.get_paginator("list_objects_v2")
    for page in paginator.paginate(Bucket=BUCKET_AUDIT, Prefix=EVENTS_PREFIX):
        for entry in page.get("Contents", []):
            key = entry["Key"]
            if key.rsplit("/", 2)[-2] in _KEPT:
                yield Envelope.from_json(blobs.get(BUCKET_AUDIT, key))
