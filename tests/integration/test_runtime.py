"""The runtime on the emulator: idempotency, DLQ reasons, versions, claim checks, Lambda."""

from collections.abc import Sequence

import pytest

from contracts.envelope import Envelope, new_envelope
from contracts.events import AlertRaisedV1, Severity
from contracts.topology import ALERT_RAISED, QUEUE_AUDIT, TOPOLOGY
from services.runtime.context import RuntimeContext
from services.runtime.errors import AlreadyInProgress, IdempotencyKeyMissing
from services.runtime.messaging.dead_letters import DeadLetters
from services.runtime.messaging.deferrals import Deferrals
from services.runtime.messaging.events import event_decoder
from services.runtime.messaging.idempotency import Claim, IdempotencyStore
from services.runtime.messaging.lambda_adapter import process_batch
from services.runtime.messaging.messages import ConsumedEvent, InboundMessage, ServiceApp
from services.runtime.messaging.processor import MessageProcessor, Outcome
from services.runtime.messaging.publisher import message_attributes
from services.runtime.operations.observer import EventObserver
from tests.conftest import wait_for

pytestmark = pytest.mark.integration


def alert_envelope(title: str = "t", **overrides: object) -> Envelope:
    data = AlertRaisedV1(severity=Severity.INFO, service="test", title=title, detail="d")
    env = new_envelope(data, source="ior.test", subject="s", correlationid="c", cause=title)
    return env.model_copy(update=overrides)


def message(envelope: Envelope, receive_count: int = 1, message_id: str = "m1") -> InboundMessage:
    attributes = {k: v["StringValue"] for k, v in message_attributes(envelope).items()}
    return InboundMessage(message_id, envelope.to_json(), attributes, receive_count)


class Recorder:
    """A handler that records what it saw and re-publishes one alert per event."""

    def __init__(self, fail_with: Exception | None = None) -> None:
        self.seen: list[ConsumedEvent] = []
        self.fail_with = fail_with

    def __call__(self, event: ConsumedEvent) -> Sequence[Envelope]:
        self.seen.append(event)
        if self.fail_with:
            raise self.fail_with
        return [alert_envelope(f"echo-{event.envelope.id}")]


def processor(context: RuntimeContext, handler: Recorder) -> MessageProcessor:
    app = ServiceApp("audit", event_decoder("audit", context.claim_checks), {ALERT_RAISED: handler})
    dlq = context.names.queue_url(TOPOLOGY.queue(QUEUE_AUDIT).dlq_name)
    return MessageProcessor(
        app,
        context.idempotency,
        context.publisher,
        DeadLetters(context.clients.sqs, dlq, "audit"),
        3,
        deferrals=Deferrals(
            context.clients.sqs,
            context.names.queue_url(QUEUE_AUDIT),
            recheck_seconds=5,
            transient_budget_seconds=60,
        ),
    )


def dlq_messages(context: RuntimeContext) -> list[dict]:
    url = context.names.queue_url(TOPOLOGY.queue(QUEUE_AUDIT).dlq_name)
    response = context.clients.sqs.receive_message(
        QueueUrl=url, MaxNumberOfMessages=10, MessageAttributeNames=["All"], WaitTimeSeconds=1
    )
    return response.get("Messages", [])


def test_redelivered_event_has_one_effect(context):
    handler = Recorder()
    with EventObserver(context.clients, context.names) as observer:
        proc = processor(context, handler)
        first = proc.process(message(alert_envelope(), message_id="a"))
        again = proc.process(message(alert_envelope(), message_id="b", receive_count=2))
        assert (first, again) == (Outcome.DONE, Outcome.DONE)
        assert len(handler.seen) == 1
        echoes = wait_for(lambda: observer.collect() or None)
        assert len(echoes) == 1


def test_unsupported_major_version_goes_to_dlq_with_reason(context):
    handler = Recorder()
    outcome = processor(context, handler).process(message(alert_envelope(version=2)))
    assert outcome is Outcome.DEAD_LETTERED
    assert handler.seen == []
    [dead] = dlq_messages(context)
    attributes = {k: v["StringValue"] for k, v in dead["MessageAttributes"].items()}
    assert attributes["error_type"] == "unsupported-version"
    assert attributes["service"] == "audit"
    assert "v2" in attributes["error_message"]
    assert attributes["failed_at"]
    assert attributes["type"] == ALERT_RAISED


