"""The portal's read model after the sample pipeline: what it holds, and that rebuilding it from
the audit bucket gives back exactly the model the consumer built live."""

from pathlib import Path

import pytest

from contracts.topology import TABLE_PORTAL_LINES, TABLE_PORTAL_VIEWS
from entrypoints.process import find_extract_files, run_pipeline
from services.portal.codec import from_dynamo
from services.portal.rebuild import rebuild
from services.portal.store import ReadModelStore
from tests.integration.conftest import fresh_context

pytestmark = pytest.mark.integration
SAMPLES = Path(__file__).resolve().parents[2] / "samples"


@pytest.fixture(scope="module")
def pipeline(emulator):
    context = fresh_context(emulator)
    run = run_pipeline(context, find_extract_files(SAMPLES), lambda _: None)
    assert run.settled and not run.dead_letters
    return context


def table(context, name):
    pages = context.clients.dynamodb.get_paginator("scan").paginate(TableName=name)
    return [from_dynamo(item) for page in pages for item in page["Items"]]


def views(context, kind):
    return [item for item in table(context, TABLE_PORTAL_VIEWS) if item.get("kind") == kind]


def test_the_calculation_is_kept_with_its_totals_entry_dates_and_pos(pipeline):
    [calc] = views(pipeline, "calculation")
    assert calc["line_count"] == 25
    assert calc["entry_dates"] and calc["po_numbers"]
    assert set(calc["totals"]) == {"entered_value_usd", "duty_usd", "mpf_usd", "hmf_usd"}


def test_every_customs_line_of_the_current_calculation_is_kept_by_entry_date(pipeline):
    lines = table(pipeline, TABLE_PORTAL_LINES)
    assert len(lines) == 25
    assert {line["calc_id"] for line in lines} == {views(pipeline, "calculation")[0]["calc_id"]}


def test_extracts_carry_their_accepted_and_rejected_counts_and_reports(pipeline):
    extracts = views(pipeline, "extract")
    rejected = [e for e in extracts if e["status"] == "rejected"]
    partly = [e for e in extracts if e["status"] == "accepted" and e["rejected_count"]]
    assert rejected and all(e["rejection_report_uri"].startswith("s3://") for e in rejected)
    assert partly and all(e["accepted_count"] > 0 for e in partly)
    assert any("quality_report_uri" in e for e in extracts)


def test_the_comparison_and_its_alert_are_kept(pipeline):
    [comparison] = views(pipeline, "comparison")
    assert (comparison["passed"], comparison["failed"], comparison["ours_only"]) == (22, 2, 1)
    assert comparison["workbook_uri"].endswith("comparison.xlsx")
    assert views(pipeline, "alert")


def test_feed_freshness_names_every_pushed_feed(pipeline):
    feeds = {item["feed"]: item for item in views(pipeline, "feed")}
    assert {"ZEMM004", "ZSDR002", "ZEMM005"} <= set(feeds)
    assert feeds["ZEMM005"]["synced_at"] and feeds["ZEMM004"]["extracted_at"]


# The comparison service publishes a run's events again, with the same ids but a new envelope
# `time`, when both of its triggers race (customs lines and SAP's lines arriving together); the
# audit keeps the copy it saw first and so does the portal, which need not be the same copy.
# Everything else of those views must match.
REPUBLISHED_TIMES = {"comparison": ("listed", "compared_at"), "alert": ("listed", "raised_at")}


def without_republished_times(item):
    dropped = REPUBLISHED_TIMES.get(item.get("kind"), ())
    return {name: value for name, value in item.items() if name not in dropped}


def test_the_model_rebuilt_from_the_audit_bucket_equals_the_live_one(pipeline):
    live = {name: table(pipeline, name) for name in (TABLE_PORTAL_VIEWS, TABLE_PORTAL_LINES)}
    summary = rebuild(
        pipeline.clients.s3, pipeline.blobs, ReadModelStore(pipeline.clients.dynamodb)
    )
    rebuilt = {name: table(pipeline, name) for name in (TABLE_PORTAL_VIEWS, TABLE_PORTAL_LINES)}
    assert summary.applied > 0 and summary.removed == sum(len(t) for t in live.values())

    def keyed(items):
        return sorted((without_republished_times(item) for item in items), key=repr)

    assert {n: keyed(t) for n, t in rebuilt.items()} == {n: keyed(t) for n, t in live.items()}
