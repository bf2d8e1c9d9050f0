"""Every route of the portal API on the embedded emulator after the sample pipeline: paging
and filters, presigned downloads that work, the IEEPA refund report and its files (the same as
`ior report ieepa-refunds` writes), an upload followed to its accepted extract, a comparison run
again by one published event; and the data-quality page's rows per material."""

import csv
import io
import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
import urllib3

from contracts.ieepa_refund_files import GRAND_TOTAL, LINES_SHEET, TOTALS_SHEET, to_csv
from contracts.topology import COMPARISON_REQUESTED, QUEUE_COMPARISON, TOPOLOGY
from entrypoints.process import find_extract_files, run_pipeline
from entrypoints.reports import ieepa_refunds
from services.runtime.aws.queues import wait_until_idle
from services.runtime.context import available_services
from services.runtime.messaging.runner import BackgroundWorkers
from services.runtime.operations.dlq import service_queues
from tests.integration.conftest import fresh_context
from tests.oidc_issuer import InTestIssuer
from tests.portal_app import bearer, portal_client

pytestmark = pytest.mark.integration
SAMPLES = Path(__file__).resolve().parents[2] / "samples"
CUSTOMERS_CSV = SAMPLES / "uploads" / "ZSDR010" / "customers-manual.csv"
# The sample entries before IEEPA ended on 2026-02-24 (samples/README.md), first to last.
IEEPA_ENTRIES = {"entry_from": "2025-09-18", "entry_to": "2026-01-08"}


@pytest.fixture(scope="module")
def portal(emulator):
    context = fresh_context(emulator)
    run = run_pipeline(context, find_extract_files(SAMPLES), lambda _: None)
    assert run.settled and not run.dead_letters
    issuer = InTestIssuer()
    with portal_client(context, issuer) as client:
        client.headers.update(bearer(issuer, "operator"))
        yield context, client, issuer


@pytest.fixture(scope="module")
def calc(portal):
    _, client, _ = portal
    [calc] = client.get("/api/calculations").json()["items"]
    return calc


def settle(context):
    queues = [TOPOLOGY.service(name).queue for name in available_services()]
    with BackgroundWorkers(context, available_services()):
        assert wait_until_idle(context.clients, context.names, queues, timeout=60)


def test_the_openapi_document_lists_the_routes(portal):
    _, client, _ = portal
    paths = client.get("/api/openapi.json").json()["paths"]
    assert {
        "/api/customs-lines",
        "/api/calculations/{calc_id}/downloads/{what}",
        "/api/ieepa-refunds/{file}",
    } <= set(paths)


def test_status_has_queue_and_dlq_depths_and_the_last_sap_sync_per_feed(portal):
    _, client, _ = portal
    status = client.get("/api/status").json()
    portal_queue = next(s for s in status["services"] if s["service"] == "portal")
    assert portal_queue["dlq_depth"] == 0
    synced = {feed["feed"]: feed for feed in status["feeds"]}
    assert synced["ZEMM005"]["synced_at"]


def test_calculations_are_listed_and_filtered_by_state(portal, calc):
    _, client, _ = portal
    assert calc["state"] == "current" and calc["line_count"] == 25
    assert client.get("/api/calculations", params={"state": "superseded"}).json()["items"] == []
    assert client.get(f"/api/calculations/{calc['calc_id']}").json()["calc_id"] == calc["calc_id"]


def test_an_unknown_calculation_is_a_404_problem(portal):
    _, client, _ = portal
    response = client.get("/api/calculations/CALC-20260101-000000-ZZZZ")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"


def test_a_calculations_lines_come_in_pages_that_join_up(portal, calc):
    _, client, _ = portal
    url = f"/api/calculations/{calc['calc_id']}/lines"
    first = client.get(url, params={"limit": 10}).json()
    second = client.get(url, params={"limit": 10, "cursor": first["next_cursor"]}).json()
    third = client.get(url, params={"limit": 10, "cursor": second["next_cursor"]}).json()
    keys = [line["line_key"] for page in (first, second, third) for line in page["items"]]
    assert len(keys) == len(set(keys)) == 25
    assert third["next_cursor"] is None


def test_customs_lines_by_entry_date_range(portal, calc):
    _, client, _ = portal
    first, last = calc["entry_dates"][0], calc["entry_dates"][-1]
    lines = client.get(
        "/api/customs-lines", params={"entry_from": first, "entry_to": last, "limit": 100}
    ).json()["items"]
    assert len(lines) == 25
    only_first = client.get(
        "/api/customs-lines", params={"entry_from": first, "entry_to": first}
    ).json()["items"]
    assert {line["entry_date"] for line in only_first} == {first}