def test_poison_body_goes_to_dlq_at_once(context):
    poison = InboundMessage("p", "this is not json", {}, 1)
    assert processor(context, Recorder()).process(poison) is Outcome.DEAD_LETTERED
    [dead] = dlq_messages(context)
    assert dead["Body"] == "this is not json"
    assert dead["MessageAttributes"]["error_type"]["StringValue"] == "malformed-event"


def test_transient_failure_is_retried_then_dead_lettered_with_its_last_error(context):
    handler = Recorder(fail_with=ConnectionError("network blip"))
    proc = processor(context, handler)
    outcomes = [proc.process(message(alert_envelope(), receive_count=n)) for n in (1, 2, 3)]
    assert outcomes == [Outcome.RETRY, Outcome.RETRY, Outcome.DEAD_LETTERED]
    [dead] = dlq_messages(context)
    assert dead["MessageAttributes"]["error_type"]["StringValue"] == "retries-exhausted"
    assert "network blip" in dead["MessageAttributes"]["error_message"]["StringValue"]


def test_error_from_the_data_goes_to_dlq_at_once_with_its_exception(context):
    proc = processor(context, Recorder(fail_with=KeyError("net_weight_kg")))
    assert proc.process(message(alert_envelope())) is Outcome.DEAD_LETTERED
    [dead] = dlq_messages(context)
    attributes = {k: v["StringValue"] for k, v in dead["MessageAttributes"].items()}
    assert attributes["error_type"] == "invalid-data"
    assert attributes["error_message"] == "KeyError: 'net_weight_kg'"


def test_failed_work_releases_its_claim_so_a_retry_runs(context):
    handler = Recorder(fail_with=ConnectionError("once"))
    proc = processor(context, handler)
    assert proc.process(message(alert_envelope())) is Outcome.RETRY
    handler.fail_with = None
    assert proc.process(message(alert_envelope(), receive_count=2)) is Outcome.DONE
    assert len(handler.seen) == 2


def test_lambda_adapter_reports_only_the_failed_items(context):
    handler = Recorder(fail_with=ConnectionError("down"))
    record = {
        "messageId": "x1",
        "body": alert_envelope().to_json(),
        "messageAttributes": {"type": {"stringValue": ALERT_RAISED, "dataType": "String"}},
        "attributes": {"ApproximateReceiveCount": "1"},
    }
    poison = {**record, "messageId": "x2", "body": "nope"}
    result = process_batch(processor(context, handler), {"Records": [record, poison]})
    assert result == {"batchItemFailures": [{"itemIdentifier": "x1"}]}


def test_large_event_travels_by_claim_check(make_context):
    context = make_context(claim_check_threshold_bytes=1_000)
    big = alert_envelope(data={**alert_envelope().data, "detail": "x" * 5_000})
    with EventObserver(context.clients, context.names) as observer:
        context.publisher.publish([big])
        [received] = wait_for(lambda: observer.collect() or None)
    assert received.claimcheck is not None and received.data == {}
    assert context.claim_checks.check_out(received).data == big.data


class FakeClock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


LEASE_SECONDS = 60


def store(context: RuntimeContext, clock: FakeClock) -> IdempotencyStore:
    """One worker's idempotency store (each worker process has its own)."""
    return IdempotencyStore(
        context.clients.dynamodb, lease_seconds=LEASE_SECONDS, retention_days=1, clock=clock
    )


def test_claim_is_fresh_once_then_duplicate_after_completion(context):
    idem = store(context, FakeClock())
    assert idem.claim("svc:src:1") is Claim.FRESH
    idem.complete("svc:src:1")
    assert idem.claim("svc:src:1") is Claim.DUPLICATE


def test_live_lease_blocks_another_worker_and_says_when_it_lapses(context):
    clock = FakeClock()
    store(context, clock).claim("svc:src:2")
    clock.now += 20
    with pytest.raises(AlreadyInProgress) as raised:
        store(context, clock).claim("svc:src:2")
    assert raised.value.lapses_in_seconds == LEASE_SECONDS - 20 + 1


