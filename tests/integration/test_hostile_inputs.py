"""Hostile files in one run of the whole chain on the embedded emulator, beside the samples, as
`ior process` runs a folder (issue 20): each hostile file ends in a quarantine report, or its
records in a rejection report, naming file, record, field and rule; nothing is dead-lettered by
any service; and the valid files and records of the same run are processed.

Every file is generated here (`tests/hostile_files.py`); the run happens once for the module and
each case is its own test of what it left behind. A newline in a key cannot be put on the moto
server (its routing refuses the path): that case and SNS's refusal of control characters in
message attributes are in `tests/e2e/test_hostile_inputs_e2e.py`, on LocalStack.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from contracts.envelope import Envelope
from contracts.topology import BUCKET_RAW, EXTRACT_ACCEPTED, EXTRACT_REJECTED
from entrypoints.process import (
    ExtractFile,
    PipelineRun,
    find_extract_files,
    run_pipeline,
    summarize,
    write_outputs,
)
from services.runtime.aws.blobs import s3_uri, split_uri
from services.runtime.context import RuntimeContext
from tests import hostile_files
from tests.integration.conftest import fresh_context

pytestmark = [pytest.mark.integration, pytest.mark.timeout(300)]
SAMPLES = Path(__file__).resolve().parents[2] / "samples"
MB = 2**20
# Before the samples' snapshots, so no hostile reference file replaces what the samples load.
EARLIER = "2026-11-01T00:00:00Z"
INT_DIGITS_HINT = "set_int_max_str_digits"
QUARANTINED_SAMPLE = "ZEMM006-20261122-0002.json"  # its record_count is wrong (samples/README.md)


@dataclass(frozen=True)
class Quarantined:
    """The whole file is moved to quarantine/ with a report naming `field` and the reason."""

    field: str
    reason: str


@dataclass(frozen=True)
class RecordsRejected:
    """The file is read; each record index in `rules` is rejected with (field, rule), and the
    file's other `accepted` records are accepted."""

    rules: dict[int, tuple[str, str]]
    accepted: int


Expectation = Quarantined | RecordsRejected


@dataclass(frozen=True)
class Hostile:
    name: str  # the file's name; it starts with its feed, as `ior process` requires
    body: bytes
    expect: Expectation
    landing_name: str | None = None  # lands under this name instead (keys no file can have)


def customer(customer_id: str = "0000100001", **overrides: object) -> dict:
    return {
        "customer_id": customer_id,
        "name": "Acme Furniture Inc",
        "aliases": ["ACME"],
        "country": "US",
        "city": "Dallas",
        "active": True,
        **overrides,
    }


def extract(feed: str, number: int, records: list[dict], **overrides: object) -> bytes:
    document = {
        "feed": feed,
        "extract_id": f"{feed}-20261101-{number:04d}",
        "extracted_at": EARLIER,
        "sap_system": "PRD",
        "record_count": len(records),
        "records": records,
        **overrides,
    }
    return json.dumps(document).encode()


def invoice_line(invoice: str, **overrides: object) -> dict:
    """A sample ZEMM004 line (a material the samples' master and weights know) on `invoice`."""
    [document] = [json.loads(p.read_text()) for p in SAMPLES.glob("batch/ZEMM004-*.json")]
    return {**document["records"][0], "invoice_number": invoice, **overrides}


# Raw JSON text for values json.dumps would not write as such.
RAW_NUMBERS = {
    "@1e400": "1e400",
    "@1e-400": "1e-400",
    "@1e30": "1e30",
    "@5000digits": "9" * 5000,
    "@20digits": "12345678901234567890",
}


