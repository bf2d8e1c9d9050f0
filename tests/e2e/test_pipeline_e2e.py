"""The sample batch through all five services, each a separate worker process, on LocalStack."""

from __future__ import annotations

import json

import pytest

from contracts.topology import COMPARISON_COMPLETED, CUSTOMS_LINES_GENERATED, TOPOLOGY
from entrypoints.process import DAILY_FEEDS
from entrypoints.reports import audit_lookup
from services.runtime.aws.blobs import split_uri
from services.runtime.aws.queues import wait_until_idle
from services.runtime.context import RuntimeContext
from tests.conftest import wait_for
from tests.e2e.extracts import sample_files
from tests.e2e.observe import Watch, depth, of_type, put
from tests.e2e.workers import Workers

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(900)]
SERVICES = tuple(service.name for service in TOPOLOGY.services)
QUEUES = [service.queue for service in TOPOLOGY.services]


def test_sample_batch_through_five_worker_processes(context: RuntimeContext, workers: Workers):
    files = sample_files()
    daily = {name for name in files if name.split("-")[0] in DAILY_FEEDS}
    for service in SERVICES:
        workers.start(service)
    with Watch(context) as watch:
        for name, (key, body) in files.items():
            if name not in daily:
                put(context, key, body)
        assert wait_until_idle(context.clients, context.names, QUEUES, timeout=120)
        for name in daily:
            put(context, *files[name])
        [comparison] = wait_for(
            lambda: (watch.collect() and of_type(watch.events, COMPARISON_COMPLETED)) or None, 120
        )
        assert wait_until_idle(context.clients, context.names, QUEUES, timeout=120)
        watch.collect()

    data = comparison.data
    assert (data["passed"], data["failed"], data["ours_only"], data["theirs_only"]) == (22, 2, 1, 0)
    [generated] = of_type(watch.events, CUSTOMS_LINES_GENERATED)
    lines = context.blobs.get(*split_uri(generated.data["lines"]["uri"])).splitlines()
    assert len(lines) == generated.data["line_count"] == 25
    assert context.blobs.get(*split_uri(generated.data["workbook"]["uri"])).startswith(b"PK")
    [audited] = wait_for(lambda: audit_lookup(context, calc_id=generated.data["calc_id"]), 60)
    assert json.loads(json.dumps(audited, default=str))["record"]["line_count"] == 25
    for queue in TOPOLOGY.queues:
        assert depth(context, queue.dlq_name) == 0, queue.dlq_name
