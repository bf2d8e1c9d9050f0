"""Hostile files against a running `ior worker ingestion` process on LocalStack: each one is
quarantined whole or has its records rejected, with a reason a person can act on; formulas stay
inert text; the worker keeps running and keeps accepting good files.

All files land at once on one worker (one worker start, one wait for the whole storm); each case
is then its own test, reading the outcome the storm left.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import pytest

from contracts.envelope import Envelope
from contracts.topology import (
    BUCKET_RAW,
    EXTRACT_ACCEPTED,
    EXTRACT_REJECTED,
    QUEUE_NORMALIZATION,
    TOPIC_INGESTION,
)
from services.runtime.aws.blobs import split_uri
from services.runtime.context import RuntimeContext
from tests.e2e.clean import reset_state
from tests.e2e.extracts import customer, customers_extract, customers_key, raw_uri
from tests.e2e.observe import (
    Watch,
    by_source,
    dead_lettered_sources,
    dead_letters,
    keys,
    of_type,
    put,
)
from tests.e2e.workers import Endpoints, Workers

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(900)]

TEN_MB = 10 * 1024 * 1024
CSV_HEADER = "customer_id,name,aliases,country,city,active\n"
FORMULA = '=HYPERLINK("http://x.example","Acme")'
CSV_FORMULA = "=cmd|' /C calc'!A0"
# A finding's value travels in events: a huge value must arrive shortened.
MAX_SHOWN_VALUE = 300


@dataclass(frozen=True)
class Quarantined:
    """The whole file is moved to quarantine/, with a reason that says what was wrong."""

    reason: str


@dataclass(frozen=True)
class RecordRejected:
    """The file is read; the record is rejected with a finding on `field`."""

    field: str
    rule: str


@dataclass(frozen=True)
class KeptAsText:
    """The record is accepted and `field` is stored exactly as sent, as a string."""

    field: str
    value: str


Expectation = Quarantined | RecordRejected | KeptAsText


@dataclass(frozen=True)
class Hostile:
    key: str
    body: bytes
    expect: Expectation


def extract(number: int, rows: list[dict], **overrides: object) -> tuple[str, bytes]:
    return customers_key(number), customers_extract(rows, number, **overrides)


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


CASES: dict[str, Hostile] = {
    "truncated-json": Hostile(
        customers_key(1), customers_extract([customer()], 1)[:-25], Quarantined("not valid JSON")
    ),
    "json-array-not-object": Hostile(
        customers_key(2), b"[1, 2, 3]", Quarantined("JSON must be an object")
    ),
    "records-not-a-list": Hostile(
        *extract(3, [], records={"0": customer()}), Quarantined("records must be a JSON list")
    ),
    "record-count-as-text": Hostile(
        *extract(4, [customer()], record_count="two"),
        Quarantined("record_count must be a whole number"),
    ),
    "record-count-nan": Hostile(
        customers_key(5),
        customers_extract([customer()], 5).replace(b'"record_count": 1', b'"record_count": NaN'),
        Quarantined("record_count must be a whole number"),
    ),
    "wrong-types-in-record": Hostile(
        *extract(6, [customer(100001, active="maybe", aliases=5)]),
        RecordRejected("customer_id", "must be text"),
    ),
    "ten-mb-string-in-a-code-field": Hostile(
        *extract(7, [customer(country="X" * TEN_MB)]), RecordRejected("country", "country code")
    ),
    "deeply-nested-json": Hostile(
        customers_key(8),
        customers_extract([customer()], 8).replace(b'"Dallas"', nested(100_000).encode()),
        Quarantined("nested too deeply"),
    ),
    "nested-list-in-a-text-field": Hostile(
        customers_key(9),
        customers_extract([customer()], 9).replace(b'"Dallas"', nested(500).encode()),
        RecordRejected("city", "must be text"),
    ),
    "formula-in-a-pushed-name": Hostile(
        *extract(10, [customer(name=FORMULA)]), KeptAsText("name", FORMULA)
    ),
    "formula-in-an-uploaded-name": Hostile(
        "upload/ZSDR010/formula.csv",
        f'{CSV_HEADER}0000100001,"{CSV_FORMULA}",,US,Dallas,true\n'.encode(),
        KeptAsText("name", CSV_FORMULA),
    ),
    "unknown-feed-pushed": Hostile(
        "sap/ZZZ999/2026/11/22/ZZZ999-20261122-0001.json",
        customers_extract([customer()], 11, feed="ZZZ999"),
        Quarantined("unknown feed 'ZZZ999'"),
    ),
    "unknown-feed-uploaded": Hostile(
        "upload/ZZZ999/customers.csv", b"a,b\n1,2\n", Quarantined("unknown feed 'ZZZ999'")
    ),
    "feed-other-than-its-folder": Hostile(
        *extract(12, [customer()], feed="ZEMM004"), Quarantined("file says feed ZEMM004")
    ),
    "path-traversal-in-upload-key": Hostile(
        "upload/ZSDR010/../../etc/passwd.csv", b"root:x:0:0\n", Quarantined("'..'")
    ),
    "encoded-path-traversal": Hostile(
        "upload/ZSDR010/..%2F..%2Fetc.csv", b"encoded\n", Quarantined("file name may hold")
    ),
    "backslash-path-traversal": Hostile(
        "upload/ZSDR010/..\\..\\evil.csv", b"backslash\n", Quarantined("'\\'")
    ),
    "shell-in-file-name": Hostile(
        "sap/ZSDR010/2026/11/22/$(reboot).json",
        customers_extract([customer()], 13),
        Quarantined("file name may hold"),
    ),
    "executable-extension": Hostile(
        "sap/ZSDR010/2026/11/22/ZSDR010-20261122-0014.exe", b"MZ\x90\x00", Quarantined(".json")
    ),
    "non-utf8-csv": Hostile(
        "upload/ZSDR010/latin1.csv",
        f"{CSV_HEADER}0000100001,Müller Möbel,,DE,Köln,true\n".encode("latin-1"),
        Quarantined("CSV is not UTF-8"),
    ),
    "non-utf8-json": Hostile(
        customers_key(15),
        customers_extract([customer(name="Müller")], 15).replace(b"M\\u00fcller", b"M\xfcller"),
        Quarantined("not UTF-8"),
    ),
    "ten-mb-csv-cell": Hostile(
        "upload/ZSDR010/huge-cell.csv",
        f"{CSV_HEADER}0000100001,{'N' * TEN_MB},,US,Dallas,true\n".encode(),
        Quarantined("CSV cannot be parsed"),
    ),
    "duplicate-csv-columns": Hostile(
        "upload/ZSDR010/twice.csv",
        b"customer_id,customer_id,name\n1,2,x\n",
        Quarantined("name every column once"),
    ),
    "xlsx-that-is-not-a-workbook": Hostile(
        "upload/ZSDR010/fake.xlsx", b"PK\x03\x04 not really a zip", Quarantined("not a readable")
    ),
    "empty-file": Hostile(customers_key(16), b"", Quarantined("not valid JSON")),
    "ten-mb-string-in-a-text-field": Hostile(
        *extract(17, [customer(name="N" * TEN_MB)]), RecordRejected("name", "at most 500")
    ),
    "extract-id-longer-than-an-s3-key": Hostile(
        *extract(18, [customer()], extract_id="E" * 1100), Quarantined("extract_id")
    ),
    # Issue 20: values that would reach keys and message attributes.
    "control-character-in-extract-id": Hostile(
        *extract(19, [customer()], extract_id="ZSDR010\x1f0019"), Quarantined("extract_id")
    ),
    "newline-in-extract-id": Hostile(
        *extract(20, [customer()], extract_id="ZSDR010\n0020"), Quarantined("extract_id")
    ),
    "path-traversal-in-extract-id": Hostile(
        *extract(21, [customer()], extract_id="../../../audit/CALC-1"), Quarantined("extract_id")
    ),
    "newline-in-key": Hostile(
        "sap/ZSDR010/2026/11/22/ZSDR010-line\nbreak.json",
        customers_extract([customer()], 22),
        Quarantined("file name may hold"),
    ),
    "key-of-1000-characters": Hostile(
        f"sap/ZSDR010/2026/11/22/ZSDR010-{'A' * 960}.json",
        customers_extract([customer()], 23),
        Quarantined("file name may hold"),
    ),
    "extracted-at-after-the-year-9999-in-utc": Hostile(
        *extract(24, [customer()], extracted_at="9999-12-31T23:00:00-05:00"),
        Quarantined("outside the years"),
    ),
}
GOOD_KEY = customers_key(99)


@dataclass
class Storm:
    """What the hostile files left behind, read before any other test resets the emulators."""

    events: dict[str, list[Envelope]] = field(default_factory=dict)
    rows: dict[str, list[dict]] = field(default_factory=dict)
    raw_keys: set[str] = field(default_factory=set)
    dead_lettered: set[str] = field(default_factory=set)
    worker_alive: bool = False
    worker_log: str = ""


def _read_rows(context: RuntimeContext, accepted: Envelope) -> list[dict]:
    body = context.blobs.get(*split_uri(accepted.data["records"]["uri"]))
    return [json.loads(line) for line in body.splitlines()]


@pytest.fixture(scope="module")
def storm(provisioned: RuntimeContext, endpoints: Endpoints, tmp_path_factory) -> Storm:
    context = provisioned
    reset_state(context)
    workers = Workers(endpoints, tmp_path_factory.mktemp("hostile"))
    result = Storm()
    sources = {raw_uri(case.key) for case in CASES.values()} | {raw_uri(GOOD_KEY)}
    try:
        with Watch(context) as watch:
            worker = workers.start("ingestion")
            for case in CASES.values():
                put(context, case.key, case.body)
            put(context, GOOD_KEY, customers_extract([customer()], 99))
            watch.settle(sources, dead_letters_count=True)
        result.events = by_source(watch.events)
        for uri, events in result.events.items():
            for event in of_type(events, EXTRACT_ACCEPTED):
                result.rows[uri] = _read_rows(context, event)
        result.raw_keys = set(keys(context, BUCKET_RAW))
        result.dead_lettered = dead_lettered_sources(context)
        result.worker_alive = worker.alive
        result.worker_log = worker.log_tail()
    finally:
        workers.stop_all()
    return result


@pytest.mark.parametrize(
    "name",
    list(CASES),
)
def test_hostile_file_is_quarantined_or_rejected_with_a_clear_reason(storm: Storm, name: str):
    case = CASES[name]
    uri = raw_uri(case.key)
    assert uri not in storm.dead_lettered, "dead-lettered instead of quarantined or rejected"
    events = storm.events.get(uri, [])
    accepted, rejected = of_type(events, EXTRACT_ACCEPTED), of_type(events, EXTRACT_REJECTED)
    match case.expect:
        case Quarantined(reason):
            assert accepted == []
            [event] = rejected
            assert event.data["whole_file"] is True
            assert reason in event.data["reason"], event.data["reason"]
            assert case.key not in storm.raw_keys, "the original is moved, not copied"
            quarantined = split_uri(event.data["quarantined_uri"])[1]
            assert quarantined.startswith("quarantine/") and quarantined in storm.raw_keys
            assert split_uri(event.data["report_uri"])[1] in storm.raw_keys
        case RecordRejected(field_name, rule):
            assert rejected, "the record was accepted"
            [event] = rejected
            assert event.data["whole_file"] is False
            [finding] = [f for f in event.data["findings"] if f["field"] == field_name]
            assert rule in finding["rule"], finding["rule"]
            assert len(finding["value"] or "") <= MAX_SHOWN_VALUE
        case KeptAsText(field_name, value):
            assert rejected == []
            [event] = accepted
            [row] = storm.rows[uri]
            assert row[field_name] == value


def test_worker_survives_the_hostile_files_and_still_accepts_a_good_one(storm: Storm):
    assert storm.worker_alive, storm.worker_log
    assert not storm.dead_lettered, "a hostile file is quarantined or rejected, never dead-lettered"
    [good] = of_type(storm.events[raw_uri(GOOD_KEY)], EXTRACT_ACCEPTED)
    assert good.data["records"]["row_count"] == 1


def test_a_message_sns_cannot_deliver_lands_in_the_dlq_of_the_queue_it_was_for(
    provisioned: RuntimeContext,
):
    """SQS refuses a message attribute with a control character, so SNS cannot deliver the
    message: the subscription's redrive policy keeps it in the queue's DLQ instead of nowhere."""
    context = provisioned
    reset_state(context)
    context.clients.sns.publish(
        TopicArn=context.names.topic_arn(TOPIC_INGESTION),
        Message=json.dumps({"undeliverable": True}),
        MessageAttributes={
            "type": {"DataType": "String", "StringValue": EXTRACT_ACCEPTED},
            "correlationid": {"DataType": "String", "StringValue": "ZSDR010\x010001"},
        },
    )
    [kept] = dead_letters(context, f"{QUEUE_NORMALIZATION}-dlq", 1)
    assert json.loads(kept["Body"]) == {"undeliverable": True}