def invoice_lines() -> bytes:
    """One ZEMM004 extract: a valid line priced -0.0, then one hostile line per case."""
    lines = [
        invoice_line("HOSTILE-NEGATIVE-ZERO", unit_price="-0.0"),
        invoice_line("HOSTILE-1", quantity="@1e400"),
        invoice_line("HOSTILE-2", unit_price="@1e-400"),
        invoice_line("HOSTILE-3", quantity="@20digits", unit_price="@20digits"),
        invoice_line("HOSTILE-4", line_number="@1e30"),
        invoice_line("HOSTILE-5", quantity="@5000digits"),
        invoice_line("HOSTILE-6", line_number="99999999999999999999"),
        invoice_line("HOSTILE-7", quantity="\uff11\uff12"),
        invoice_line("HOSTILE-8", port_of_entry="\u0662\u0667\u0660\u0664"),
        invoice_line("HOSTILE-9", ship_to_name="Sleep\x00Number"),
        invoice_line("HOSTILE-10", ship_to_name="Sleep \u202erebmuN"),
        invoice_line("HOSTILE-11", supplier_name="Shanghai \ud800"),
        invoice_line("HOSTILE-12", quantity="999999999", unit_price="99999999999999"),
    ]
    body = json.dumps(
        {
            "feed": "ZEMM004",
            "extract_id": "ZEMM004-20261122-0901",
            "extracted_at": "2026-11-22T03:00:00Z",
            "sap_system": "PRD",
            "record_count": len(lines),
            "records": lines,
        }
    ).encode()
    for placeholder, raw in RAW_NUMBERS.items():
        body = body.replace(json.dumps(placeholder).encode(), raw.encode())
    return body


def surrogate(document: bytes) -> bytes:
    return document.replace(b"SURROGATE", b"\\ud800")


