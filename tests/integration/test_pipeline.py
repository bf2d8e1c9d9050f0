"""The whole chain on the embedded emulator: samples → lines, workbook, comparison, audit."""

import json
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook

from contracts.topology import BUCKET_AUDIT, TOPOLOGY
from entrypoints.process import find_extract_files, run_pipeline, summarize, write_outputs
from entrypoints.results_cli import download_results
from services.runtime.aws.queues import queue_depth
from tests.integration.conftest import fresh_context

pytestmark = pytest.mark.integration
SAMPLES = Path(__file__).resolve().parents[2] / "samples"


@pytest.fixture(scope="module")
def processed(emulator, tmp_path_factory):
    """The pipeline runs once for this module's tests (it is the slow part)."""
    context = fresh_context(emulator)
    out = tmp_path_factory.mktemp("pipeline")
    run = run_pipeline(context, find_extract_files(SAMPLES), lambda _: None)
    write_outputs(context, run, out)
    return context, run, out


def test_sample_batch_settles_with_every_stage_reporting(processed):
    _, run, _ = processed
    summary = summarize(run)
    assert summary["settled"]
    assert summary["invoice_lines_normalized"] == 21
    assert len(summary["calc_ids"]) == 1


def test_comparison_finds_the_samples_deliberate_discrepancies(processed):
    _, run, out = processed
    [comparison] = summarize(run)["comparisons"]
    assert (comparison["passed"], comparison["failed"]) == (22, 2)
    assert (comparison["ours_only"], comparison["theirs_only"]) == (1, 0)
    report = json.loads((out / "comparison.json").read_text())
    text = json.dumps(report)
    assert "NSW-2606-0512" in text and "SFW-2608-0219" in text and "VBM-251183" in text
    assert "-5.94" in text


def test_customs_lines_hold_the_independently_computed_values(processed):
    _, _, out = processed
    lines = [json.loads(line) for line in (out / "customs_lines.jsonl").read_text().splitlines()]
    assert len(lines) == 25
    by_key = {
        (line["invoice_number"], line["line_number"], line["component"]): line for line in lines
    }
    aluminum = by_key[("VBM-251183", 30, "ALUMINUM")]
    assert Decimal(aluminum["entered_value_usd"]) == Decimal("2822.71")
    assert Decimal(aluminum["net_weight_kg"]) == Decimal("1088.000")
    assert Decimal(aluminum["duty_usd"]) == Decimal("1411.36")
    assert Decimal(by_key[("NSW-2606-0512", 10, "FULL")]["duty_usd"]) == Decimal("457.84")


def test_workbook_has_the_192_column_template_and_the_audit_tab(processed):
    _, run, out = processed
    [calc_id] = summarize(run)["calc_ids"]
    workbook = load_workbook(out / f"{calc_id}.xlsx", read_only=True)
    assert workbook.sheetnames == ["Customs Lines", "Audit"]
    header = next(workbook["Customs Lines"].iter_rows(max_row=1, values_only=True))
    assert len(header) == 192


def test_audit_record_is_written_with_compliance_retention(processed):
    context, run, out = processed
    [calc_id] = summarize(run)["calc_ids"]
    [record] = json.loads((out / "audit" / f"{calc_id}.json").read_text())
    assert record["record"]["calc_id"] == calc_id
    keys = [o["Key"] for o in context.clients.s3.list_objects_v2(Bucket=BUCKET_AUDIT)["Contents"]]
    locked = context.clients.s3.head_object(Bucket=BUCKET_AUDIT, Key=keys[0])
    assert locked["ObjectLockMode"] == "COMPLIANCE"


def test_every_invoice_line_not_declared_is_an_exception_with_its_reason(processed):
    _, run, out = processed
    [calc_id] = summarize(run)["calc_ids"]
    [record] = json.loads((out / "audit" / f"{calc_id}.json").read_text())
    reasons = {
        (e["invoice_number"], e["line_number"]): e["reason"].split(":")[0]
        for e in record["record"]["exceptions"]
    }
    assert reasons == {
        ("SFW-2602-0033", 30): "rejected-at-ingestion",  # no exchange rate
        ("MMN-A-20417", 30): "rejected-at-ingestion",  # quantity 0
        ("SFW-2608-0219", 30): "held-back-by-quality-error",  # material not in master
        ("VBM-251183", 50): "held-back-by-quality-error",  # no weight record
    }


def test_nothing_is_left_in_any_queue_or_dlq(processed):
    context, _, _ = processed
    for queue in TOPOLOGY.queues:
        for name in (queue.name, queue.dlq_name):
            assert queue_depth(context.clients, context.names, name).idle, name


def test_results_of_a_calculation_download_from_the_endpoint(processed, tmp_path):
    context, run, _ = processed
    [calc_id] = summarize(run)["calc_ids"]

    written = download_results(context, calc_id, tmp_path)

    names = {path.relative_to(tmp_path).as_posix() for path in written}
    assert {
        f"{calc_id}.xlsx",
        "customs_lines.jsonl",
        f"audit/{calc_id}.json",
        "comparison.json",
        "comparison.xlsx",
    } <= names
    assert any(name.startswith("quality/ZEMM004-") for name in names)
    assert any(name.startswith("rejections/") for name in names)
