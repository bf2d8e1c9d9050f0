"""Where the audit service keeps what it writes: object keys and index items. Pure.

The audit lookup (`entrypoints/reports.py`) reads by the same layout, so it is defined once here.
Index items of one calculation share the partition `CALC#<calc id>`: the record item (sort key
`CALC`), one item per PO number (`PO#<po>`, carrying `po_number` for the by-po index) and one per
input file (`FILE#<name>`, carrying `file_name` for the by-file index).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from contracts.datasets import CalculationRecordV1
from contracts.envelope import Envelope
from contracts.topology import TABLE_AUDIT_INDEX, TOPOLOGY

EVENTS_PREFIX = "events/"
CALCULATIONS_PREFIX = "calculations/"
CALC_PARTITION = "CALC#"
RECORD_SORT_KEY = "CALC"
PO_SORT_PREFIX = "PO#"
FILE_SORT_PREFIX = "FILE#"
PO_ATTRIBUTE = "po_number"
FILE_ATTRIBUTE = "file_name"


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
    event_uri: str,
    record_uri: str,
    lines_uri: str,
    entry_dates: tuple[date, date] | None,
) -> list[dict[str, Any]]:
    """Every index item of one calculation; `entry_dates` is the (first, last) entry date of its
    customs lines, None when it has none (the IEEPA refunds report selects calculations by it)."""
    pk = calc_partition(record.calc_id)
    common = {"pk": pk, "calc_id": record.calc_id, "calculated_at": record.calculated_at}
    file_names = sorted({source.file_name for source in record.inputs})
    head: dict[str, Any] = {
        **common,
        "sk": RECORD_SORT_KEY,
        "producer": record.producer,
        "event_uri": event_uri,
        "record_uri": record_uri,
        "lines_uri": lines_uri,
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