def test_lease_renewed_while_working_keeps_the_key_beyond_its_first_term(context):
    clock = FakeClock()
    working = store(context, clock)
    working.claim("svc:src:3")
    for _ in range(3):
        clock.now += LEASE_SECONDS - 10
        assert working.renew("svc:src:3")
    with pytest.raises(AlreadyInProgress):
        store(context, clock).claim("svc:src:3")


def test_lease_of_a_killed_worker_lapses_and_another_worker_takes_the_key_for_good(context):
    clock = FakeClock()
    killed, other = store(context, clock), store(context, clock)
    killed.claim("svc:src:4")
    clock.now += LEASE_SECONDS + 1
    assert other.claim("svc:src:4") is Claim.FRESH
    # The first worker was only slow: it can neither renew nor release the new owner's lease.
    assert not killed.renew("svc:src:4")
    killed.release("svc:src:4")
    with pytest.raises(AlreadyInProgress):
        store(context, clock).claim("svc:src:4")


def test_message_meeting_a_live_lease_on_its_last_receive_is_deferred_not_dead_lettered(context):
    envelope = alert_envelope()
    key = f"audit:{envelope.source}:{envelope.id}"
    IdempotencyStore(context.clients.dynamodb, lease_seconds=3, retention_days=1).claim(key)
    handler = Recorder()
    proc = processor(context, handler)
    assert proc.process(message(envelope, receive_count=3)) is Outcome.DEFERRED
    assert dlq_messages(context) == []
    # A fresh copy (receive count 1) comes back once the lease has lapsed, and is processed.
    queue_url = context.names.queue_url(QUEUE_AUDIT)
    [copy] = wait_for(lambda: receive(context, queue_url), timeout=15)
    assert copy["Attributes"]["ApproximateReceiveCount"] == "1"
    assert proc.process(InboundMessage.from_sqs(copy)) is Outcome.DONE
    assert len(handler.seen) == 1


def receive(context: RuntimeContext, queue_url: str) -> list[dict]:
    response = context.clients.sqs.receive_message(
        QueueUrl=queue_url,
        MessageAttributeNames=["All"],
        MessageSystemAttributeNames=["ApproximateReceiveCount"],
        WaitTimeSeconds=1,
    )
    return response.get("Messages", [])


@pytest.mark.parametrize("key", [None, ""])
def test_missing_idempotency_key_is_an_error(context, key):
    with pytest.raises(IdempotencyKeyMissing):
        store(context, FakeClock()).claim(key)


def test_a_message_put_back_after_an_aws_error_carries_its_first_failure_until_the_budget_ends(
    context,
):
    queue_url = context.names.queue_url(QUEUE_AUDIT)
    deferrals = Deferrals(
        context.clients.sqs,
        queue_url,
        recheck_seconds=5,
        transient_budget_seconds=10,
        clock=lambda: 1000,
    )
    assert deferrals.after_transient_error(message(alert_envelope()))
    [copy] = wait_for(lambda: receive(context, queue_url), timeout=15)
    attributes = InboundMessage.from_sqs(copy).attributes
    assert (attributes["transient_since"], attributes["transient_deferrals"]) == ("1000", "1")
    # Three deferrals later the next delay (8 s) would end 13 s after the first failure.
    spent = InboundMessage(
        "m2", copy["Body"], {**attributes, "transient_since": "995", "transient_deferrals": "3"}
    )
    assert not deferrals.after_transient_error(spent)
    assert receive(context, queue_url) == []


def test_a_dead_lettered_message_loses_its_deferral_marks_so_a_replay_gets_a_whole_budget(context):
    dlq = context.names.queue_url(TOPOLOGY.queue(QUEUE_AUDIT).dlq_name)
    deferred = message(alert_envelope())
    marked = InboundMessage(
        deferred.message_id,
        deferred.body,
        {**deferred.attributes, "transient_since": "995", "transient_deferrals": "9"},
    )
    DeadLetters(context.clients.sqs, dlq, "audit").send(marked, "retries-exhausted", "outage")
    [dead] = dlq_messages(context)
    assert {"transient_since", "transient_deferrals"}.isdisjoint(dead["MessageAttributes"])
    assert dead["MessageAttributes"]["type"]["StringValue"] == ALERT_RAISED