def test_customs_lines_by_invoice_po_hts_and_component(portal):
    _, client, _ = portal
    by_invoice = client.get("/api/customs-lines", params={"invoice": "VBM-251183"}).json()["items"]
    assert by_invoice and {line["invoice_number"] for line in by_invoice} == {"VBM-251183"}
    po = by_invoice[0]["po_number"]
    by_po = client.get("/api/customs-lines", params={"po": po}).json()["items"]
    assert by_po and {line["po_number"] for line in by_po} == {po}
    hts = by_invoice[0]["hts_code"]
    by_hts = client.get("/api/customs-lines", params={"hts": hts}).json()["items"]
    assert by_hts and {line["hts_code"] for line in by_hts} == {hts}
    aluminum = client.get(
        "/api/customs-lines", params={"invoice": "VBM-251183", "component": "ALUMINUM"}
    ).json()["items"]
    assert aluminum and {line["component"] for line in aluminum} == {"ALUMINUM"}
    assert len(aluminum) < len(by_invoice)


def test_customs_lines_without_a_key_or_a_date_range_is_a_400(portal):
    _, client, _ = portal
    response = client.get("/api/customs-lines", params={"component": "STEEL"})
    assert response.status_code == 400
    assert "entry-date range" in response.json()["detail"]


def test_a_cursor_this_api_never_gave_is_a_400(portal):
    _, client, _ = portal
    assert client.get("/api/calculations", params={"cursor": "%%%"}).status_code == 400


@pytest.mark.parametrize(
    ("what", "starts_with"),
    [
        ("workbook", b"PK"),
        ("comparison-workbook", b"PK"),
        ("dataset", b"{"),
        ("comparison-report", b"{"),
    ],
)
def test_downloads_are_presigned_urls_that_work(portal, calc, what, starts_with):
    _, client, _ = portal
    link = client.get(f"/api/calculations/{calc['calc_id']}/downloads/{what}").json()
    assert link["expires_in"] == 300 and "Signature" in link["url"]
    response = urllib3.request("GET", link["url"])
    assert response.status == 200 and response.data.startswith(starts_with)


def test_the_comparison_report_of_a_calculation(portal, calc):
    _, client, _ = portal
    comparison = client.get(f"/api/calculations/{calc['calc_id']}/comparison").json()
    latest = comparison["latest"]
    assert (latest["passed"], latest["failed"], latest["ours_only"]) == (22, 2, 1)
    assert comparison["report"]["calc_id"] == calc["calc_id"]


@pytest.fixture(scope="module")
def refunds(portal):
    _, client, _ = portal
    return client.get("/api/ieepa-refunds", params=IEEPA_ENTRIES).json()


def refund_file(portal, file):
    _, client, _ = portal
    response = client.get(f"/api/ieepa-refunds/{file}", params=IEEPA_ENTRIES)
    assert response.status_code == 200
    return response


def test_the_refund_report_lists_the_sample_entries_that_paid_ieepa(refunds):
    invoices = [entry["invoice_number"] for entry in refunds["entries"]]
    assert invoices == ["SFW-2508-0147", "NSW-2509-0291", "NSW-2510-0388", "VBM-251183"]
    programs = refunds["duty_by_program"]
    assert set(programs) == {"IEEPA-FENTANYL", "IEEPA-RECIPROCAL"}
    assert sum(Decimal(duty) for duty in programs.values()) == Decimal(refunds["duty_usd"])
    assert sum(Decimal(entry["duty_usd"]) for entry in refunds["entries"]) == Decimal(
        refunds["duty_usd"]
    )
    first_layer = refunds["entries"][0]["lines"][0]
    assert isinstance(first_layer["duty_usd"], str) and first_layer["code"].startswith("9903.01.")


@pytest.fixture(scope="module")
def refund_csv(portal):
    return refund_file(portal, "csv")


def test_the_refund_csv_rows_add_up_to_the_reports_totals(refund_csv, refunds):
    name = "ieepa-refunds-2025-09-18-2026-01-08.csv"
    assert refund_csv.headers["content-disposition"] == f'attachment; filename="{name}"'
    rows = list(csv.DictReader(io.StringIO(refund_csv.text)))
    assert sum(Decimal(row["IEEPA Duty USD (block 34)"]) for row in rows) == Decimal(
        refunds["duty_usd"]
    )
    assert sum(Decimal(row["Entered Value USD (block 32)"]) for row in rows) == Decimal(
        refunds["entered_value_usd"]
    )


def test_the_portal_and_the_cli_write_the_same_refund_file(portal, refund_csv):
    context, _, _ = portal
    from_audit = ieepa_refunds(context, date(2025, 9, 18), date(2026, 1, 8))
    assert refund_csv.text == to_csv(from_audit)


