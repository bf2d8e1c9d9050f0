"""The JSON documents a page shows beside the read model (reports, the calculation record),
read at the URI the read model names, and the Object Lock retention of an audit record."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from services.runtime.aws.blobs import split_uri

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client


def read_json(s3: S3Client, uri: str | None) -> Any:
    """The document at `uri`, or None when the read model names none."""
    if not uri:
        return None
    bucket, key = split_uri(uri)
    return json.loads(s3.get_object(Bucket=bucket, Key=key)["Body"].read())


def retention(s3: S3Client, uri: str) -> dict[str, str]:
    """The Object Lock mode and retain-until date of an immutable record."""
    bucket, key = split_uri(uri)
    head = s3.head_object(Bucket=bucket, Key=key)
    until = head.get("ObjectLockRetainUntilDate")
    return {
        "mode": str(head.get("ObjectLockMode", "none")),
        "until": until.date().isoformat() if until else "-",
    }
