"""Ingestion end to end on LocalStack: files land in S3, the bucket notifies SQS, a separate
`ior worker ingestion` process ingests them and publishes on SNS, dead letters go to the DLQ."""

from __future__ import annotations

import pytest

from contracts.envelope import new_envelope
from contracts.events import AlertRaisedV1, Severity
from contracts.topology import (
    BUCKET_PROCESSED,
    EXTRACT_ACCEPTED,
    EXTRACT_REJECTED,
    QUEUE_AUDIT,
    QUEUE_INGESTION,
    TOPIC_ALERTS,
    TOPOLOGY,
)
from services.runtime.context import RuntimeContext
from services.runtime.messaging.publisher import message_attributes
from tests.conftest import wait_for
from tests.e2e.extracts import (
    BATCH,
    UPLOADS,
    customer,
    customers_extract,
    customers_key,
    raw_uri,
    s3_notification,
    sample_files,
)
from tests.e2e.observe import (
    SETTLE_SECONDS,
    Watch,
    dead_letters,
    depth,
    distinct,
    idempotency_records,
    keys,
    of_type,
    put,
    reason,
)
from tests.e2e.workers import Workers

# The first test of a session may install LocalStack (see conftest), hence the generous timeout.
pytestmark = [pytest.mark.e2e, pytest.mark.timeout(900)]

INGESTION_DLQ = TOPOLOGY.queue(QUEUE_INGESTION).dlq_name
AUDIT_DLQ = TOPOLOGY.queue(QUEUE_AUDIT).dlq_name

# samples/README.md: rows accepted and record indexes rejected per file; None: rejected whole.
SAMPLE_OUTCOMES: dict[str, tuple[int | None, set[int]]] = {
    "ZFMIOR002-20261122-0001.json": (17, {16, 17}),
    "ZEMM005-20261122-0001.json": (15, {12, 13}),
    "ZFMIOR003-20261122-0001.json": (10, set()),
    "ZEMM007-20261122-0001.json": (19, set()),
    "ZEMM006-20261122-0001.json": (3, set()),
    "ZEMM006-20261122-0002.json": (None, set()),
    "ZSDR010-20261122-0001.json": (11, set()),
    "ZEMM004-20261122-0001.json": (23, {14, 18}),
    "ZSDR002-20261122-0001.json": (24, set()),
    "customers-manual.csv": (12, set()),
    "packaging-manual.xlsx": (4, set()),
}
WHOLE_REJECT = "ZEMM006-20261122-0002.json"


# --- the sample batch --------------------------------------------------------------------------


def test_sample_batch_pushed_and_uploaded_gives_the_documented_outcomes(context, workers, cli):
    files = sample_files()
    with Watch(context) as watch:
        worker = workers.start("ingestion")
        cli("push", *(str(path) for path in BATCH))
        for path in UPLOADS:
            cli("upload", path.parent.name, str(path))
        by_source = watch.outcomes({raw_uri(key) for key, _ in files.values()})

    for name, (rows, rejected_records) in SAMPLE_OUTCOMES.items():
        events = by_source[raw_uri(files[name][0])]
        accepted = of_type(events, EXTRACT_ACCEPTED)
        rejected = of_type(events, EXTRACT_REJECTED)
        if rows is None:
            assert accepted == [], name
            [whole] = rejected
            assert whole.data["whole_file"] and "record_count" in whole.data["reason"], name
            continue
        [event] = accepted
        assert event.data["records"]["row_count"] == rows, name
        assert event.data["rejected_count"] == len(rejected_records), name
        found = {f["record_index"] for r in rejected for f in r.data["findings"]}
        assert found == rejected_records, name
    assert worker.alive, worker.log_tail()
    assert len(accepted_record_files(context)) == 10
    assert depth(context, INGESTION_DLQ) == 0


def accepted_record_files(context: RuntimeContext) -> list[str]:
    """One per accepted extract; the rejected records of an extract lie beside them."""
    extracts = keys(context, BUCKET_PROCESSED, "extracts/")
    return [key for key in extracts if not key.endswith(".rejected.jsonl")]


# --- crash, duplicates ---------------------------------------------------------------------------


