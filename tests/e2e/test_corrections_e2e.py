"""A corrected ZEMM004 re-sent while the five services run as worker processes on LocalStack:
exactly one current calculation per invoice remains, and the superseded one is still readable in
the audit bucket (DOMAIN.md §3.8)."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from contracts.topology import CUSTOMS_LINES_GENERATED, TABLE_INVOICE_CALCULATIONS, TOPOLOGY
from entrypoints.process import DAILY_FEEDS
from entrypoints.reports import audit_lookup
from services.runtime.aws.blobs import split_uri
from services.runtime.aws.queues import wait_until_idle
from services.runtime.context import RuntimeContext
from tests.conftest import wait_for
from tests.e2e.extracts import SAMPLES, sample_files
from tests.e2e.observe import Watch, depth, of_type, put
from tests.e2e.workers import Workers

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(900)]
SERVICES = tuple(service.name for service in TOPOLOGY.services)
QUEUES = [service.queue for service in TOPOLOGY.services]
CORRECTED = ("NSW-2606-0512", 10)


def corrected_extract() -> tuple[str, bytes]:
    """SAP sends one line again, corrected, in a later extract."""
    original = json.loads((SAMPLES / "batch" / "ZEMM004-20261122-0001.json").read_text())
    [line] = [
        r for r in original["records"] if (r["invoice_number"], r["line_number"]) == CORRECTED
    ]
    document = {
        **original,
        "extract_id": "ZEMM004-20261122-0002",
        "extracted_at": "2026-11-22T09:00:00Z",
        "record_count": 1,
        "records": [{**line, "quantity": 14}],
    }
    return "sap/ZEMM004/2026/11/22/ZEMM004-20261122-0002.json", json.dumps(document).encode()


def test_a_corrected_invoice_leaves_one_current_calculation_per_invoice(
    context: RuntimeContext, workers: Workers
):
    files = sample_files()
    for service in SERVICES:
        workers.start(service)
    with Watch(context) as watch:
        for wave in (
            [f for name, f in files.items() if name.split("-")[0] not in DAILY_FEEDS],
            [files["ZEMM004-20261122-0001.json"]],
            [corrected_extract()],
        ):
            for key, body in wave:
                put(context, key, body)
            assert wait_until_idle(context.clients, context.names, QUEUES, timeout=180)
        first, second = wait_for(
            lambda: (
                (
                    watch.collect()
                    and len(of_type(watch.events, CUSTOMS_LINES_GENERATED)) == 2
                    and of_type(watch.events, CUSTOMS_LINES_GENERATED)
                )
                or None
            ),
            120,
        )
    invoice = CORRECTED[0]
    assert second.data["supersedes"] == {invoice: first.data["calc_id"]}
    pointers = context.clients.dynamodb.scan(TableName=TABLE_INVOICE_CALCULATIONS)["Items"]
    current = {item["invoice_number"]["S"]: item["calc_id"]["S"] for item in pointers}
    assert len(pointers) == len(current) == len(first.data["invoice_numbers"])
    assert current[invoice] == second.data["calc_id"]
    assert {calc for inv, calc in current.items() if inv != invoice} == {first.data["calc_id"]}

    lines = context.blobs.get(*split_uri(second.data["lines"]["uri"])).splitlines()
    [corrected] = [
        json.loads(line)
        for line in lines
        if (json.loads(line)["invoice_number"], json.loads(line)["line_number"]) == CORRECTED
    ]
    assert Decimal(corrected["quantity"]) == 14
    [old] = wait_for(lambda: audit_lookup(context, calc_id=first.data["calc_id"]) or None, 60)
    assert set(old["superseded_by"]) == {second.data["calc_id"]}
    assert old["record"]["calc_id"] == first.data["calc_id"]
    for queue in TOPOLOGY.queues:
        assert depth(context, queue.dlq_name) == 0, queue.dlq_name
