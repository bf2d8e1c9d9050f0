"""Everyday SAP reference data through the whole chain on the embedded emulator (DOMAIN.md §1-§3):
a material without weights, a weight history, a rule withdrawn by the next weekly snapshot, an
exchange rate as Excel writes it. Each is a finding, an exception or a different answer - never a
dead-lettered batch."""

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from contracts.topology import CUSTOMS_LINES_GENERATED
from entrypoints.process import find_extract_files, run_pipeline
from services.runtime.aws.blobs import split_uri
from tests.integration.conftest import fresh_context

pytestmark = pytest.mark.integration
SAMPLES = Path(__file__).resolve().parents[2] / "samples" / "batch"
M1 = "000000000010004711"  # adjustable base, CN, 9403200080: 301 List 3 applies
UNWEIGHED = "000000000010007777"  # in ZEMM005, never weighed
WITHDRAWN = "R301-L3-9403"
EXCEL_RATE = "0.1388888888888889"  # CNY as a float in a spreadsheet cell


def sample(feed: str) -> dict[str, Any]:
    [path] = SAMPLES.glob(f"{feed}-*-0001.json")
    return json.loads(path.read_text())


def extract(feed: str, extract_id: str, extracted_at: str, records: list[dict]) -> dict:
    return {
        "feed": feed,
        "extract_id": extract_id,
        "extracted_at": extracted_at,
        "sap_system": "PRD",
        "record_count": len(records),
        "records": records,
    }


def invoice_line(invoice: str, line: int, material: str, entry_date: str, **fields) -> dict:
    template = sample("ZEMM004")["records"][0]  # SFW-2508-0147 / 10: USD, OCEAN, port 2704
    return {
        **template,
        "invoice_number": invoice,
        "line_number": line,
        "material": material,
        "quantity": 10,
        "unit_price": "185.00",
        "entry_date": entry_date,
        **fields,
    }


def write_batch(folder: Path) -> None:
    materials = sample("ZEMM005")["records"]
    unweighed = {**next(r for r in materials if r["material"] == M1), "material": UNWEIGHED}
    rules = sample("ZEMM007")["records"]
    files = {
        "ZEMM005": extract(
            "ZEMM005", "ZEMM005-20261122-0001", "2026-11-22T02:00:00Z", [*materials, unweighed]
        ),
        "ZEMM007-old": extract("ZEMM007", "ZEMM007-20261122-0001", "2026-11-22T02:00:00Z", rules),
        # The next weekly snapshot leaves one rule out: it is no longer in force.
        "ZEMM007-new": extract(
            "ZEMM007",
            "ZEMM007-20261129-0001",
            "2026-11-29T02:00:00Z",
            [r for r in rules if r["rule_id"] != WITHDRAWN],
        ),
        "ZEMM004": extract(
            "ZEMM004",
            "ZEMM004-20261130-0001",
            "2026-11-30T02:00:00Z",
            [
                invoice_line("INV-OLD-WEIGHT", 10, M1, "2025-05-20"),
                invoice_line("INV-NEW-WEIGHT", 10, M1, "2025-09-18"),
                invoice_line("INV-NEW-WEIGHT", 20, UNWEIGHED, "2025-09-18"),
                invoice_line(
                    "INV-CNY",
                    10,
                    M1,
                    "2025-09-18",
                    currency="CNY",
                    unit_price="1320.00",
                    exchange_rate_to_usd=float(EXCEL_RATE),
                ),
            ],
        ),
    }
    for feed in ("ZFMIOR002", "ZFMIOR003", "ZEMM006", "ZSDR010"):
        files[feed] = sample(feed)
    for name, document in files.items():
        (folder / f"{name}.json").write_text(json.dumps(document))


@pytest.fixture(scope="module")
def calculation(emulator, tmp_path_factory):
    context = fresh_context(emulator)
    folder = tmp_path_factory.mktemp("snapshots")
    write_batch(folder)
    run = run_pipeline(context, find_extract_files(folder), lambda _: None)
    assert run.completed, run.dead_letters
    [generated] = run.of_type(CUSTOMS_LINES_GENERATED)

    def read(uri: str) -> bytes:
        return context.blobs.get(*split_uri(uri))

    record = json.loads(read(generated.data["calculation"]["uri"]))
    lines = [json.loads(line) for line in read(generated.data["lines"]["uri"]).splitlines()]
    return record, {(r["invoice_number"], r["line_number"], r["component"]): r for r in lines}


def test_the_entry_before_a_newer_weight_record_is_declared_with_the_older_one(calculation):
    _, lines = calculation
    # 10 bases at 54.0 kg (record of 2024-03-01); before 2025-06-04 no 232 rule splits the line.
    assert Decimal(lines["INV-OLD-WEIGHT", 10, "FULL"]["net_weight_kg"]) == Decimal("540.000")
    # 10 bases at 52.0 kg, 36.4 of it steel (record of 2025-06-01).
    assert Decimal(lines["INV-NEW-WEIGHT", 10, "STEEL"]["net_weight_kg"]) == Decimal("364.000")


def test_a_material_without_weights_is_an_exception_and_the_rest_is_declared(calculation):
    record, lines = calculation
    [exception] = [e for e in record["exceptions"] if e["material"] == UNWEIGHED]
    assert (exception["invoice_number"], exception["line_number"]) == ("INV-NEW-WEIGHT", 20)
    assert "no-weight-record-valid-at-entry-date" in exception["reason"]
    assert {key[:2] for key in lines} == {
        ("INV-OLD-WEIGHT", 10),
        ("INV-NEW-WEIGHT", 10),
        ("INV-CNY", 10),
    }


def test_a_rule_left_out_of_the_next_snapshot_no_longer_applies(calculation):
    record, lines = calculation
    codes = {layer["code"] for line in lines.values() for layer in line["duty_layers"]}
    assert "9903.88.03" not in codes
    assert WITHDRAWN not in {rate["source"] for rate in record["rates_used"]}


def test_the_record_names_the_snapshot_of_each_feed(calculation):
    record, _ = calculation
    assert record["reference_versions"] == {
        "ZEMM005": "ZEMM005-20261122-0001",
        "ZEMM006": "ZEMM006-20261122-0001",
        "ZEMM007": "ZEMM007-20261129-0001",
        "ZFMIOR002": "ZFMIOR002-20261122-0001",
        "ZFMIOR003": "ZFMIOR003-20261122-0001",
    }


def test_an_exchange_rate_with_sixteen_places_is_valued_exactly(calculation):
    _, lines = calculation
    cny = [line for key, line in lines.items() if key[0] == "INV-CNY"]
    value = sum(Decimal(line["entered_value_usd"]) for line in cny)
    assert value == (10 * Decimal("1320.00") * Decimal(EXCEL_RATE)).quantize(Decimal("0.01"))
