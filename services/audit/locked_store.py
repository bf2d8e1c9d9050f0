"""Writes audit objects once, each with its own Object Lock retention (COMPLIANCE, 2555 days).

Retention is requested per object rather than left to the bucket default, so every record says
for itself how long it is kept. The write is conditional (If-None-Match): a second write of the
same key, which on a versioned, locked bucket would add an undeletable second version, is refused
by S3 and reported as "already written".
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from botocore.exceptions import ClientError

from contracts.topology import BUCKET_AUDIT, TOPOLOGY, ObjectLock
from services.runtime.aws.blobs import s3_uri

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

_ALREADY_WRITTEN = "PreconditionFailed"


def audit_lock() -> ObjectLock:
    lock = TOPOLOGY.bucket(BUCKET_AUDIT).object_lock
    if lock is None:
        raise RuntimeError(f"the topology gives {BUCKET_AUDIT} no Object Lock")
    return lock


class LockedStore:
    def __init__(
        self,
        s3: S3Client,
        *,
        bucket: str = BUCKET_AUDIT,
        lock: ObjectLock | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._s3 = s3
        self._bucket = bucket
        self._lock = lock or audit_lock()
        self._clock = clock

    def write_once(self, key: str, body: bytes, *, content_type: str) -> bool:
        """Write `body` under `key` unless it exists; True when this call wrote it."""
        digest = hashlib.sha256(body)
        try:
            self._s3.put_object(
                Bucket=self._bucket,
                Key=key,
                Body=body,
                ContentType=content_type,
                # S3 requires a checksum *algorithm* header on writes with Object Lock parameters;
                # the value alone is not enough.
                ChecksumAlgorithm="SHA256",
                ChecksumSHA256=base64.b64encode(digest.digest()).decode(),
                Metadata={"sha256": digest.hexdigest()},
                ObjectLockMode=self._lock.mode,  # type: ignore[arg-type]
                ObjectLockRetainUntilDate=self._clock() + timedelta(days=self._lock.retention_days),
                IfNoneMatch="*",
            )
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") == _ALREADY_WRITTEN:
                return False
            raise
        return True

    def uri(self, key: str) -> str:
        return s3_uri(self._bucket, key)
