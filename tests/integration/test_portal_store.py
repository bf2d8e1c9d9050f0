"""The read-model store: changes are idempotent and commute, so arrival order does not matter
(the property that makes a rebuild from the audit bucket equal the live model)."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from contracts.datasets import CustomsLineV1
from contracts.envelope import new_envelope
from contracts.events import CustomsLinesGeneratedV1, CustomsTotalsV1, ObjectRef
from contracts.topology import TABLE_PORTAL_LINES, TABLE_PORTAL_VIEWS
from services.portal import projection
from services.portal.codec import from_dynamo
from services.portal.queries import LineFilter, PortalQueries
from services.portal.store import ReadModelStore

pytestmark = pytest.mark.integration
OLD, NEW = "CALC-20261122-010000-AAAA", "CALC-20261122-020000-BBBB"
SHA = "a" * 64


def ref(key):
    return ObjectRef(uri=f"s3://ior-processed/{key}", sha256=SHA, row_count=1)


def line(calc_id, invoice):
    zero = Decimal(0)
    return CustomsLineV1(
        calc_id=calc_id, invoice_number=invoice, po_number="PO-1", line_number=10,
        component="FULL", material="M1", description="chair", hts_code="9401.71.0011",
        country_of_origin="VN", manufacturer_id=None, melt_pour_country=None,
        smelt_country=None, cast_country=None, quantity=Decimal(1), unit="EA",
        net_weight_kg=Decimal(1), entered_value_usd=Decimal(10), chapter99_codes=(),
        duty_layers=(), duty_usd=zero, mpf_usd=zero, hmf_usd=zero, customer_id=None,
        customer_match_score=None, entry_date=date(2026, 11, 22), port_of_entry="1001",
    )  # fmt: skip


def calculation(calc_id, invoices, *, supersedes=None, superseded_by=None):
    data = CustomsLinesGeneratedV1(
        calc_id=calc_id, lines=ref("customs-lines/x.jsonl"), workbook=ref("workbooks/x.xlsx"),
        calculation=ref("customs-lines/x.json"), invoice_numbers=invoices,
        po_numbers=("PO-1",), line_count=2, exception_count=0, packaging_count=0,
        totals=CustomsTotalsV1(entered_value_usd=20, duty_usd=0, mpf_usd=0, hmf_usd=0),
        supersedes=supersedes or {}, superseded_by=superseded_by or {},
    )  # fmt: skip
    envelope = new_envelope(
        data, source="ior.customs_generation", subject=calc_id, correlationid="c",
        cause=calc_id, time=datetime(2026, 11, 22, tzinfo=UTC),
    )  # fmt: skip
    lines = [line(calc_id, invoice) for invoice in invoices]
    return projection.calculation(envelope, data, lines)


OLD_CHANGES = calculation(OLD, ("INV-1", "INV-2"))
# INV-1 changed: a new calculation of it is current; INV-2 stays with the old one.
NEW_CHANGES = calculation(NEW, ("INV-1",), supersedes={"INV-1": OLD})


def snapshot(context):
    tables = {}
    for name in (TABLE_PORTAL_VIEWS, TABLE_PORTAL_LINES):
        pages = context.clients.dynamodb.get_paginator("scan").paginate(TableName=name)
        tables[name] = sorted((from_dynamo(i) for p in pages for i in p["Items"]), key=repr)
    return tables


@pytest.mark.parametrize(
    "order",
    [
        (OLD_CHANGES, NEW_CHANGES),
        (NEW_CHANGES, OLD_CHANGES),
        (OLD_CHANGES, NEW_CHANGES, OLD_CHANGES),
    ],
    ids=["in order", "replacement first", "old one redelivered"],
)
def test_the_current_lines_do_not_depend_on_arrival_order(context, order):
    store = ReadModelStore(context.clients.dynamodb)
    for changes in order:
        store.apply(changes)
    lines = snapshot(context)[TABLE_PORTAL_LINES]
    assert {(row["invoice_number"], row["calc_id"]) for row in lines} == {
        ("INV-1", NEW),
        ("INV-2", OLD),
    }
    queries = PortalQueries(context.clients.dynamodb)
    assert queries.calculation(OLD)["state"] == "current"  # still current for INV-2
    assert queries.calculation(OLD)["superseded_invoices"] == ["INV-1"]


def test_applying_the_same_changes_twice_changes_nothing(context):
    store = ReadModelStore(context.clients.dynamodb)
    store.apply(OLD_CHANGES)
    store.apply(NEW_CHANGES)
    once = snapshot(context)
    store.apply(NEW_CHANGES)
    assert snapshot(context) == once


def test_a_date_range_reads_only_the_days_that_have_lines(context):
    ReadModelStore(context.clients.dynamodb).apply(OLD_CHANGES)
    db = context.clients.dynamodb
    queried: list[str] = []
    db.meta.events.register("before-call.dynamodb.Query", lambda **_: queried.append("q"))
    a_year = LineFilter(entry_from=date(2026, 1, 1), entry_to=date(2026, 12, 31))
    page = PortalQueries(db).customs_lines(a_year)
    assert {row["invoice_number"] for row in page.items} == {"INV-1", "INV-2"}
    assert len(queried) == 1  # 2026-11-22, not 365 days
