"""`ior dlq` and `ior status` on the embedded emulator: dead letters are seen, replayed and purged
without ever losing one, and a replayed event has its effect once."""

import argparse
import json
import os
import re
import subprocess
import sys
import textwrap
from collections import Counter
from pathlib import Path

import pytest
import structlog

from contracts.envelope import Envelope, new_envelope
from contracts.errors import MalformedEvent
from contracts.events import AlertRaisedV1, Severity
from contracts.topology import ALERT_RAISED, TABLE_FEED_SYNC
from entrypoints.ops_cli import register
from services.runtime.aws.queues import QueueDepth, queue_depth
from services.runtime.context import RuntimeContext
from services.runtime.messaging.dead_letters import DeadLetters
from services.runtime.messaging.deferrals import Deferrals
from services.runtime.messaging.events import event_decoder
from services.runtime.messaging.messages import InboundMessage, ServiceApp
from services.runtime.messaging.processor import MessageProcessor, Outcome
from services.runtime.messaging.publisher import message_attributes
from services.runtime.operations.dlq import (
    list_dlqs,
    peek,
    peek_messages,
    purge,
    service_queues,
    status,
)
from services.runtime.operations.replay import ReplayMethod, replay
from services.runtime.settings import Settings
from tests.conftest import wait_for

pytestmark = pytest.mark.integration
REPO = Path(__file__).resolve().parents[2]
AUDIT = service_queues("audit")


def alert(title: str, **overrides: object) -> Envelope:
    data = AlertRaisedV1(severity=Severity.INFO, service="test", title=title, detail="d")
    envelope = new_envelope(data, source="ior.test", subject="s", correlationid="c-1", cause=title)
    return envelope.model_copy(update=overrides)


def dead_letter(
    context: RuntimeContext, envelope: Envelope, error_type: str = "object-missing", **extra: str
) -> None:
    """What the runtime does with a permanent failure: the message as it was, plus the reason."""
    attributes = {k: v["StringValue"] for k, v in message_attributes(envelope).items()}
    message = InboundMessage(envelope.id, envelope.to_json(), {**attributes, **extra})
    dead_letters = DeadLetters(context.clients.sqs, url(context, AUDIT.dlq), "audit")
    dead_letters.send(message, error_type, f"{error_type} for {envelope.data['title']}")


def url(context: RuntimeContext, queue: str) -> str:
    return context.names.queue_url(queue)


def visible(context: RuntimeContext, queue: str) -> int:
    return queue_depth(context.clients, context.names, queue).visible


def contents(context: RuntimeContext, queue: str) -> list[dict]:
    """Every visible message of a queue, left in the queue."""
    messages = peek_messages(context.clients.sqs, url(context, queue), visible(context, queue))
    return [
        {"body": m.body, "attributes": m.text_attributes, "raw": m.attributes} for m in messages
    ]


class Recorder:
    """A handler that records the events it was given and has no other effect."""

    def __init__(self) -> None:
        self.event_ids: list[str] = []

    def __call__(self, event) -> list[Envelope]:
        self.event_ids.append(event.envelope.id)
        return []


def audit_processor(context: RuntimeContext, handler: Recorder) -> MessageProcessor:
    app = ServiceApp("audit", event_decoder("audit", context.claim_checks), {ALERT_RAISED: handler})
    dead_letters = DeadLetters(context.clients.sqs, url(context, AUDIT.dlq), "audit")
    deferrals = Deferrals(
        context.clients.sqs,
        url(context, AUDIT.queue),
        recheck_seconds=1,
        transient_budget_seconds=60,
    )
    return MessageProcessor(
        app, context.idempotency, context.publisher, dead_letters, 3, deferrals=deferrals
    )


class Poison(Recorder):
    """A handler for which every event is bad data: the message goes straight back to the DLQ."""

    def __call__(self, event) -> list[Envelope]:
        super().__call__(event)
        raise MalformedEvent(f"{event.envelope.id} is poison")


def consume_source_queue(
    context: RuntimeContext, handler: Recorder, outcome: Outcome = Outcome.DONE
) -> None:
    """Process and delete every message of the audit queue, as the worker would."""
    processor, sqs = audit_processor(context, handler), context.clients.sqs
    while True:
        response = sqs.receive_message(
            QueueUrl=url(context, AUDIT.queue),
            MaxNumberOfMessages=10,
            WaitTimeSeconds=1,
            MessageAttributeNames=["All"],
            MessageSystemAttributeNames=["ApproximateReceiveCount"],
        )
        if not response.get("Messages"):
            return
        for raw in response["Messages"]:
            assert processor.process(InboundMessage.from_sqs(raw)) is outcome
            sqs.delete_message(
                QueueUrl=url(context, AUDIT.queue), ReceiptHandle=raw["ReceiptHandle"]
            )