def cases() -> list[Hostile]:
    workbook = hostile_files
    return [
        Hostile(
            "ZEMM004-hostile-lines.json",
            invoice_lines(),
            RecordsRejected(
                {
                    1: ("quantity", "too large"),
                    2: ("unit_price", "decimal places"),
                    3: ("quantity", "too large"),
                    4: ("line_number", "too large for a whole number"),
                    5: ("quantity", "too large"),
                    6: ("line_number", "too large for a whole number"),
                    7: ("quantity", "must be a number"),
                    8: ("port_of_entry", "4-digit CBP port code"),
                    9: ("ship_to_name", "control character"),
                    10: ("ship_to_name", "text-direction control"),
                    11: ("supplier_name", "lone surrogate"),
                    12: ("exchange_rate_to_usd", "more than"),
                },
                accepted=1,
            ),
        ),
        Hostile(
            "ZEMM005-fullwidth-hts.json",
            extract(
                "ZEMM005",
                1,
                [
                    {
                        "material": "000000000010009999",
                        "description": "Fullwidth HTS",
                        "material_type": "FERT",
                        "product_category": "ADJUSTABLE_BASE",
                        "hts_code": "\uff19\uff14\uff10\uff11\uff16\uff11\uff14\uff10\uff11\uff11",
                        "country_of_origin": "CN",
                        "base_unit": "EA",
                    }
                ],
            ),
            RecordsRejected({0: ("hts_code", "10 digits")}, accepted=0),
        ),
        Hostile(
            "ZSDR010-surrogate-name.json",
            surrogate(extract("ZSDR010", 1, [customer(name="Acme SURROGATE"), customer("2")])),
            RecordsRejected({0: ("name", "lone surrogate")}, accepted=1),
        ),
        Hostile(
            "ZSDR010-surrogate-extract-id.json",
            surrogate(extract("ZSDR010", 2, [customer()], extract_id="SURROGATE")),
            Quarantined("extract_id", "lone surrogate"),
        ),
        Hostile(
            "ZSDR010-after-9999.json",
            extract("ZSDR010", 3, [customer()], extracted_at="9999-12-31T23:00:00-05:00"),
            Quarantined("extracted_at", "outside the years"),
        ),
        Hostile(
            "ZSDR010-newline-extract-id.json",
            extract("ZSDR010", 4, [customer()], extract_id="ZSDR010\n0004"),
            Quarantined("extract_id", "control character"),
        ),
        Hostile(
            "ZSDR010-control-extract-id.json",
            extract("ZSDR010", 5, [customer()], extract_id="ZSDR010\x1f0005"),
            Quarantined("extract_id", "control character"),
        ),
        Hostile(
            "ZSDR010-traversal-extract-id.json",
            extract("ZSDR010", 6, [customer()], extract_id="../../../audit/CALC-1"),
            Quarantined("extract_id", "letters, digits"),
        ),
        Hostile(
            "ZSDR010-long-key.json",
            extract("ZSDR010", 7, [customer()]),
            Quarantined("key", "file name may hold"),
            landing_name="ZSDR010-" + "A" * 960 + ".json",
        ),
        Hostile(
            "ZSDR010-deeply-nested.json",
            hostile_files.nested_json(100_000),
            Quarantined("file", "nested too deeply"),
        ),
        Hostile(
            "ZSDR010-external-entity.xlsx",
            workbook.external_entity_workbook(),
            Quarantined("file", "declares a document type"),
        ),
        Hostile(
            "ZSDR010-billion-laughs.xlsx",
            workbook.billion_laughs_workbook(),
            Quarantined("file", "declares a document type"),
        ),
        Hostile(
            "ZSDR010-malformed-shared-strings.xlsx",
            workbook.malformed_shared_strings_workbook(),
            Quarantined("file", "not a readable .xlsx"),
        ),
        Hostile(
            "ZSDR010-malformed-sheet.xlsx",
            workbook.malformed_sheet_workbook(),
            Quarantined("file", "sheet cannot be read"),
        ),
        Hostile(
            "ZSDR010-shared-strings-bomb.xlsx",
            workbook.shared_strings_bomb_workbook(17 * MB),
            Quarantined("file", "shared strings unpack"),
        ),
        Hostile(
            "ZSDR010-zip-bomb.xlsx",
            workbook.zip_bomb_workbook(65 * MB),
            Quarantined("file", "workbook unpacks to"),
        ),
        Hostile(
            "ZSDR010-column-xfd.xlsx",
            workbook.far_column_workbook(2_000),
            Quarantined("row", "16384 columns"),
        ),
        Hostile(
            "ZSDR010-last-row.xlsx",
            workbook.last_row_workbook(),
            Quarantined("records", "blank rows count too"),
        ),
        Hostile(
            "ZSDR010-long-cell.xlsx",
            workbook.long_cell_workbook(40_000),
            Quarantined("row", "cell of 40000 characters"),
        ),
    ]


CASES = {case.name: case for case in cases()}
YEAR_ONE = "ZSDR010-year-one.json"


@dataclass(frozen=True)
class Storm:
    context: RuntimeContext
    run: PipelineRun
    keys: dict[str, str]  # landing key by case name
    raw_keys: frozenset[str]
    out: Path

    def events(self, name: str, event_type: str) -> list[Envelope]:
        uri = s3_uri(BUCKET_RAW, self.keys[name])
        return [e for e in self.run.of_type(event_type) if e.data["source_uri"] == uri]

    def read(self, uri: str) -> dict:
        return json.loads(self.context.blobs.get(*split_uri(uri)))


