"""What people do through the portal besides reading the model: downloads by presigned URL,
an upload for a feed, a comparison run again, the audit lookup. The API and the pages share
these functions; none of them calls another service — a re-run is an event."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from pathlib import PurePath
from typing import TYPE_CHECKING, Any

from contracts.audit_layout import (
    FILE_ATTRIBUTE,
    PO_ATTRIBUTE,
    RECORD_SORT_KEY,
    calc_partition,
    index_on,
)
from contracts.envelope import Envelope, new_envelope
from contracts.events import ComparisonRequestedV1
from contracts.feeds import FEEDS
from contracts.topology import BUCKET_RAW, TABLE_AUDIT_INDEX
from services.portal.codec import from_dynamo
from services.portal.errors import InvalidQuery, NotFound, UploadRefused
from services.portal.paging import View
from services.runtime.aws.blobs import s3_uri, sha256_hex, split_uri
from services.runtime.aws.landing import UPLOAD_SUFFIXES
from services.runtime.messaging.publisher import Publisher

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_s3 import S3Client

SOURCE = "ior.portal"
# What a calculation offers to download: the view attribute holding each object's URI.
DOWNLOADS = {
    "workbook": "workbook_uri",
    "dataset": "lines_uri",
    "calculation-record": "calculation_uri",
}
COMPARISON_DOWNLOADS = {"comparison-workbook": "workbook_uri", "comparison-report": "report_uri"}


@dataclass(frozen=True)
class Download:
    url: str
    expires_in: int
    uri: str


def presign(s3: S3Client, uri: str, seconds: int) -> Download:
    bucket, key = split_uri(uri)
    url = s3.generate_presigned_url(
        "get_object", Params={"Bucket": bucket, "Key": key}, ExpiresIn=seconds
    )
    return Download(url=url, expires_in=seconds, uri=uri)


def download_uri(calc: View, comparisons: list[View], what: str) -> str:
    """The object behind one of a calculation's downloads (its latest comparison's, for those)."""
    if what in DOWNLOADS:
        return str(calc[DOWNLOADS[what]])
    if what in COMPARISON_DOWNLOADS:
        if not comparisons:
            raise NotFound(f"{calc['calc_id']} has not been compared with SAP's lines yet")
        return str(comparisons[0][COMPARISON_DOWNLOADS[what]])
    known = ", ".join([*DOWNLOADS, *COMPARISON_DOWNLOADS])
    raise NotFound(f"no download named {what!r}; one of {known}")


@dataclass(frozen=True)
class Upload:
    feed: str
    uri: str
    sha256: str
    size: int


def upload(s3: S3Client, feed: str, file_name: str, body: bytes, max_bytes: int) -> Upload:
    """The same checks as `ior upload` (known feed, .csv or .xlsx), a size limit, and the file
    at `upload/{FEED}/{name}`, where the bucket notification hands it to ingestion."""
    if feed not in FEEDS:
        raise UploadRefused(f"unknown feed {feed!r}; one of {', '.join(sorted(FEEDS))}")
    name = PurePath(file_name.replace("\\", "/")).name  # a name, never a path
    if not name or PurePath(name).suffix.lower() not in UPLOAD_SUFFIXES:
        raise UploadRefused(f"{file_name!r}: uploads must be .csv or .xlsx")
    if len(body) > max_bytes:
        raise UploadRefused(f"{name} is {len(body)} bytes; uploads are limited to {max_bytes}")
    if not body:
        raise UploadRefused(f"{name} is empty")
    key = f"upload/{feed}/{name}"
    s3.put_object(Bucket=BUCKET_RAW, Key=key, Body=body)
    return Upload(feed=feed, uri=s3_uri(BUCKET_RAW, key), sha256=sha256_hex(body), size=len(body))


def request_comparison(publisher: Publisher, calc: View, requested_by: str) -> Envelope:
    """Publish `comparison.requested`; the comparison service runs it with SAP's latest lines."""
    data = ComparisonRequestedV1(
        calc_id=calc["calc_id"],
        invoice_numbers=tuple(calc["invoice_numbers"]),
        requested_by=requested_by,
    )
    request_id = str(uuid.uuid4())  # every request is a run of its own
    envelope = new_envelope(
        data,
        source=SOURCE,
        subject=data.calc_id,
        correlationid=str(calc.get("correlationid") or request_id),
        cause=request_id,
    )
    publisher.publish([envelope])
    return envelope


def audit_lookup(
    dynamodb: DynamoDBClient,
    *,
    calc_id: str | None = None,
    po_number: str | None = None,
    file_name: str | None = None,
) -> list[View]:
    """The audit index entries of one CALC-ID, or of every calculation that declared a PO or
    read a file, oldest first (the immutable records are at their `record_uri`)."""
    given = {"calc_id": calc_id, "po": po_number, "file": file_name}
    if sum(value is not None for value in given.values()) != 1:
        raise InvalidQuery("give exactly one of calc_id, po or file")
    if calc_id is not None:
        calc_ids = {calc_id}
    else:
        attribute, wanted = (
            (PO_ATTRIBUTE, po_number) if po_number is not None else (FILE_ATTRIBUTE, file_name)
        )
        calc_ids = {
            item["calc_id"]
            for item in _query(dynamodb, index_on(attribute), f"{attribute} = :v", str(wanted))
        }
    heads = []
    for found in sorted(calc_ids):
        response = dynamodb.get_item(
            TableName=TABLE_AUDIT_INDEX,
            Key={"pk": {"S": calc_partition(found)}, "sk": {"S": RECORD_SORT_KEY}},
        )
        if "Item" in response:
            heads.append(from_dynamo(response["Item"]))
    return sorted(heads, key=lambda head: str(head.get("calculated_at", "")))


def _query(dynamodb: DynamoDBClient, index: str, condition: str, wanted: str) -> list[Any]:
    pages = dynamodb.get_paginator("query").paginate(
        TableName=TABLE_AUDIT_INDEX,
        IndexName=index,
        KeyConditionExpression=condition,
        ExpressionAttributeValues={":v": {"S": wanted}},
    )
    return [from_dynamo(item) for page in pages for item in page.get("Items", [])]