def test_poison_messages_reach_the_dlq_with_reasons_that_peek_shows(context):
    processor = audit_processor(context, Recorder())
    v2 = alert("future", version=2)
    attributes = {k: v["StringValue"] for k, v in message_attributes(v2).items()}
    assert processor.process(InboundMessage("a", v2.to_json(), attributes)) is Outcome.DEAD_LETTERED
    assert processor.process(InboundMessage("b", "not json", {})) is Outcome.DEAD_LETTERED

    peeked = {m.error_type: m for m in peek(context.clients, context.names, "audit", 10)}
    assert set(peeked) == {"unsupported-version", "malformed-event"}
    unsupported = peeked["unsupported-version"]
    assert (unsupported.type, unsupported.correlationid) == (ALERT_RAISED, "c-1")
    assert unsupported.event_id == v2.id and "v2" in unsupported.error_message
    assert unsupported.failed_at and unsupported.receive_count >= 1
    assert unsupported.replay_count == 0
    assert peeked["malformed-event"].event_id is None


def test_peek_leaves_every_message_visible_in_the_dlq(context):
    for n in range(3):
        dead_letter(context, alert(f"a{n}"))
    first = {m.message_id for m in peek(context.clients, context.names, "audit", 10)}
    assert visible(context, AUDIT.dlq) == 3
    again = {m.message_id for m in peek(context.clients, context.names, "audit", 10)}
    assert first == again and len(first) == 3


def test_ls_shows_each_dlq_with_depth_and_age_of_its_oldest_message(context):
    dead_letter(context, alert("old"))
    dead_letter(context, alert("new"))
    infos = {info.service: info for info in list_dlqs(context.clients, context.names)}
    services = {"ingestion", "normalization", "customs_generation", "comparison", "audit", "portal"}
    assert set(infos) == services
    audit = infos["audit"]
    assert (audit.dlq, audit.depth, audit.age_sample, audit.age_is_exact) == (AUDIT.dlq, 2, 2, True)
    assert audit.oldest_age_seconds is not None and audit.oldest_age_seconds >= 0
    assert infos["ingestion"].depth == 0 and infos["ingestion"].oldest_age_seconds is None
    assert visible(context, AUDIT.dlq) == 2


def test_replay_moves_every_message_back_with_body_attributes_and_replay_count(context):
    envelopes = [alert(f"m{n}") for n in range(3)]
    for envelope in envelopes:
        dead_letter(context, envelope)

    summary = replay(context.clients, context.names, "audit")

    assert summary.method is ReplayMethod.RECEIVE_SEND_DELETE
    assert (
        summary.method == "receive/send/delete" and "StartMessageMoveTask" in summary.method_reason
    )
    assert (summary.moved, summary.skipped, summary.refused, summary.failed) == (3, 0, (), ())
    assert wait_for(lambda: visible(context, AUDIT.queue) == 3)
    assert queue_depth(context.clients, context.names, AUDIT.dlq).idle
    moved = contents(context, AUDIT.queue)
    assert sorted(m["body"] for m in moved) == sorted(e.to_json() for e in envelopes)
    for message in moved:
        assert message["attributes"]["type"] == ALERT_RAISED
        assert message["attributes"]["correlationid"] == "c-1"
        assert message["attributes"]["error_type"] == "object-missing"
        assert message["raw"]["replay_count"] == {"DataType": "Number", "StringValue": "1"}


def test_filtered_replay_moves_only_matching_messages(context):
    dead_letter(context, alert("gone-1"), "object-missing")
    dead_letter(context, alert("gone-2"), "object-missing")
    dead_letter(context, alert("broken"), "malformed-event")

    summary = replay(
        context.clients, context.names, "audit", filters={"error_type": "object-missing"}
    )

    assert (summary.moved, summary.skipped) == (2, 1)
    moved = contents(context, AUDIT.queue)
    assert {m["attributes"]["error_type"] for m in moved} == {"object-missing"}
    assert visible(context, AUDIT.dlq) == 1  # the skipped one is visible again at once
    [left] = peek(context.clients, context.names, "audit", 10)
    assert left.error_type == "malformed-event"


def test_dry_run_moves_nothing_and_says_what_would_move(context):
    for n in range(3):
        dead_letter(context, alert(f"d{n}"), "object-missing" if n else "malformed-event")

    summary = replay(
        context.clients, context.names, "audit", filters={"type": ALERT_RAISED}, dry_run=True
    )

    assert (summary.method, summary.matched, summary.moved) == (ReplayMethod.DRY_RUN, 3, 0)
    assert visible(context, AUDIT.dlq) == 3
    assert visible(context, AUDIT.queue) == 0


