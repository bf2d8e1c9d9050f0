"""The ingestion service as the runtime runs it: S3 notifications in, extract events out."""

from __future__ import annotations

from collections.abc import Sequence

import structlog

from services.ingestion.handler import (
    IngestionHandler,
    IngestionLimits,
    ReceivedFile,
    correlation_id,
    feed_of,
)
from services.ingestion.notifications import ObjectCreated, parse_notification
from services.runtime.aws.blobs import BlobStore, s3_uri, sha256_hex
from services.runtime.context import RuntimeContext
from services.runtime.errors import ObjectMissing
from services.runtime.messaging.messages import InboundMessage, ServiceApp, Work

NAME = "ingestion"
log = structlog.get_logger("ior.ingestion")
# Work items of this service are files, not events; they are dispatched under one type.
FILE_RECEIVED = "s3:ObjectCreated"


def build(context: RuntimeContext) -> ServiceApp:
    limits = IngestionLimits(context.settings.max_file_bytes, context.settings.max_records)
    return ServiceApp(
        name=NAME,
        decode=lambda message: decode(message, context.blobs, limits),
        handlers={FILE_RECEIVED: IngestionHandler(context.blobs, limits)},
    )


def decode(message: InboundMessage, blobs: BlobStore, limits: IngestionLimits) -> Sequence[Work]:
    """One work item per created file, keyed by the file's SHA-256.

    The key is the content hash, so a re-delivered notification and the same file pushed again
    under another name are both recognised as duplicates: "accepted once". A file that is gone
    was quarantined by an earlier delivery of the same notification (or removed by a person):
    there is nothing left to ingest, which is logged, not dead-lettered.
    """
    work = []
    for created in parse_notification(message.body):
        try:
            work.append(_work(received_file(created, blobs, limits)))
        except ObjectMissing:
            log.warning("file.gone", file=s3_uri(created.bucket, created.key))
    return work


def received_file(
    created: ObjectCreated, blobs: BlobStore, limits: IngestionLimits
) -> ReceivedFile:
    size = blobs.size(created.bucket, created.key)
    if size > limits.max_file_bytes:
        digest, body = blobs.sha256_of(created.bucket, created.key), None
    else:
        body = blobs.get(created.bucket, created.key)
        digest = sha256_hex(body)
    return ReceivedFile(
        bucket=created.bucket,
        key=created.key,
        size=size,
        sha256=digest,
        received_at=created.event_time,
        body=body,
    )


def _work(received: ReceivedFile) -> Work:
    # The feed is part of the identity: the same bytes quarantined under the wrong feed must be
    # ingested when uploaded again under the right one, not dropped as a duplicate.
    return Work(
        key=f"{NAME}:{feed_of(received.key)}:sha256:{received.sha256}",
        event_type=FILE_RECEIVED,
        event_id=received.key,
        correlationid=correlation_id(received),
        payload=received,
    )
