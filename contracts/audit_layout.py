"""Where the audit service keeps what it writes: object keys and index items. Pure.

The audit lookup (`entrypoints/reports.py`) reads by the same layout, so it is defined once here.
Index items of one calculation share the partition `CALC#<calc id>`: the record item (sort key
`CALC`), one item per PO number (`PO#<po>`, carrying `po_number` for the by-po index) and one per
input file (`FILE#<name>`, carrying `file_name` for the by-file index).

The record item names each object the audit service wrote (the event, the calculation record,
the customs lines) by URI, S3 version id and SHA-256 (`<name>_uri`, `<name>_version_id`,
`<name>_sha256`). A reader fetches that version and checks its SHA-256 (`verify`): a later
version of the same key, however it got there, is never taken for the audited one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from contracts.datasets import CalculationRecordV1
from contracts.envelope import Envelope
from contracts.errors import AuditObjectUnverified
from contracts.topology import TABLE_AUDIT_INDEX, TOPOLOGY

EVENTS_PREFIX = "events/"
CALCULATIONS_PREFIX = "calculations/"
CALC_PARTITION = "CALC#"
RECORD_SORT_KEY = "CALC"
PO_SORT_PREFIX = "PO#"
FILE_SORT_PREFIX = "FILE#"
PO_ATTRIBUTE = "po_number"
FILE_ATTRIBUTE = "file_name"
EVENT_OBJECT = "event"
RECORD_OBJECT = "record"
LINES_OBJECT = "lines"


@dataclass(frozen=True)
class AuditedObject:
    """An object the audit service wrote: where, which S3 version, and the SHA-256 of its bytes."""

    uri: str
    version_id: str
    sha256: str

    def attributes(self, name: str) -> dict[str, str]:
        """The index attributes that name this object as `name` (event, record or lines)."""
        return {
            f"{name}_uri": self.uri,
            f"{name}_version_id": self.version_id,
            f"{name}_sha256": self.sha256,
        }


def audited_object(entry: Mapping[str, Any], name: str) -> AuditedObject:
    """The object an index entry names as `name`; refused when it lacks the version or digest."""
    try:
        return AuditedObject(
            entry[f"{name}_uri"], entry[f"{name}_version_id"], entry[f"{name}_sha256"]
        )
    except KeyError as missing:
        raise AuditObjectUnverified(
            f"the audit index entry of {entry.get('calc_id')} has no {missing.args[0]}: "
            f"its {name} cannot be verified"
        ) from None


def verify(audited: AuditedObject, sha256: str, other_versions: Sequence[str] = ()) -> str:
    """What the reader tells its user about `audited`, given the SHA-256 of the bytes read from
    its version and the ids of any other versions of the same key (which nobody may write: the
    bucket takes writes only where the key is absent)."""
    if sha256 != audited.sha256:
        raise AuditObjectUnverified(
            f"version {audited.version_id} of {audited.uri} has SHA-256 {sha256}, but the audit "
            f"index recorded {audited.sha256}: the object is not the one audit wrote"
        )
    verdict = f"verified: sha256 matches version {audited.version_id}"
    if other_versions:
        verdict += (
            f"; ignored {len(other_versions)} other version(s) of the key, not written by "
            f"audit: {', '.join(other_versions)}"
        )
    return verdict


def index_on(attribute: str) -> str:
    """The name of the audit-index GSI whose partition key is `attribute` (from the topology)."""
    table = TOPOLOGY.table(TABLE_AUDIT_INDEX)
    return next(index.name for index in table.indexes if index.partition_key == attribute)


def event_key(envelope: Envelope) -> str:
    """`events/{yyyy}/{mm}/{dd}/{type}/{event id}.json`, dated by the event's own time (UTC)."""
    return f"{EVENTS_PREFIX}{envelope.time:%Y/%m/%d}/{envelope.type}/{envelope.id}.json"


def record_key(calc_id: str) -> str:
    return f"{CALCULATIONS_PREFIX}{calc_id}/calculation.json"


def lines_key(calc_id: str) -> str:
    return f"{CALCULATIONS_PREFIX}{calc_id}/customs-lines.jsonl"


def calc_partition(calc_id: str) -> str:
    return f"{CALC_PARTITION}{calc_id}"


def index_items(
    record: CalculationRecordV1,
    *,
    objects: Mapping[str, AuditedObject],
    entry_dates: tuple[date, date] | None,
) -> list[dict[str, Any]]:
    """Every index item of one calculation; `entry_dates` is the (first, last) entry date of its
    customs lines, None when it has none (the IEEPA refunds report selects calculations by it);
    `objects` are the event, record and lines objects audit wrote, by name."""
    pk = calc_partition(record.calc_id)
    common = {"pk": pk, "calc_id": record.calc_id, "calculated_at": record.calculated_at}
    file_names = sorted({source.file_name for source in record.inputs})
    head: dict[str, Any] = {
        **common,
        "sk": RECORD_SORT_KEY,
        "producer": record.producer,
        **{
            attribute: value
            for name, audited in objects.items()
            for attribute, value in audited.attributes(name).items()
        },
        "line_count": record.line_count,
        "invoice_numbers": list(record.invoice_numbers),
        "po_numbers": list(record.po_numbers),
        "file_names": file_names,
        # Text, so the lookup shows the record's exact amounts (DynamoDB drops trailing zeros).
        "totals": {name: str(value) for name, value in record.totals.items()},
    }
    if entry_dates is not None:
        head["entry_date_from"], head["entry_date_to"] = (d.isoformat() for d in entry_dates)
    by_po = [
        {**common, "sk": f"{PO_SORT_PREFIX}{po}", PO_ATTRIBUTE: po}
        for po in sorted(set(record.po_numbers))
    ]
    by_file = [
        {**common, "sk": f"{FILE_SORT_PREFIX}{name}", FILE_ATTRIBUTE: name} for name in file_names
    ]
    return [head, *by_po, *by_file]