def test_max_moves_at_most_that_many(context):
    for n in range(5):
        dead_letter(context, alert(f"x{n}"))
    summary = replay(context.clients, context.names, "audit", max_messages=2)
    assert summary.moved == 2
    assert (visible(context, AUDIT.queue), visible(context, AUDIT.dlq)) == (2, 3)


def test_loop_guard_refuses_a_message_replayed_too_often_and_leaves_it_in_the_dlq(context):
    looping, fresh = alert("looping"), alert("fresh")
    dead_letter(context, looping, replay_count="3")
    dead_letter(context, fresh, replay_count="1")

    summary = replay(context.clients, context.names, "audit", replay_limit=3)

    assert summary.moved == 1
    [refused] = summary.refused
    assert refused.event_id == looping.id and "limit 3" in refused.reason
    [left] = peek(context.clients, context.names, "audit", 10)
    assert (left.event_id, left.replay_count) == (looping.id, 3)
    [moved] = contents(context, AUDIT.queue)
    assert moved["attributes"]["replay_count"] == "2"


def test_a_replay_takes_a_message_once_though_the_worker_dead_letters_it_again_meanwhile(
    context, settings
):
    poison = alert("poison")
    dead_letter(context, poison, "retries-exhausted")
    worker, handler = RuntimeContext.from_settings(settings), Poison()
    # Each time the replay has sent a message back, the service's worker (its own clients) takes
    # it at once and dead-letters it again, before the replay reads the DLQ on.
    context.clients.sqs.meta.events.register(
        "after-call.sqs.SendMessage",
        lambda **_: consume_source_queue(worker, handler, Outcome.DEAD_LETTERED),
    )

    summary = replay(context.clients, context.names, "audit")

    assert handler.event_ids == [poison.id]
    assert summary.moved == 1
    [returned] = summary.returned
    assert returned.event_id == poison.id and "dead-lettered again" in returned.reason
    assert (summary.refused, summary.failed) == ((), ())
    [left] = peek(context.clients, context.names, "audit", 10)
    assert (left.event_id, left.replay_count, left.error_type) == (poison.id, 1, "malformed-event")


def test_a_message_sent_but_not_deleted_is_in_both_queues_with_one_effect(context, monkeypatch):
    envelope = alert("crash")
    dead_letter(context, envelope)

    def crash(**_: object) -> None:
        raise KeyboardInterrupt  # killed between the send and the delete

    monkeypatch.setattr(context.clients.sqs, "delete_message_batch", crash)
    with pytest.raises(KeyboardInterrupt):
        replay(context.clients, context.names, "audit")
    monkeypatch.undo()
    assert (visible(context, AUDIT.queue), visible(context, AUDIT.dlq)) == (1, 1)  # released
    replay(context.clients, context.names, "audit")

    copies = contents(context, AUDIT.queue)
    assert [c["body"] for c in copies] == [envelope.to_json()] * 2
    handler = Recorder()
    consume_source_queue(context, handler)
    assert handler.event_ids == [envelope.id]


REPLAY_SCRIPT = textwrap.dedent(
    """
    import sys
    from services.runtime.aws.clients import AwsClients
    from services.runtime.aws.names import NameResolver
    from services.runtime.operations.replay import replay
    from services.runtime.settings import Settings

    clients = AwsClients.from_settings(Settings.from_env().on_emulator(sys.argv[1]))
    replay(clients, NameResolver(clients), "audit", rate_per_second=2)
    """
)


def test_replay_killed_half_way_loses_nothing_and_a_second_replay_has_each_effect_once(
    context, emulator
):
    envelopes = [alert(f"k{n}") for n in range(10)]
    for envelope in envelopes:
        dead_letter(context, envelope)
    bodies = {envelope.to_json() for envelope in envelopes}

    process = subprocess.Popen(
        [sys.executable, "-c", REPLAY_SCRIPT, emulator], cwd=REPO, env=dict(os.environ)
    )

    def dlq_depth() -> QueueDepth:
        return queue_depth(context.clients, context.names, AUDIT.dlq)

    try:
        # Killed while it waits for its rate limit: a kill between send and delete is the test
        # above; here a kill whose in-flight messages must lapse would only make the test slow.
        wait_for(lambda: visible(context, AUDIT.queue) >= 2 and dlq_depth().in_flight == 0)
        assert process.poll() is None, "the replay finished before it could be interrupted"
        process.kill()
    finally:
        process.wait()
    assert visible(context, AUDIT.queue) < len(envelopes)

    # Messages a killed replay had in hand reappear in the DLQ once their visibility lapses.
    wait_for(lambda: dlq_depth().in_flight == 0, timeout=40)
    in_dlq = [m["body"] for m in contents(context, AUDIT.dlq)]
    in_queue = [m["body"] for m in contents(context, AUDIT.queue)]
    assert set(in_dlq) | set(in_queue) == bodies  # nothing lost

    summary = replay(context.clients, context.names, "audit")
    assert summary.moved == len(in_dlq)
    assert queue_depth(context.clients, context.names, AUDIT.dlq).idle
    assert set(m["body"] for m in contents(context, AUDIT.queue)) == bodies

    handler = Recorder()
    consume_source_queue(context, handler)
    assert Counter(handler.event_ids) == Counter({envelope.id: 1 for envelope in envelopes})