def test_the_refund_totals_csv_ends_with_the_grand_total(portal, refunds):
    response = refund_file(portal, "totals.csv")
    assert response.headers["content-disposition"].endswith('-2026-01-08-totals.csv"')
    *entries, grand = list(csv.reader(io.StringIO(response.text)))[1:]
    assert [row[2] for row in entries] == [e["invoice_number"] for e in refunds["entries"]]
    assert (grand[0], Decimal(grand[-1])) == (GRAND_TOTAL, Decimal(refunds["duty_usd"]))


def test_the_refund_workbook_opens_and_holds_every_line_and_the_totals(portal, refunds):
    response = refund_file(portal, "xlsx")
    assert response.headers["content-disposition"].endswith('-2026-01-08.xlsx"')
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    lines, totals = book[LINES_SHEET], book[TOTALS_SHEET]
    component_lines = {
        (entry["invoice_number"], layer["line_number"], layer["component"])
        for entry in refunds["entries"]
        for layer in entry["lines"]
    }
    assert lines.max_row == 1 + len(component_lines)
    grand = totals.cell(row=totals.max_row, column=7).value
    assert Decimal(str(grand)) == Decimal(refunds["duty_usd"])


@pytest.mark.parametrize("path", ["/api/ieepa-refunds", "/api/ieepa-refunds/csv"])
def test_a_refund_range_without_an_end_is_a_400_problem(portal, path):
    _, client, _ = portal
    response = client.get(path, params={"entry_from": "2025-09-18"})
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"
    assert "entry_to" in response.json()["detail"]


def test_a_refund_range_longer_than_customs_lines_allow_is_a_400(portal):
    _, client, _ = portal
    response = client.get(
        "/api/ieepa-refunds", params={"entry_from": "2025-01-01", "entry_to": "2026-01-08"}
    )
    assert response.status_code == 400 and "1 to 366 days" in response.json()["detail"]


def test_a_viewer_may_read_the_refund_report_and_its_files(portal):
    _, client, issuer = portal
    viewer = bearer(issuer, "viewer")
    one_day = {"entry_from": "2025-09-18", "entry_to": "2025-09-18"}
    report = client.get("/api/ieepa-refunds", params=one_day, headers=viewer)
    assert report.status_code == 200 and report.json()["entry_count"] == 1
    workbook = client.get("/api/ieepa-refunds/xlsx", params=one_day, headers=viewer)
    assert workbook.status_code == 200 and workbook.content.startswith(b"PK")


def test_the_refunds_page_shows_the_report_and_links_the_api_files(portal):
    _, client, _ = portal
    page = client.get("/refunds", params={"entry_from": "2025-09-18", "entry_to": "2025-09-25"})
    assert page.status_code == 200
    assert "SFW-2508-0147" in page.text and "NSW-2509-0291" in page.text
    assert "9903.01.24" in page.text  # fentanyl's Chapter 99 number
    dates = "entry_from=2025-09-18&amp;entry_to=2025-09-25"
    links = [
        f'href="/web/api/ieepa-refunds/{file}?{dates}"' for file in ("csv", "totals.csv", "xlsx")
    ]
    assert all(link in page.text for link in links)
    totals = client.get(
        "/web/api/ieepa-refunds/totals.csv",
        params={"entry_from": "2025-09-18", "entry_to": "2025-09-25"},
    )
    grand = list(csv.reader(io.StringIO(totals.text)))[-1]
    assert f"<strong>{Decimal(grand[-1]):,.2f}</strong>" in page.text
    half = client.get("/refunds", params={"entry_from": "2025-09-18"})
    assert "choose both entry dates" in half.text


def test_extracts_with_counts_quality_findings_and_rejection_reports(portal):
    _, client, _ = portal
    extracts = client.get("/api/extracts", params={"limit": 100}).json()["items"]
    with_quality = next(e for e in extracts if e.get("quality_report_uri"))
    quality = client.get(f"/api/extracts/{with_quality['extract_key']}/quality")
    assert quality.status_code == 200 and quality.json()
    rejected = next(e for e in extracts if e["status"] == "rejected")
    report = client.get(f"/api/extracts/{rejected['extract_key']}/rejections")
    assert report.status_code == 200 and report.json()
    only = client.get("/api/extracts", params={"feed": "ZEMM004"}).json()["items"]
    assert only and {e["feed"] for e in only} == {"ZEMM004"}


