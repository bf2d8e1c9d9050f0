"""Where the audit service writes: object keys and index items (pure).

`calculation_record` is also the factory of the audit integration tests.
"""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from contracts.audit_layout import (
    EVENT_OBJECT,
    FILE_ATTRIBUTE,
    LINES_OBJECT,
    PO_ATTRIBUTE,
    RECORD_OBJECT,
    AuditedObject,
    audited_object,
    event_key,
    index_items,
    index_on,
    lines_key,
    record_key,
    verify,
)
from contracts.datasets import CalculationRecordV1, InputFile
from contracts.envelope import new_envelope
from contracts.errors import AuditObjectUnverified
from contracts.events import AlertRaisedV1, Severity
from contracts.topology import TABLE_AUDIT_INDEX, TOPOLOGY

CALC_ID = "CALC-20261122-020000-AB12"
SHA = "a" * 64
RECORD = AuditedObject("s3://ior-audit/calculations/r.json", "v-record", SHA)
OBJECTS = {
    EVENT_OBJECT: AuditedObject("s3://ior-audit/events/e.json", "v-event", "b" * 64),
    RECORD_OBJECT: RECORD,
    LINES_OBJECT: AuditedObject("s3://ior-audit/calculations/l.jsonl", "v-lines", "c" * 64),
}


def input_file(feed: str, name: str) -> InputFile:
    return InputFile(
        feed=feed,
        extract_id=name.removesuffix(".json"),
        file_name=name,
        uri=f"s3://ior-raw/sap/{feed}/2026/11/22/{name}",
        sha256="c" * 64,
        row_count=24,
    )


def calculation_record(calc_id: str = CALC_ID, **changes: object) -> CalculationRecordV1:
    fields: dict[str, object] = {
        "calc_id": calc_id,
        "calculated_at": "2026-11-22T02:00:00+00:00",
        "producer": "ior.customs_generation@0.1.0",
        "inputs": (
            input_file("ZEMM004", "ZEMM004-20261122-0001.json"),
            input_file("ZEMM005", "ZEMM005-20261122-0001.json"),
        ),
        "reference_versions": {"ior-product-master": "ZEMM005-20261122-0001"},
        "rates_used": (),
        "invoice_numbers": ("NSW-2606-0512", "SFW-2608-0219"),
        "po_numbers": ("4500018577", "4500018640"),
        "line_count": 4,
        "totals": {"entered_value_usd": Decimal("1189.20"), "duty_usd": Decimal("457.84")},
        "reconciliation": (),
        "exceptions": (),
        "packaging_lines": (),
        "lines_uri": f"s3://ior-processed/customs-lines/{calc_id}.jsonl",
        "lines_sha256": "d" * 64,
        "workbook_uri": f"s3://ior-processed/workbooks/{calc_id}.xlsx",
    }
    return CalculationRecordV1.model_validate({**fields, **changes})


def items(record: CalculationRecordV1 | None = None, entry_dates=None):
    return index_items(record or calculation_record(), objects=OBJECTS, entry_dates=entry_dates)


def test_event_key_is_dated_by_the_event_time_and_named_by_type_and_id():
    envelope = new_envelope(
        AlertRaisedV1(severity=Severity.INFO, service="t", title="t", detail="d"),
        source="ior.test",
        subject="s",
        correlationid="c",
        cause="x",
        time=datetime(2026, 11, 22, 23, 59, tzinfo=UTC),
    )
    assert event_key(envelope) == f"events/2026/11/22/ior.alert.raised/{envelope.id}.json"


def test_calculation_files_are_kept_under_the_calc_id():
    assert record_key(CALC_ID) == f"calculations/{CALC_ID}/calculation.json"
    assert lines_key(CALC_ID) == f"calculations/{CALC_ID}/customs-lines.jsonl"


def test_a_calculation_is_indexed_by_calc_id_each_po_and_each_input_file():
    keys = [(item["pk"], item["sk"]) for item in items()]
    assert keys == [
        (f"CALC#{CALC_ID}", "CALC"),
        (f"CALC#{CALC_ID}", "PO#4500018577"),
        (f"CALC#{CALC_ID}", "PO#4500018640"),
        (f"CALC#{CALC_ID}", "FILE#ZEMM004-20261122-0001.json"),
        (f"CALC#{CALC_ID}", "FILE#ZEMM005-20261122-0001.json"),
    ]
    assert [item.get(PO_ATTRIBUTE) for item in items()[1:3]] == ["4500018577", "4500018640"]
    assert items()[3][FILE_ATTRIBUTE] == "ZEMM004-20261122-0001.json"
    assert all(item["calc_id"] == CALC_ID for item in items())


def test_record_item_points_at_the_audit_copies_and_keeps_exact_totals():
    head = items()[0]
    assert head["record_uri"] == "s3://ior-audit/calculations/r.json"
    assert head["lines_uri"] == "s3://ior-audit/calculations/l.jsonl"
    assert head["totals"] == {"entered_value_usd": "1189.20", "duty_usd": "457.84"}
    assert head["file_names"] == ["ZEMM004-20261122-0001.json", "ZEMM005-20261122-0001.json"]


def test_record_item_names_the_version_and_sha256_of_each_object_audit_wrote():
    head = items()[0]
    assert (head["record_version_id"], head["record_sha256"]) == ("v-record", SHA)
    assert (head["lines_version_id"], head["event_version_id"]) == ("v-lines", "v-event")
    assert {name: audited_object(head, name) for name in OBJECTS} == OBJECTS


def test_an_index_entry_without_a_version_cannot_be_verified():
    head = {key: value for key, value in items()[0].items() if key != "record_version_id"}
    with pytest.raises(AuditObjectUnverified, match="no record_version_id"):
        audited_object(head, RECORD_OBJECT)


def test_the_version_audit_wrote_is_verified_by_its_sha256():
    assert verify(RECORD, SHA) == "verified: sha256 matches version v-record"


def test_other_versions_of_the_key_are_named_and_ignored():
    verdict = verify(RECORD, SHA, ["v-forged"])
    assert verdict.startswith("verified: sha256 matches version v-record; ignored 1 other")
    assert verdict.endswith("not written by audit: v-forged")


def test_bytes_that_do_not_match_the_indexed_sha256_are_refused():
    with pytest.raises(AuditObjectUnverified, match="not the one audit wrote"):
        verify(RECORD, "d" * 64)


def test_record_item_carries_the_entry_dates_of_its_lines_when_it_has_lines():
    head = items(entry_dates=(date(2025, 9, 18), date(2026, 7, 1)))[0]
    assert (head["entry_date_from"], head["entry_date_to"]) == ("2025-09-18", "2026-07-01")
    assert "entry_date_from" not in items()[0]


def test_a_file_read_twice_is_indexed_once():
    twice = (input_file("ZEMM004", "same.json"), input_file("ZEMM004", "same.json"))
    assert [item["sk"] for item in items(calculation_record(inputs=twice))][-1:] == [
        "FILE#same.json"
    ]
    assert len(items(calculation_record(inputs=twice))) == 4


def test_lookup_indexes_are_the_topology_ones():
    names = {index.name for index in TOPOLOGY.table(TABLE_AUDIT_INDEX).indexes}
    assert {index_on(PO_ATTRIBUTE), index_on(FILE_ATTRIBUTE)} == names