def test_status_reports_queue_and_dlq_depths_feed_syncs_and_the_last_calculation(context):
    sqs = context.clients.sqs
    for n in range(2):
        sqs.send_message(QueueUrl=url(context, AUDIT.queue), MessageBody=f"q{n}")
    dead_letter(context, alert("dead"))
    items = [
        {"feed": "ZSDR010", "extract_id": "e-9", "synced_at": "2026-11-22T02:00:00+00:00"},
        {"feed": "CALC", "calc_id": "CALC-000042"},
        {"feed": "COMPARISON", "calc_id": "CALC-000042", "result": "3 lines differ"},
    ]
    for item in items:
        context.clients.dynamodb.put_item(
            TableName=TABLE_FEED_SYNC, Item={k: {"S": v} for k, v in item.items()}
        )
    context.clients.dynamodb.update_item(
        TableName=TABLE_FEED_SYNC,
        Key={"feed": {"S": "ZSDR010"}},
        UpdateExpression="SET row_count = :n",
        ExpressionAttributeValues={":n": {"N": "1200"}},
    )

    report = status(context.clients, context.names)

    audit = next(s for s in report["services"] if s["service"] == "audit")
    assert (audit["depth"], audit["in_flight"], audit["dlq_depth"]) == (2, 0, 1)
    feeds = {feed["feed"]: feed for feed in report["feeds"]}
    assert feeds["ZSDR010"]["row_count"] == 1200 and feeds["ZSDR010"]["age_seconds"] >= 0
    assert feeds["ZEMM005"]["synced_at"] is None  # never
    assert report["last_calc"]["calc_id"] == "CALC-000042"
    assert report["last_comparison"]["result"] == "3 lines differ"
    json.dumps(report)  # --json prints it as is


@pytest.mark.usefixtures("logs_to_stderr")
def test_status_before_anything_ran_says_never_and_none_yet(context, emulator, capsys):
    assert ops("status", "--endpoint", emulator) == 0
    out = capsys.readouterr().out
    assert re.search(r"ZSDR010\s+never", out) and re.search(r"ZEMM005\s+never", out)
    assert "last CALC-ID: none yet" in out and "last comparison: none yet" in out


def test_purge_empties_the_dlq(context):
    for n in range(3):
        dead_letter(context, alert(f"p{n}"))
    assert purge(context.clients, context.names, "audit") == 3
    assert wait_for(lambda: queue_depth(context.clients, context.names, AUDIT.dlq).idle)


def ops(*argv: str) -> int:
    """Run an ops command in this process, as `ior` will once it registers them."""
    parser = argparse.ArgumentParser(prog="ior")
    register(parser.add_subparsers(required=True), lambda p: p.add_argument("--endpoint"))
    args = parser.parse_args(argv)
    args.settings = Settings.from_env()  # as `ior`'s main reads them
    return args.handler(args)


@pytest.fixture
def logs_to_stderr():
    """Logs on stderr, as `ior` sets them up, so that stdout holds only the command's output."""
    saved = structlog.get_config()
    structlog.configure(logger_factory=structlog.PrintLoggerFactory(file=sys.stderr))
    yield
    structlog.configure(**saved)


@pytest.mark.usefixtures("logs_to_stderr")
def test_commands_print_json_for_scripts(context, emulator, capsys):
    dead_letter(context, alert("j"))
    assert ops("dlq", "peek", "audit", "--json", "--endpoint", emulator) == 0
    [peeked] = json.loads(capsys.readouterr().out)
    assert peeked["error_type"] == "object-missing"
    assert ops("dlq", "replay", "audit", "--json", "--endpoint", emulator) == 0
    assert json.loads(capsys.readouterr().out)["method"] == "receive/send/delete"
    assert ops("dlq", "purge", "audit", "--yes", "--endpoint", emulator) == 0
    assert ops("dlq", "ls", "--endpoint", emulator) == 0
    assert "audit" in capsys.readouterr().out