@pytest.fixture(scope="module")
def storm(emulator: str, tmp_path_factory: pytest.TempPathFactory) -> Storm:
    """The samples and every hostile file in one folder, run as `ior process` runs it."""
    folder = tmp_path_factory.mktemp("hostile-folder")
    shutil.copytree(SAMPLES / "batch", folder / "batch")
    shutil.copytree(SAMPLES / "uploads", folder / "uploads")
    for case in CASES.values():
        (folder / case.name).write_bytes(case.body)
    (folder / YEAR_ONE).write_bytes(
        extract("ZSDR010", 9, [customer()], extracted_at="0001-01-01T00:00:00Z")
    )
    landing = {case.name: case.landing_name for case in CASES.values() if case.landing_name}
    files = [
        ExtractFile(f.path, f.feed, landing.get(f.path.name)) for f in find_extract_files(folder)
    ]
    context = fresh_context(emulator)
    run = run_pipeline(context, files, lambda _: None)
    out = tmp_path_factory.mktemp("hostile-out")
    write_outputs(context, run, out)
    raw = context.clients.s3.list_objects_v2(Bucket=BUCKET_RAW, MaxKeys=1000).get("Contents", [])
    return Storm(
        context=context,
        run=run,
        keys={f.path.name: f.key for f in files},
        raw_keys=frozenset(o["Key"] for o in raw),
        out=out,
    )


@pytest.mark.parametrize("name", list(CASES))
def test_hostile_file_ends_in_a_report_naming_file_record_field_and_rule(storm: Storm, name):
    case = CASES[name]
    [rejected] = storm.events(name, EXTRACT_REJECTED)
    report = storm.read(rejected.data["report_uri"])
    assert report["file"] == s3_uri(BUCKET_RAW, storm.keys[name])
    match case.expect:
        case Quarantined(field, reason):
            assert storm.events(name, EXTRACT_ACCEPTED) == []
            assert report["whole_file"] is True
            [finding] = report["findings"]
            assert finding["field"] == field
            assert reason in finding["rule"], finding["rule"]
            quarantined = split_uri(report["quarantined_copy"])[1]
            assert quarantined.startswith("quarantine/") and quarantined in storm.raw_keys
            assert storm.keys[name] not in storm.raw_keys, "the original is moved, not copied"
        case RecordsRejected(rules, accepted):
            assert report["whole_file"] is False
            assert {f["record_index"] for f in report["findings"]} == set(rules)
            assert all(INT_DIGITS_HINT not in f["rule"] for f in report["findings"])
            for index, (field, rule) in rules.items():
                found = [f["rule"] for f in report["findings"] if f["record_index"] == index]
                assert any(
                    field == f["field"] and rule in f["rule"]
                    for f in report["findings"]
                    if f["record_index"] == index
                ), found
            taken = storm.events(name, EXTRACT_ACCEPTED)
            assert sum(e.data["records"]["row_count"] for e in taken) == accepted


def test_no_service_dead_letters_anything_and_the_chain_settles(storm: Storm):
    assert storm.run.settled
    assert storm.run.dead_letters == []


def test_the_samples_of_the_same_run_are_processed_in_full(storm: Storm):
    summary = summarize(storm.run)
    [comparison] = summary["comparisons"]
    assert (comparison["passed"], comparison["failed"]) == (22, 2)  # as without hostile files
    for path in SAMPLES.glob("batch/*.json"):
        accepted = storm.events(path.name, EXTRACT_ACCEPTED)
        assert len(accepted) == (0 if path.name == QUARANTINED_SAMPLE else 1), path.name


def test_a_negative_zero_price_is_declared_at_zero_never_minus_zero(storm: Storm):
    lines = [json.loads(line) for line in (storm.out / "customs_lines.jsonl").open()]
    declared = [line for line in lines if line["invoice_number"] == "HOSTILE-NEGATIVE-ZERO"]
    assert declared
    for line in declared:
        assert (line["entered_value_usd"], line["duty_usd"]) == ("0.00", "0.00")
        money = [line["mpf_usd"], line["hmf_usd"], *(d["duty_usd"] for d in line["duty_layers"])]
        assert not any(str(value).startswith("-") for value in money), line


def test_an_extract_from_the_year_1_lands_under_a_four_digit_year_and_is_accepted(storm: Storm):
    assert storm.keys[YEAR_ONE].startswith("sap/ZSDR010/0001/01/01/")
    [accepted] = storm.events(YEAR_ONE, EXTRACT_ACCEPTED)
    assert accepted.data["records"]["row_count"] == 1
