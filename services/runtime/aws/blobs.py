"""The blob store port (S3): what services use to read and write objects.

Every write returns an `ObjectRef` with the object's SHA-256 and row count, so an event can point at
the object and its consumer can verify it. Given the account (`expected_owner`), every call names
it as the bucket's expected owner: a bucket of the same name in another account (deleted and
claimed, or a typo) is refused by S3 instead of read from or written to.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse

from botocore.exceptions import ClientError

from contracts.events.refs import ObjectRef
from services.runtime.errors import ChecksumMismatch, ObjectMissing

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

_MISSING = {"NoSuchKey", "404", "NotFound"}


def s3_uri(bucket: str, key: str) -> str:
    return f"s3://{bucket}/{key}"


def split_uri(uri: str) -> tuple[str, str]:
    parsed = urlparse(uri)
    if parsed.scheme != "s3" or not parsed.netloc or not parsed.path.lstrip("/"):
        raise ValueError(f"{uri!r} is not an s3://bucket/key URI")
    return parsed.netloc, parsed.path.lstrip("/")


def sha256_hex(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


def owner_arguments(expected_owner: Callable[[], str] | None) -> dict[str, Any]:
    """`ExpectedBucketOwner` for an S3 call on one of this account's buckets, when it is known."""
    return {} if expected_owner is None else {"ExpectedBucketOwner": expected_owner()}


@dataclass(frozen=True)
class Retention:
    """Object Lock retention requested for one object."""

    mode: str
    until: datetime


class BlobStore:
    def __init__(self, s3: S3Client, expected_owner: Callable[[], str] | None = None) -> None:
        self._s3 = s3
        self._expected_owner = expected_owner

    def _owner(self) -> dict[str, Any]:
        return owner_arguments(self._expected_owner)

    def size(self, bucket: str, key: str) -> int:
        try:
            head = self._s3.head_object(Bucket=bucket, Key=key, **self._owner())
            return int(head["ContentLength"])
        except ClientError as exc:
            raise _missing_or(exc, bucket, key) from exc

    def get(self, bucket: str, key: str) -> bytes:
        try:
            return self._s3.get_object(Bucket=bucket, Key=key, **self._owner())["Body"].read()
        except ClientError as exc:
            raise _missing_or(exc, bucket, key) from exc

    def sha256_of(self, bucket: str, key: str) -> str:
        """The SHA-256 of an object read in chunks, for files too large to hold in memory."""
        digest = hashlib.sha256()
        try:
            body = self._s3.get_object(Bucket=bucket, Key=key, **self._owner())["Body"]
        except ClientError as exc:
            raise _missing_or(exc, bucket, key) from exc
        for chunk in body.iter_chunks(chunk_size=1024 * 1024):
            digest.update(chunk)
        return digest.hexdigest()

    def get_verified(self, ref: ObjectRef) -> bytes:
        """The object `ref` points at, after checking its SHA-256."""
        body = self.get(*split_uri(ref.uri))
        if sha256_hex(body) != ref.sha256:
            raise ChecksumMismatch(f"{ref.uri} does not have the SHA-256 its event promised")
        return body

    def put(
        self,
        bucket: str,
        key: str,
        body: bytes,
        *,
        content_type: str,
        row_count: int = 0,
        fmt: str = "json",
        retention: Retention | None = None,
    ) -> ObjectRef:
        digest = sha256_hex(body)
        extra: dict[str, Any] = self._owner()
        if retention is not None:
            extra["ObjectLockMode"] = retention.mode
            extra["ObjectLockRetainUntilDate"] = retention.until
        self._s3.put_object(
            Bucket=bucket,
            Key=key,
            Body=body,
            ContentType=content_type,
            ChecksumAlgorithm="SHA256",
            ChecksumSHA256=_b64_sha256(body),
            Metadata={"sha256": digest},
            **extra,
        )
        return ObjectRef(uri=s3_uri(bucket, key), sha256=digest, row_count=row_count, format=fmt)

    def copy(self, source_bucket: str, source_key: str, bucket: str, key: str) -> str:
        """Server-side copy (the body never passes through this process); returns the new URI."""
        try:
            owners: dict[str, Any] = {}
            if self._expected_owner is not None:  # both buckets are this account's
                owner = self._expected_owner()
                owners = {"ExpectedBucketOwner": owner, "ExpectedSourceBucketOwner": owner}
            self._s3.copy_object(
                Bucket=bucket,
                Key=key,
                CopySource={"Bucket": source_bucket, "Key": source_key},
                **owners,
            )
        except ClientError as exc:
            raise _missing_or(exc, source_bucket, source_key) from exc
        return s3_uri(bucket, key)

    def delete(self, bucket: str, key: str) -> None:
        self._s3.delete_object(Bucket=bucket, Key=key, **self._owner())


def _b64_sha256(body: bytes) -> str:
    return base64.b64encode(hashlib.sha256(body).digest()).decode()


def _missing_or(exc: ClientError, bucket: str, key: str) -> Exception:
    code = str(exc.response.get("Error", {}).get("Code", ""))
    return ObjectMissing(s3_uri(bucket, key)) if code in _MISSING else exc
