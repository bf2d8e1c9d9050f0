"""Reports read from the audit records: `ior audit` and `ior report ieepa-refunds`.

The audit service writes each calculation's record and a copy of its customs lines to the audit
bucket and indexes them (`contracts.audit_layout`); these functions read that layout back.
The two entry points do the reads; the refund report itself is built by
`contracts.ieepa_refunds.build_ieepa_report` (the portal builds it from its read model too) and its
files are written by `contracts.ieepa_refund_files`.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from typing import Any

from boto3.dynamodb.types import TypeDeserializer

from contracts.audit_layout import (
    FILE_ATTRIBUTE,
    LINES_OBJECT,
    PO_ATTRIBUTE,
    RECORD_OBJECT,
    RECORD_SORT_KEY,
    AuditedObject,
    audited_object,
    calc_partition,
    index_on,
    verify,
)
from contracts.datasets import CustomsLineV1
from contracts.ieepa_refunds import IeepaRefundReport, build_ieepa_report
from contracts.topology import TABLE_AUDIT_INDEX
from services.runtime.aws.blobs import owner_arguments, sha256_hex, split_uri
from services.runtime.context import RuntimeContext

_deserializer = TypeDeserializer()


def audit_lookup(
    context: RuntimeContext,
    calc_id: str | None = None,
    po: str | None = None,
    file_name: str | None = None,
) -> list[dict[str, Any]]:
    """The audit records of one CALC-ID, or of every calculation that declared a PO number or
    read an input file, oldest first; each is its index entry plus the calculation record."""
    given = [value for value in (calc_id, po, file_name) if value]
    if len(given) != 1:
        raise ValueError("give exactly one of a CALC-ID, a PO number or a file name")
    if calc_id:
        calc_ids = {calc_id}
    elif po:
        calc_ids = set(_calc_ids_where(context, PO_ATTRIBUTE, po))
    else:
        calc_ids = set(_calc_ids_where(context, FILE_ATTRIBUTE, given[0]))
    records = (_audit_record(context, found) for found in sorted(calc_ids))
    return [record for record in records if record is not None]


def ieepa_refunds(
    context: RuntimeContext, date_from: date | None = None, date_to: date | None = None
) -> IeepaRefundReport:
    """Every IEEPA layer paid by entries dated `date_from`..`date_to` (inclusive, open if None)."""
    lines: list[CustomsLineV1] = []
    superseded: dict[str, set[str]] = {}
    for item in _calculations_entered(context, date_from, date_to):
        body, _ = _read_verified(context, audited_object(item, LINES_OBJECT))
        lines += [CustomsLineV1.model_validate_json(row) for row in body.splitlines() if row]
        superseded[item["calc_id"]] = set(item.get("superseded_invoices", ()))
    return build_ieepa_report(lines, date_from, date_to, superseded)


def _calc_ids_where(context: RuntimeContext, attribute: str, value: str) -> Iterator[str]:
    paginator = context.clients.dynamodb.get_paginator("query")
    for page in paginator.paginate(
        TableName=TABLE_AUDIT_INDEX,
        IndexName=index_on(attribute),
        KeyConditionExpression="#attribute = :value",
        ExpressionAttributeNames={"#attribute": attribute},
        ExpressionAttributeValues={":value": {"S": value}},
    ):
        for item in page.get("Items", []):
            yield item["calc_id"]["S"]


def _audit_record(context: RuntimeContext, calc_id: str) -> dict[str, Any] | None:
    response = context.clients.dynamodb.get_item(
        TableName=TABLE_AUDIT_INDEX,
        Key={"pk": {"S": calc_partition(calc_id)}, "sk": {"S": RECORD_SORT_KEY}},
    )
    if "Item" not in response:
        return None
    entry = {name: _plain(value) for name, value in _deserialize(response["Item"]).items()}
    body, verified = _read_verified(context, audited_object(entry, RECORD_OBJECT))
    shown = {k: v for k, v in entry.items() if k not in {"pk", "sk"}}
    return {**shown, "record": json.loads(body), "verified": verified}


def _read_verified(context: RuntimeContext, audited: AuditedObject) -> tuple[bytes, str]:
    """The bytes of the version audit wrote, and what `verify` says of them."""
    bucket, key = split_uri(audited.uri)
    s3, owner = context.clients.s3, owner_arguments(context.names.account_id)
    version = s3.get_object(Bucket=bucket, Key=key, VersionId=audited.version_id, **owner)
    body = version["Body"].read()
    listed = s3.list_object_versions(Bucket=bucket, Prefix=key, **owner).get("Versions", [])
    others = [v["VersionId"] for v in listed if v["Key"] == key]
    return body, verify(audited, sha256_hex(body), [v for v in others if v != audited.version_id])


def _calculations_entered(
    context: RuntimeContext, date_from: date | None, date_to: date | None
) -> Iterator[dict[str, Any]]:
    """Index entries of calculations with customs lines entered in the range."""
    conditions = ["sk = :record"]
    values: dict[str, Any] = {":record": {"S": RECORD_SORT_KEY}}
    if date_from is not None:
        conditions.append("entry_date_to >= :from")
        values[":from"] = {"S": date_from.isoformat()}
    if date_to is not None:
        conditions.append("entry_date_from <= :to")
        values[":to"] = {"S": date_to.isoformat()}
    paginator = context.clients.dynamodb.get_paginator("scan")
    for page in paginator.paginate(
        TableName=TABLE_AUDIT_INDEX,
        FilterExpression=" AND ".join([*conditions, "attribute_exists(entry_date_from)"]),
        ExpressionAttributeValues=values,
    ):
        for item in page.get("Items", []):
            yield _deserialize(item)


def _deserialize(item: dict[str, Any]) -> dict[str, Any]:
    return {name: _deserializer.deserialize(value) for name, value in item.items()}


def _plain(value: Any) -> Any:
    """DynamoDB numbers come back as Decimal: whole ones become int, others their exact text."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else str(value)
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value
