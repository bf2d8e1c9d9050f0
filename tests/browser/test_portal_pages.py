"""The portal's pages in a real browser, on the sample pipeline's data."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select

from services.portal.web.formats import money
from services.runtime.aws.blobs import split_uri
from tests.browser.pages import open_page, screenshot, sign_in, wait_for

pytestmark = pytest.mark.integration
CUSTOMERS_CSV = Path(__file__).resolve().parents[2] / "samples/uploads/ZSDR010/customers-manual.csv"
# What dropping a file on the zone does (Selenium cannot drag from the desktop): a drop event
# whose DataTransfer holds the file.
DROP_FILE = """
const [text, name] = arguments;
const transfer = new DataTransfer();
transfer.items.add(new File([text], name, {type: "text/csv"}));
const zone = document.getElementById("drop-zone");
zone.dispatchEvent(new DragEvent("dragover", {dataTransfer: transfer, bubbles: true}));
zone.dispatchEvent(new DragEvent("drop", {dataTransfer: transfer, bubbles: true}));
return document.getElementById("file").files[0].name;
"""
FORCE_REPLAY = """
const done = arguments[arguments.length - 1];
fetch("/web/api/dlq/comparison/replay", {method: "POST", headers: {
  "X-CSRF-Token": document.querySelector('meta[name="csrf-token"]').content,
  "Content-Type": "application/json"}, body: JSON.stringify({dry_run: false})})
  .then(r => done(r.status));
