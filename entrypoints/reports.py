"""Reports read from the audit records: `ior audit` and `ior report ieepa-refunds`.

The audit service writes each calculation's record and a copy of its customs lines to the audit
bucket and indexes them (`contracts.audit_layout`); these functions read that layout back.
`build_ieepa_report` is pure, the two entry points do the reads; the refund report's files are
written by `entrypoints.ieepa_refund_files`.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Set
from dataclasses import dataclass
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
from contracts.topology import TABLE_AUDIT_INDEX
from services.runtime.aws.blobs import owner_arguments, sha256_hex, split_uri
from services.runtime.context import RuntimeContext

IEEPA_PREFIX = "IEEPA"
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


@dataclass(frozen=True)
class IeepaLine:
    """One IEEPA layer paid on one component line."""

    invoice_number: str
    po_number: str
    entry_date: date
    port_of_entry: str
    line_number: int
    component: str
    material: str
    hts_code: str
    program: str
    code: str
    rate_pct: Decimal
    entered_value_usd: Decimal
    duty_usd: Decimal
    calc_id: str


@dataclass(frozen=True)
class IeepaEntry:
    """An entry (invoice) that paid IEEPA; its value counts each component line once."""

    invoice_number: str
    po_number: str
    entry_date: date
    calc_id: str
    lines: tuple[IeepaLine, ...]
    entered_value_usd: Decimal
    duty_usd: Decimal


@dataclass(frozen=True)
class IeepaRefundReport:
    date_from: date | None
    date_to: date | None
    entries: tuple[IeepaEntry, ...]

    @property
    def entered_value_usd(self) -> Decimal:
        return sum((entry.entered_value_usd for entry in self.entries), Decimal(0))

    @property
    def duty_usd(self) -> Decimal:
        return sum((entry.duty_usd for entry in self.entries), Decimal(0))


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


def build_ieepa_report(
    lines: Iterable[CustomsLineV1],
    date_from: date | None,
    date_to: date | None,
    superseded: Mapping[str, Set[str]] | None = None,
) -> IeepaRefundReport:
    """Each invoice counts by its current calculation only: `superseded` names, per CALC-ID,
    the invoices a later calculation replaced (as the audit index marks them)."""
    replaced = superseded or {}
    paid: dict[str, list[tuple[CustomsLineV1, tuple[IeepaLine, ...]]]] = defaultdict(list)
    for line in lines:
        in_range = (date_from is None or line.entry_date >= date_from) and (
            date_to is None or line.entry_date <= date_to
        )
        layers = _ieepa_layers(line)
        current = line.invoice_number not in replaced.get(line.calc_id, set())
        if current and in_range and layers:
            paid[line.invoice_number].append((line, layers))
    entries = [_entry(paid[invoice]) for invoice in sorted(paid)]
    entries.sort(key=lambda entry: (entry.entry_date, entry.invoice_number))
    return IeepaRefundReport(date_from, date_to, tuple(entries))


def _ieepa_layers(line: CustomsLineV1) -> tuple[IeepaLine, ...]:
    return tuple(
        IeepaLine(
            invoice_number=line.invoice_number,
            po_number=line.po_number,
            entry_date=line.entry_date,
            port_of_entry=line.port_of_entry,
            line_number=line.line_number,
            component=str(line.component),
            material=line.material,
            hts_code=line.hts_code,
            program=layer.program,
            code=layer.code,
            rate_pct=layer.rate_pct,
            entered_value_usd=line.entered_value_usd,
            duty_usd=layer.duty_usd,
            calc_id=line.calc_id,
        )
        for layer in line.duty_layers
        # A 0 % IEEPA exemption code is declared but pays nothing: nothing to refund.
        if layer.program.startswith(IEEPA_PREFIX) and layer.duty_usd > 0
    )


def _entry(paid: list[tuple[CustomsLineV1, tuple[IeepaLine, ...]]]) -> IeepaEntry:
    first = paid[0][0]
    layers = tuple(layer for _, line_layers in paid for layer in line_layers)
    return IeepaEntry(
        invoice_number=first.invoice_number,
        po_number=first.po_number,
        entry_date=first.entry_date,
        calc_id=first.calc_id,
        lines=layers,
        entered_value_usd=sum((line.entered_value_usd for line, _ in paid), Decimal(0)),
        duty_usd=sum((layer.duty_usd for layer in layers), Decimal(0)),
    )


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
