"""The claim-check store: envelopes too large for SNS/SQS carry an S3 reference instead of data."""

from __future__ import annotations

import json

from contracts.envelope import Envelope
from contracts.topology import BUCKET_EVENTS, CLAIM_CHECK_PREFIX
from services.runtime.aws.blobs import BlobStore, split_uri


class ClaimCheckStore:
    def __init__(self, blobs: BlobStore, threshold_bytes: int, bucket: str = BUCKET_EVENTS) -> None:
        self._blobs = blobs
        self._threshold = threshold_bytes
        self._bucket = bucket

    def check_in(self, envelope: Envelope) -> Envelope:
        """The envelope as it may travel: unchanged when small, else its data moved to S3."""
        if len(envelope.to_json().encode()) <= self._threshold:
            return envelope
        body = json.dumps(envelope.data, separators=(",", ":")).encode()
        ref = self._blobs.put(
            self._bucket,
            f"{CLAIM_CHECK_PREFIX}{envelope.type}/{envelope.id}.json",
            body,
            content_type="application/json",
        )
        return envelope.model_copy(update={"data": {}, "claimcheck": ref.uri})

    def check_out(self, envelope: Envelope) -> Envelope:
        """The envelope with its data restored from the claim check, if it had one."""
        if envelope.claimcheck is None:
            return envelope
        data = json.loads(self._blobs.get(*split_uri(envelope.claimcheck)))
        return envelope.model_copy(update={"data": data, "claimcheck": None})
