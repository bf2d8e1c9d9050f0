"""The invoice as the unit of calculation (DOMAIN.md §1, §3.8), on the embedded emulator, with
extracts pushed in waves (the chain settles between two waves): an invoice split over two files
pays its fees once; a corrected line recalculates its invoice, whose new calculation supersedes
the old one; the audit record names each SAP file by its own SHA-256."""

import hashlib
import json
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest

from contracts.topology import (
    COMPARISON_COMPLETED,
    CUSTOMS_LINES_GENERATED,
    TABLE_INVOICE_CALCULATIONS,
)
from entrypoints.process import ExtractFile, PipelineRun, run_waves
from entrypoints.reports import audit_lookup
from services.runtime.aws.blobs import split_uri
from services.runtime.context import RuntimeContext
from tests.integration.conftest import fresh_context

pytestmark = pytest.mark.integration
SAMPLES = Path(__file__).resolve().parents[2] / "samples" / "batch"
WEEKLY = ("ZEMM005", "ZFMIOR002", "ZFMIOR003", "ZEMM007", "ZEMM006", "ZSDR010")
MATTRESS = "000000000010005101"  # M5: FULL line, no metal; 301 and the HTS general rate
CENT = Decimal("0.01")


def sample(feed: str) -> dict:
    [path] = SAMPLES.glob(f"{feed}-*-0001.json")
    return json.loads(path.read_text())


def invoice_line(invoice: str, line: int, quantity: int) -> dict:
    template = sample("ZEMM004")["records"][19]  # NSW-2606-0512 / 10: OCEAN, 2026-07-01
    return {**template, "invoice_number": invoice, "line_number": line, "quantity": quantity}


def zemm004(folder: Path, extract_id: str, extracted_at: str, lines: list[dict]) -> ExtractFile:
    path = folder / f"{extract_id}.json"
    document = {
        "feed": "ZEMM004",
        "extract_id": extract_id,
        "extracted_at": extracted_at,
        "sap_system": "PRD",
        "record_count": len(lines),
        "records": lines,
    }
    path.write_text(json.dumps(document))
    return ExtractFile(path, "ZEMM004")


def zsdr002(folder: Path, extract_id: str, lines: list[dict]) -> ExtractFile:
    path = folder / f"{extract_id}.json"
    document = {
        "feed": "ZSDR002",
        "extract_id": extract_id,
        "extracted_at": "2026-11-23T02:00:00Z",
        "sap_system": "PRD",
        "record_count": len(lines),
        "records": lines,
    }
    path.write_text(json.dumps(document))
    return ExtractFile(path, "ZSDR002")


@pytest.fixture(scope="module")
def waves(emulator, tmp_path_factory):
    """Reference feeds; then half an invoice and a line to be corrected; then the invoice's other
    half and the correction; then SAP's declaration of the corrected invoice."""
    context = fresh_context(emulator)
    folder = tmp_path_factory.mktemp("invoice-unit")
    weekly = []
    for feed in WEEKLY:
        [path] = SAMPLES.glob(f"{feed}-*-0001.json")
        weekly.append(ExtractFile(path, feed))
    first = zemm004(
        folder,
        "ZEMM004-20261122-0001",
        "2026-11-22T02:00:00Z",
        [
            invoice_line("SPLIT-1", 10, 2),
            invoice_line("SPLIT-1", 20, 2),
            invoice_line("CORR-1", 10, 3),
            {**invoice_line("CORR-1", 20, 1), "material": "NOT-IN-THE-MASTER"},
        ],
    )
    second = zemm004(
        folder,
        "ZEMM004-20261122-0002",
        "2026-11-22T06:00:00Z",
        [invoice_line("SPLIT-1", 30, 2), invoice_line("CORR-1", 10, 5)],
    )
    run = run_waves(
        context, [("reference", weekly), ("first", [first]), ("second", [second])], print
    )
    assert run.completed, run.dead_letters
    return context, run, first, second


def current_calc(context: RuntimeContext, invoice: str) -> str:
    item = context.clients.dynamodb.get_item(
        TableName=TABLE_INVOICE_CALCULATIONS, Key={"invoice_number": {"S": invoice}}
    )["Item"]
    return item["calc_id"]["S"]


