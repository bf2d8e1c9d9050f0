"""A worker SIGKILLed in the middle of a message, on LocalStack: its claim is a lease that only its
heartbeat kept alive, so once the lease lapses another worker takes the message over and completes
it, without the receives spent meeting the dead worker's lease counting towards the DLQ.
(With a claim held for IOR_INPROGRESS_EXPIRY_SECONDS, 900 s, every receive met the dead claim and
the message was dead-lettered "retries-exhausted".)"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest

from contracts.topology import EXTRACT_ACCEPTED, QUEUE_INGESTION, TABLE_IDEMPOTENCY, TOPOLOGY
from services.runtime.context import RuntimeContext
from tests.conftest import wait_for
from tests.e2e.extracts import customer, customers_extract, customers_key
from tests.e2e.observe import Watch, depth, distinct, of_type, put
from tests.e2e.workers import WORKER_ENV, Endpoints, WorkerProcess, Workers
from tests.loopback_proxy import LoopbackProxy

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(900)]

LEASE_SECONDS = 4
HEARTBEAT_SECONDS = int(WORKER_ENV["IOR_VISIBILITY_HEARTBEAT_SECONDS"])
# The workers reach S3 at this rate, so that writing the accepted records of the extract
# (~300 KB) takes seconds on any machine, and the kill lands mid-message, after a heartbeat renewed
# the lease (before it, the message is hidden for the queue's visibility timeout, which the
# heartbeat shortens to a few beats). On a fast machine, ingesting even 20,000 customers at full
# speed took less than one heartbeat, and the lease was never renewed.
S3_BYTES_PER_SECOND = 64 * 1024
CUSTOMERS = 2_000
# After the kill the message is visible again within 3 heartbeats (the visibility the heartbeat
# sets), the lease lapses within LEASE_SECONDS of the last renewal, a deferred copy waits at most
# one heartbeat, and the second worker reads the file at the slow rate (~4 s) before it can claim
# it; the rest is long-poll slack on a busy machine.
TAKEOVER_BOUND_SECONDS = LEASE_SECONDS + 4 * HEARTBEAT_SECONDS + 15
INGESTION_DLQ = TOPOLOGY.queue(QUEUE_INGESTION).dlq_name


@pytest.fixture
def slow_s3(endpoints: Endpoints) -> Iterator[str]:
    """An S3 endpoint for the workers, in front of LocalStack's, at `S3_BYTES_PER_SECOND`."""
    aws = urlsplit(endpoints.aws)
    proxy = LoopbackProxy(aws.hostname or "127.0.0.1", aws.port or 80, S3_BYTES_PER_SECOND)
    proxy.start()
    yield proxy.url
    proxy.stop()


def log(worker: WorkerProcess) -> str:
    return worker.log_path.read_text() if worker.log_path.exists() else ""


def claim(context: RuntimeContext, key: str) -> dict[str, str]:
    """The idempotency record of `key` (status, owner, in_progress_expiry), or {}."""
    item = context.clients.dynamodb.get_item(
        TableName=TABLE_IDEMPOTENCY, Key={"key": {"S": key}}, ConsistentRead=True
    ).get("Item", {})
    return {name: value.get("S") or value["N"] for name, value in item.items()}


def renewed(context: RuntimeContext, key: str, first: dict[str, str]) -> dict[str, str] | None:
    """The claim once a heartbeat has renewed it (and so set the message's visibility to a few
    heartbeats); None before."""
    now = claim(context, key)
    later = int(now.get("in_progress_expiry", 0)) > int(first["in_progress_expiry"])
    return now if now.get("owner") == first["owner"] and later else None


def test_worker_killed_mid_message_is_completed_by_another_once_its_lease_lapses(
    context: RuntimeContext, workers: Workers, slow_s3: str
):
    lease = {
        "IOR_CLAIM_LEASE_SECONDS": str(LEASE_SECONDS),
        "IOR_WORKER_CONCURRENCY": "1",
        "AWS_ENDPOINT_URL_S3": slow_s3,
    }
    body = customers_extract([customer(f"{n:010d}") for n in range(CUSTOMERS)], 900)
    key = f"ingestion:ZSDR010:sha256:{hashlib.sha256(body).hexdigest()}"
    with Watch(context) as watch:
        pair = [workers.start("ingestion", **lease) for _ in range(2)]
        for worker in pair:
            wait_for(lambda w=worker: "worker.started" in log(w), 120, interval=0.05)
        source = put(context, customers_key(900), body)
        first_claim = wait_for(
            lambda: claim(context, key).get("status") == "IN_PROGRESS" and claim(context, key),
            60,
            interval=0.02,
        )
        dead_claim = wait_for(lambda: renewed(context, key, first_claim), 30, interval=0.05)
        [first] = [worker for worker in pair if key in log(worker)]
        [second] = [worker for worker in pair if worker is not first]
        first.kill()
        killed_at = time.monotonic()
        assert claim(context, key) == dead_claim, "the kill did not land mid-message"
        assert "work.completed" not in log(first), first.log_tail()

        taken_over = wait_for(
            lambda: claim(context, key).get("owner") != dead_claim["owner"],
            TAKEOVER_BOUND_SECONDS,
            interval=0.05,
        )
        taken_over_after = time.monotonic() - killed_at
        wait_for(lambda: claim(context, key).get("status") == "COMPLETED", 120, interval=0.1)
        completed_after = time.monotonic() - killed_at
        events = watch.outcomes({source})[source]

    print(
        f"lease {LEASE_SECONDS} s: taken over {taken_over_after:.1f} s and completed "
        f"{completed_after:.1f} s after the kill; accepted events published: "
        f"{len(of_type(events, EXTRACT_ACCEPTED))}, dead letters: {depth(context, INGESTION_DLQ)}"
    )
    assert taken_over
    [accepted] = distinct(of_type(events, EXTRACT_ACCEPTED))
    assert accepted.data["records"]["row_count"] == CUSTOMERS
    assert depth(context, INGESTION_DLQ) == 0, "dead-lettered"
    assert "work.completed" in log(second), second.log_tail()
    assert second.alive, second.log_tail()