"""


@pytest.fixture(scope="module")
def calc_id(portal):
    [calc] = portal.context.clients.dynamodb.scan(
        TableName="ior-portal-views",
        FilterExpression="kind = :k",
        ExpressionAttributeValues={":k": {"S": "calculation"}},
    )["Items"]
    return calc["calc_id"]["S"]


def dataset_lines(portal, calc_id):
    s3 = portal.context.clients.s3
    bucket, key = split_uri(f"s3://ior-processed/customs-lines/{calc_id}/lines.jsonl")
    body = s3.get_object(Bucket=bucket, Key=key)["Body"].read().decode()
    return [json.loads(line) for line in body.splitlines() if line]


def test_an_operator_drops_a_csv_on_the_upload_page_and_sees_it_accepted(portal, browser, timings):
    changed = CUSTOMERS_CSV.read_text() + "0000100099,Browser Test Beds LLC,,US,Denver,true\n"
    sign_in(browser, portal, "operator")
    open_page(browser, portal, "/upload", timings, "upload")
    Select(browser.find_element(By.ID, "feed")).select_by_value("ZSDR010")
    dropped = browser.execute_script(DROP_FILE, changed, "customers-browser.csv")
    assert dropped == "customers-browser.csv"
    browser.find_element(By.ID, "send").click()
    result = wait_for(browser, "#upload-result", "accepted:")
    assert "13 records accepted, 0 rejected" in result.text
    screenshot(browser, "upload")


def test_customs_lines_for_a_date_range_show_their_total(portal, browser, timings, calc_id):
    in_april = [
        line for line in dataset_lines(portal, calc_id) if line["entry_date"].startswith("2026-04")
    ]
    expected = sum((Decimal(line["entered_value_usd"]) for line in in_april), Decimal(0))
    sign_in(browser, portal, "viewer")
    open_page(browser, portal, "/customs-lines", timings, "customs-lines-form")
    browser.find_element(By.ID, "entry_from").send_keys("04/01/2026")
    browser.find_element(By.ID, "entry_to").send_keys("04/30/2026")
    browser.find_element(By.CSS_SELECTOR, "form.filters button[type=submit]").click()
    assert wait_for(browser, "#total-value").text == money(expected)
    assert f"{len(in_april)} matching lines" in browser.find_element(By.ID, "matching").text
    rows = browser.find_elements(By.CSS_SELECTOR, "table.data tbody tr")
    assert len(rows) == len(in_april) > 0
    open_page(
        browser, portal, browser.current_url.removeprefix(portal.url), timings, "customs-lines"
    )
    screenshot(browser, "customs-lines")


def test_a_comparison_with_a_fail_shows_the_differing_field(portal, browser, timings, calc_id):
    sign_in(browser, portal, "operator")
    open_page(browser, portal, f"/calculations/{calc_id}/comparison", timings, "comparison")
    rows = [row.text for row in browser.find_elements(By.CSS_SELECTOR, "#failed-lines tr.fail")]
    assert any("hts_code 9401614011 9403200080" in row for row in rows), rows
    assert any("duty_usd 457.84 451.9 -5.94" in row for row in rows), rows
    screenshot(browser, "comparison")
    browser.find_element(By.ID, "rerun").click()
    assert "Requested (event" in wait_for(browser, "form.api-action output", "Requested").text


def test_audit_lookup_by_po_finds_the_calculation(portal, browser, timings, calc_id):
    sign_in(browser, portal, "viewer")
    open_page(browser, portal, "/audit", timings, "audit-form")
    Select(browser.find_element(By.ID, "by")).select_by_value("po")
    browser.find_element(By.ID, "value").send_keys("4500018433")
    browser.find_element(By.CSS_SELECTOR, "form.filters button[type=submit]").click()
    assert "1 audit record for PO number 4500018433" in wait_for(browser, "#audit-count").text
    assert browser.find_element(By.LINK_TEXT, calc_id)
    assert "Object Lock COMPLIANCE" in browser.find_element(By.CSS_SELECTOR, "article").text
    screenshot(browser, "audit")


def test_an_admin_replays_a_dlq_after_a_dry_run(portal, browser, timings):
    sign_in(browser, portal, "admin")  # the portal fixture left a dead letter for comparison
    assert "dead letters" in browser.find_element(By.CSS_SELECTOR, ".freshness summary").text
    open_page(browser, portal, "/operations", timings, "operations")
    browser.find_element(By.CSS_SELECTOR, 'button.replay[data-service="comparison"]').click()
    assert "Dry run: 1 would move" in wait_for(browser, "#dlqs output", "Dry run").text
    assert wait_for(browser, "button.confirm").text == "Confirm: replay 1"
    screenshot(browser, "operations")


def test_an_operator_has_no_replay_button_and_is_refused_when_forcing_it(portal, browser):
    sign_in(browser, portal, "operator")
    browser.get(f"{portal.url}/operations")
    wait_for(browser, "#dlqs")
    assert browser.find_element(By.LINK_TEXT, "Peek")  # a DLQ holds a message to replay
    assert not browser.find_elements(By.CSS_SELECTOR, "button.replay")
    assert browser.execute_async_script(FORCE_REPLAY) == 403


@pytest.mark.parametrize(
    ("name", "path", "heading"),
    [
        ("today", "/", "Today"),
        ("calculation", "/calculations/{calc_id}", "Calculation"),
        ("quality", "/quality", "Data quality"),
        ("extract", "/quality/ZEMM004-20261122-0001", "Extract ZEMM004"),
        ("customs-lines-by-po", "/customs-lines?po=4500018433", "Customs lines"),
        ("refunds", "/refunds?entry_from=2025-09-01&entry_to=2025-09-30", "IEEPA refunds"),
    ],
)
def test_every_page_renders_with_the_header(portal, browser, timings, calc_id, name, path, heading):
    sign_in(browser, portal, "viewer")
    open_page(browser, portal, path.format(calc_id=calc_id), timings, name)
    assert browser.find_element(By.TAG_NAME, "h1").text.startswith(heading)
    assert browser.find_element(By.CSS_SELECTOR, ".who .role").text == "(viewer)"
    assert "Last SAP sync" in browser.find_element(By.CSS_SELECTOR, ".freshness summary").text
    screenshot(browser, name)


def test_the_badge_opens_from_the_keyboard_and_sign_out_ends_the_session(portal, browser):
    sign_in(browser, portal, "viewer")
    badge = browser.find_element(By.CSS_SELECTOR, ".freshness summary")
    badge.send_keys(Keys.ENTER)
    panel = wait_for(browser, ".freshness .panel")
    assert "ZEMM004 daily" in panel.text and "comparison 1" in panel.text
    browser.find_element(By.ID, "sign-out").click()
    wait_for(browser, "main h1", "Signed out")
    browser.get(f"{portal.url}/customs-lines")
    assert "/dev-issuer/authorize" in browser.current_url