def test_the_extract_page_lists_per_material_what_makes_its_duty_wrong(portal):
    _, client, _ = portal
    page = client.get("/quality/ZEMM004-20261122-0001")
    assert page.status_code == 200
    per_material = page.text.split('<table class="data per-material">')[1].split("</table>")[0]
    # Both materials have an error: they come by number, each with its findings and records.
    assert per_material.index("000000000010007010") < per_material.index("000000000010009001")
    assert "rattan side table (not weighed yet)" in per_material
    assert '<span class="risk">missing weight</span>' in per_material
    assert "(record 24)" in per_material and "(record 23)" in per_material


def test_extracts_come_in_pages(portal):
    _, client, _ = portal
    every = client.get("/api/extracts", params={"limit": 100}).json()["items"]
    first = client.get("/api/extracts", params={"limit": 2}).json()
    rest = client.get("/api/extracts", params={"limit": 100, "cursor": first["next_cursor"]})
    keys = [e["extract_key"] for e in first["items"] + rest.json()["items"]]
    assert keys == [e["extract_key"] for e in every]


def test_alerts_and_feeds(portal):
    _, client, _ = portal
    [alert] = client.get("/api/alerts").json()["items"][:1]
    assert alert["service"] and alert["title"]
    assert {"ZEMM004", "ZEMM005"} <= {feed["feed"] for feed in client.get("/api/feeds").json()}


def test_audit_lookup_by_calc_id_po_and_file(portal, calc):
    _, client, _ = portal
    [by_calc] = client.get("/api/audit", params={"calc_id": calc["calc_id"]}).json()
    assert by_calc["record_uri"].startswith("s3://ior-audit/")
    [by_po] = client.get("/api/audit", params={"po": calc["po_numbers"][0]}).json()
    assert by_po["calc_id"] == calc["calc_id"]
    [by_file] = client.get("/api/audit", params={"file": by_calc["file_names"][0]}).json()
    assert by_file["calc_id"] == calc["calc_id"]
    assert client.get("/api/audit").status_code == 400


def test_dlq_list_and_peek(portal):
    _, client, _ = portal
    dlqs = client.get("/api/dlq").json()
    assert {d["service"] for d in dlqs} >= {"ingestion", "portal"}
    assert client.get("/api/dlq/portal/messages").json() == []
    assert client.get("/api/dlq/nobody/messages").status_code == 404


def test_an_upload_of_an_unknown_feed_or_type_is_refused(portal):
    _, client, _ = portal
    files = {"file": ("x.csv", b"a\n1\n", "text/csv")}
    assert client.post("/api/uploads/NOPE", files=files).status_code == 422
    files = {"file": ("../x.json", b"{}", "application/json")}
    assert client.post("/api/uploads/ZSDR010", files=files).status_code == 422


def test_rerunning_a_comparison_publishes_one_request_event(portal, calc):
    context, client, _ = portal
    before = client.get("/api/status").json()["last_comparison"]["at"]
    response = client.post(f"/api/calculations/{calc['calc_id']}/comparison/runs")
    assert response.status_code == 202
    queue = context.names.queue_url(QUEUE_COMPARISON)
    messages = context.clients.sqs.receive_message(
        QueueUrl=queue, MaxNumberOfMessages=10, VisibilityTimeout=0, WaitTimeSeconds=1
    ).get("Messages", [])
    [message] = messages
    envelope = json.loads(message["Body"])
    assert envelope["type"] == COMPARISON_REQUESTED
    assert envelope["data"]["calc_id"] == calc["calc_id"]
    settle(context)  # the comparison service runs it and dead-letters nothing
    dlq = context.names.queue_url(service_queues("comparison").dlq)
    attributes = context.clients.sqs.get_queue_attributes(
        QueueUrl=dlq, AttributeNames=["ApproximateNumberOfMessages"]
    )
    assert attributes["Attributes"]["ApproximateNumberOfMessages"] == "0"
    again = client.get("/api/status").json()["last_comparison"]
    assert again["calc_id"] == calc["calc_id"] and again["at"] > before  # it ran again


def test_an_upload_is_followed_to_its_accepted_extract(portal):
    context, client, _ = portal
    header, *rows = CUSTOMERS_CSV.read_bytes().splitlines(keepends=True)
    reordered = header + b"".join(reversed(rows))  # the same table, new bytes
    files = {"file": ("customers-reordered.csv", reordered, "text/csv")}
    landed = client.post("/api/uploads/ZSDR010", files=files)
    assert landed.status_code == 202
    assert landed.json()["uri"] == "s3://ior-raw/upload/ZSDR010/customers-reordered.csv"
    settle(context)
    [extract] = client.get(landed.json()["follow"]).json()["items"]
    assert extract["status"] == "accepted" and extract["accepted_count"] == 12