def lines_of(context: RuntimeContext, run: PipelineRun, calc_id: str) -> list[dict]:
    [event] = [e for e in run.of_type(CUSTOMS_LINES_GENERATED) if e.data["calc_id"] == calc_id]
    body = context.blobs.get(*split_uri(event.data["lines"]["uri"]))
    return [json.loads(line) for line in body.splitlines()]


def test_an_invoice_split_over_two_files_is_calculated_whole_and_pays_mpf_once(waves):
    context, run, _, _ = waves
    lines = [
        line
        for line in lines_of(context, run, current_calc(context, "SPLIT-1"))
        if line["invoice_number"] == "SPLIT-1"
    ]
    assert sorted(line["line_number"] for line in lines) == [10, 20, 30]
    [mpf_rule] = [r for r in sample("ZEMM007")["records"] if r["rule_id"] == "RMPF-FY2026"]
    value = sum(Decimal(line["entered_value_usd"]) for line in lines)
    mpf = (value * Decimal(str(mpf_rule["rate_pct"])) / 100).quantize(CENT, ROUND_HALF_UP)
    mpf = max(Decimal(str(mpf_rule["min_usd"])), min(mpf, Decimal(str(mpf_rule["max_usd"]))))
    assert sum(Decimal(line["mpf_usd"]) for line in lines) == mpf


def test_a_corrected_line_recalculates_its_invoice_and_supersedes_the_calculation(waves):
    context, run, _, _ = waves
    first, second = (e.data for e in run.of_type(CUSTOMS_LINES_GENERATED))
    assert current_calc(context, "CORR-1") == second["calc_id"]
    assert second["supersedes"]["CORR-1"] == first["calc_id"]
    [line] = [
        line
        for line in lines_of(context, run, second["calc_id"])
        if line["invoice_number"] == "CORR-1"
    ]
    assert Decimal(line["quantity"]) == 5
    [old] = audit_lookup(context, calc_id=first["calc_id"])
    assert set(old["superseded_by"]) == {second["calc_id"]}
    assert old["record"]["calc_id"] == first["calc_id"]  # still in the audit bucket


def test_the_record_names_each_sap_file_by_its_own_sha256_and_record_count(waves):
    context, _, first, second = waves
    calc_id = current_calc(context, "SPLIT-1")
    [audited] = audit_lookup(context, calc_id=calc_id)
    inputs = {i["extract_id"]: i for i in audited["record"]["inputs"] if i["feed"] == "ZEMM004"}
    for extract, records in ((first, 4), (second, 2)):
        source = inputs[extract.path.stem]
        assert source["sha256"] == hashlib.sha256(extract.path.read_bytes()).hexdigest()
        assert source["row_count"] == records


def test_sap_lines_of_a_corrected_invoice_are_compared_with_its_current_calculation(waves):
    context, run, _, _ = waves
    current = current_calc(context, "CORR-1")
    [ours] = [
        line for line in lines_of(context, run, current) if line["invoice_number"] == "CORR-1"
    ]
    declared = {
        key: ours[key]
        for key in ("invoice_number", "line_number", "component", "material", "hts_code")
    }
    declared |= {
        "country_of_origin": ours["country_of_origin"],
        "quantity": ours["quantity"],
        "net_weight_kg": ours["net_weight_kg"],
        "entered_value_usd": ours["entered_value_usd"],
        "duty_usd": ours["duty_usd"],
    }
    # SAP also declared the line ior held back (its material is not in the master).
    held = {**declared, "line_number": 20, "material": "NOT-IN-THE-MASTER"}
    folder = Path(run.files[-1].path).parent
    sap = zsdr002(folder, "ZSDR002-20261123-0001", [declared, held])
    compared = run_waves(context, [("sap", [sap])], lambda _: None)
    comparisons = [e.data for e in compared.of_type(COMPARISON_COMPLETED)]
    assert [c["calc_id"] for c in comparisons] == [current]
    assert (comparisons[0]["passed"], comparisons[0]["failed"]) == (1, 0)
    assert (comparisons[0]["held_back"], comparisons[0]["theirs_only"]) == (1, 0)
    report = json.loads(context.blobs.get(*split_uri(comparisons[0]["report"]["uri"])))
    [line] = report["held_back"]
    assert "material-not-in-master" in line["held_back_because"]
