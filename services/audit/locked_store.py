"""Writes audit objects once, each with its own Object Lock retention (COMPLIANCE, 2555 days).

Retention is requested per object rather than left to the bucket default, so every record says
for itself how long it is kept. The write is conditional (If-None-Match): a second write of the
same key, which on a versioned, locked bucket would add an undeletable second version, is refused
by S3 and reported as "already written" (the bucket policy refuses unconditional writes from
anyone). Either way the caller learns the S3 version that holds its bytes and their SHA-256, for
the index; a key that holds other bytes was not written by audit and is refused.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from contracts.audit_layout import AuditedObject
from contracts.topology import BUCKET_AUDIT, TOPOLOGY, ObjectLock
from services.audit.errors import AuditKeyTaken
from services.runtime.aws.blobs import owner_arguments, s3_uri

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

_ALREADY_WRITTEN = "PreconditionFailed"


@dataclass(frozen=True)
class Written:
    """Where `write_once` left the bytes; `new` is False when an earlier call had written them."""

    audited: AuditedObject
    new: bool


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
        expected_owner: Callable[[], str] | None = None,
    ) -> None:
        self._s3 = s3
        self._bucket = bucket
        self._lock = lock or audit_lock()
        self._clock = clock
        self._expected_owner = expected_owner

    def _owner(self) -> dict[str, Any]:
        return owner_arguments(self._expected_owner)

    def write_once(
        self,
        key: str,
        body: bytes,
        *,
        content_type: str,
        same_as: Callable[[bytes], bool] | None = None,
    ) -> Written:
        """Write `body` under `key` unless it exists. When other bytes are there, `same_as`
        (if given) says whether they record the same thing all the same; then they stand."""
        digest = hashlib.sha256(body)
        checksum = base64.b64encode(digest.digest()).decode()
        try:
            written = self._s3.put_object(
                Bucket=self._bucket,
                Key=key,
                Body=body,
                ContentType=content_type,
                # S3 requires a checksum *algorithm* header on writes with Object Lock parameters;
                # the value alone is not enough.
                ChecksumAlgorithm="SHA256",
                ChecksumSHA256=checksum,
                Metadata={"sha256": digest.hexdigest()},
                ObjectLockMode=self._lock.mode,  # type: ignore[arg-type]
                ObjectLockRetainUntilDate=self._clock() + timedelta(days=self._lock.retention_days),
                IfNoneMatch="*",
                **self._owner(),
            )
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") != _ALREADY_WRITTEN:
                raise
            audited = self._already_written(key, checksum, digest.hexdigest(), same_as)
            return Written(audited, new=False)
        return Written(AuditedObject(self.uri(key), written["VersionId"], digest.hexdigest()), True)

    def _already_written(
        self, key: str, checksum: str, sha256: str, same_as: Callable[[bytes], bool] | None
    ) -> AuditedObject:
        """The version an earlier call wrote under `key`: the one there, if it holds our bytes
        (S3 checked their SHA-256 checksum when they were written) or what `same_as` accepts."""
        head = self._s3.head_object(
            Bucket=self._bucket, Key=key, ChecksumMode="ENABLED", **self._owner()
        )
        if head.get("ChecksumSHA256") == checksum:
            return AuditedObject(self.uri(key), head["VersionId"], sha256)
        stored = self._s3.get_object(
            Bucket=self._bucket, Key=key, VersionId=head["VersionId"], **self._owner()
        )["Body"].read()
        if same_as is None or not same_as(stored):
            raise AuditKeyTaken(
                f"{self.uri(key)} (version {head.get('VersionId')}) already holds other bytes "
                f"than the SHA-256 {sha256} audit came to write; find out who wrote it"
            )
        return AuditedObject(self.uri(key), head["VersionId"], hashlib.sha256(stored).hexdigest())

    def uri(self, key: str) -> str:
        return s3_uri(self._bucket, key)