def test_worker_killed_mid_batch_and_restarted_loses_and_duplicates_nothing(
    context: RuntimeContext, workers: Workers
):
    # A killed worker's messages come back after the queue's visibility timeout, and its claims
    # leases lapse after IOR_CLAIM_LEASE_SECONDS: both short here, so the test takes seconds.
    context.clients.sqs.set_queue_attributes(
        QueueUrl=context.names.queue_url(QUEUE_INGESTION), Attributes={"VisibilityTimeout": "4"}
    )
    crash_env = {"IOR_CLAIM_LEASE_SECONDS": "2", "IOR_WORKER_CONCURRENCY": "2"}
    # Files whose outcome is an accepted extract (one per file); the quarantined file's
    # redelivery has its own test below.
    landing = [(key, body) for name, (key, body) in sample_files().items() if name != WHOLE_REJECT]
    files = {raw_uri(key) for key, _ in landing}
    with Watch(context) as watch:
        first = workers.start("ingestion", **crash_env)
        for key, body in landing:
            put(context, key, body)
        for number in range(100, 130):
            body = customers_extract([customer(f"{number:010d}")], number)
            files.add(put(context, customers_key(number), body))
        wait_for(lambda: len(idempotency_records(context)) >= 3, 60, interval=0.05)
        first.kill()
        done_at_kill = sum(
            item["status"]["S"] == "COMPLETED" for item in idempotency_records(context)
        )
        assert done_at_kill < len(files), "the worker finished before it was killed"
        second = workers.start("ingestion", **crash_env)
        by_source = watch.outcomes(files)

    assert set(by_source) == files, "nothing lost"
    for source, events in by_source.items():
        outcome = distinct(of_type(events, EXTRACT_ACCEPTED)) or distinct(events)
        assert len(outcome) == 1, f"{source}: {len(outcome)} distinct outcomes"
    assert len(accepted_record_files(context)) == len(files)
    assert {item["status"]["S"] for item in idempotency_records(context)} == {"COMPLETED"}
    assert depth(context, INGESTION_DLQ) == 0
    assert second.alive, second.log_tail()


def test_same_extract_pushed_twice_and_its_notification_delivered_twice_has_one_effect(
    context: RuntimeContext, workers: Workers
):
    body = customers_extract([customer()])
    copy_key = customers_key().replace(".json", "-copy.json")
    queue = context.names.queue_url(QUEUE_INGESTION)
    with Watch(context) as watch:
        workers.start("ingestion")
        first = put(context, customers_key(), body)
        put(context, customers_key(), body)
        copy = put(context, copy_key, body)
        for _ in range(2):
            context.clients.sqs.send_message(
                QueueUrl=queue, MessageBody=s3_notification(customers_key())
            )
        by_source = watch.outcomes({first, copy}, any_of=True)

    accepted = [e for events in by_source.values() for e in of_type(events, EXTRACT_ACCEPTED)]
    assert len(accepted) == 1, "whichever copy came first, the content is accepted once"
    assert len(keys(context, BUCKET_PROCESSED, "extracts/")) == 1
    assert len(idempotency_records(context)) == 1
    assert depth(context, INGESTION_DLQ) == 0


def test_notification_of_a_quarantined_file_delivered_twice_has_one_effect(
    context: RuntimeContext, workers: Workers
):
    key = customers_key(20)
    queue = context.names.queue_url(QUEUE_INGESTION)
    with Watch(context) as watch:
        workers.start("ingestion")
        uri = put(context, key, customers_extract([customer()], 20)[:-10])
        watch.settle({uri})
        context.clients.sqs.send_message(QueueUrl=queue, MessageBody=s3_notification(key))
        by_source = watch.outcomes({uri})

    assert len(of_type(by_source[uri], EXTRACT_REJECTED)) == 1
    assert depth(context, INGESTION_DLQ) == 0, "the second delivery is a duplicate, not an error"


# --- dead letters --------------------------------------------------------------------------------


def test_notification_of_a_missing_file_is_logged_and_not_dead_lettered(
    context: RuntimeContext, workers: Workers
):
    """Nothing is left to ingest (a re-push sends its own notification), so nothing to replay."""
    key = customers_key(7)
    context.clients.sqs.send_message(
        QueueUrl=context.names.queue_url(QUEUE_INGESTION), MessageBody=s3_notification(key)
    )
    worker = workers.start("ingestion")
    wait_for(lambda: '"file.gone"' in worker.log_tail(200), 60)
    assert raw_uri(key) in worker.log_tail(200)
    wait_for(lambda: depth(context, QUEUE_INGESTION) == 0, 60)
    assert depth(context, INGESTION_DLQ) == 0


@pytest.mark.parametrize(
    "body",
    [
        pytest.param("{not json", id="not-json"),
        pytest.param("[1, 2, 3]", id="json-array"),
        pytest.param('{"Records": [{"eventName": "ObjectCreated:Put"}]}', id="no-s3-member"),
        pytest.param(
            new_envelope(
                AlertRaisedV1(severity=Severity.INFO, service="t", title="t", detail="d"),
                source="ior.test",
                subject="s",
                correlationid="c-1",
                cause="v2",
            )
            .model_copy(update={"version": 2})
            .to_json(),
            id="event-envelope",
        ),
    ],
)
def test_malformed_notification_goes_to_the_ingestion_dlq_as_malformed_event(
    context: RuntimeContext, workers: Workers, body: str
):
    context.clients.sqs.send_message(
        QueueUrl=context.names.queue_url(QUEUE_INGESTION), MessageBody=body
    )
    worker = workers.start("ingestion")
    [message] = dead_letters(context, INGESTION_DLQ, 1)
    assert reason(message)["error_type"] == "malformed-event"
    assert message["Body"] == body
    assert worker.alive, worker.log_tail()


def test_unsupported_event_version_goes_to_the_consumers_dlq_with_its_reason(
    context: RuntimeContext, workers: Workers
):
    alert = new_envelope(
        AlertRaisedV1(severity=Severity.WARNING, service="t", title="from the future", detail="d"),
        source="ior.test",
        subject="s",
        correlationid="c-v2",
        cause="future",
    ).model_copy(update={"version": 2})
    attributes = message_attributes(alert)
    context.clients.sns.publish(
        TopicArn=context.names.topic_arn(TOPIC_ALERTS),
        Message=alert.to_json(),
        MessageAttributes=attributes,
    )
    workers.start("audit")
    [message] = dead_letters(context, AUDIT_DLQ, 1)
    why = reason(message)
    assert why["error_type"] == "unsupported-version"
    assert "v2 is not supported" in why["error_message"]
    assert why["version"] == "2" and why["correlationid"] == "c-v2"


def test_dead_letter_redriven_with_start_message_move_task_after_the_fix_is_processed_once(
    context: RuntimeContext, workers: Workers
):
    sqs = context.clients.sqs
    queue = context.names.queue_url(QUEUE_INGESTION)
    key = customers_key(8)
    # A notification the runtime dead-lettered while a dependency was down (retries exhausted).
    sqs.send_message(
        QueueUrl=context.names.queue_url(INGESTION_DLQ),
        MessageBody=s3_notification(key),
        MessageAttributes={
            "error_type": {"DataType": "String", "StringValue": "retries-exhausted"},
            "service": {"DataType": "String", "StringValue": "ingestion"},
        },
    )
    with Watch(context) as watch:
        # The file is there; its own notification is dropped, so that only the replayed
        # message can ingest it.
        uri = put(context, key, customers_extract([customer()], 8))
        wait_for(lambda: depth(context, QUEUE_INGESTION) == 1)
        sqs.purge_queue(QueueUrl=queue)

        dlq_arn = context.names.queue_arn(INGESTION_DLQ)
        sqs.start_message_move_task(
            SourceArn=dlq_arn, DestinationArn=context.names.queue_arn(QUEUE_INGESTION)
        )

        def move_task_finished() -> dict | None:
            # Most recent first; a finished task no longer has a TaskHandle.
            [latest] = sqs.list_message_move_tasks(SourceArn=dlq_arn, MaxResults=1)["Results"]
            return latest if latest["Status"] == "COMPLETED" else None

        finished = wait_for(move_task_finished, SETTLE_SECONDS)
        assert depth(context, INGESTION_DLQ) == 0
        workers.start("ingestion")
        by_source = watch.outcomes({uri})

    assert finished["ApproximateNumberOfMessagesMoved"] == 1
    assert len(of_type(by_source[uri], EXTRACT_ACCEPTED)) == 1
    assert len(idempotency_records(context)) == 1
    assert depth(context, INGESTION_DLQ) == 0
