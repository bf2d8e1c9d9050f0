"""The decisions behind `ior dlq`, without AWS: filters, loop guard, replay_count, rate limits."""

import argparse
import json
import shlex
from datetime import UTC, datetime

import boto3
import pytest
from botocore.exceptions import ClientError
from botocore.stub import Stubber

from entrypoints import ops_cli as ops_cli_module
from entrypoints.errors import PurgeNotConfirmed
from entrypoints.ops_cli import cmd_dlq_purge, register
from services.runtime.errors import InvalidFilter, MoveTaskFailed, UnknownService
from services.runtime.operations import replay as replay_module
from services.runtime.operations.dlq import DlqMessage, feed_sync, replay_count, service_queues
from services.runtime.operations.replay import (
    RateLimiter,
    ReplayMethod,
    Verdict,
    batch_size,
    move_task_unsupported,
    parse_filters,
    replay,
    replayed_attributes,
    verdict,
)


def text(value: str, data_type: str = "String") -> dict:
    return {"DataType": data_type, "StringValue": value}


# --- filters ---------------------------------------------------------------------------------


def test_filters_parse_into_attribute_values():
    assert parse_filters(["type=ior.alert.raised", " error_type = object-missing "]) == {
        "type": "ior.alert.raised",
        "error_type": "object-missing",
    }


def test_filter_value_may_contain_an_equals_sign():
    assert parse_filters(["error_message=a=b"]) == {"error_message": "a=b"}


@pytest.mark.parametrize("expression", ["type", "=x", "type=", " = "])
def test_filter_without_key_or_value_is_refused(expression):
    with pytest.raises(InvalidFilter, match="KEY=VALUE"):
        parse_filters([expression])


def test_same_filter_key_twice_is_refused():
    with pytest.raises(InvalidFilter, match="given twice"):
        parse_filters(["type=a", "type=b"])


def test_every_filter_must_match():
    attributes = {"type": "ior.alert.raised", "error_type": "object-missing"}
    assert verdict(attributes, {"type": "ior.alert.raised"}, 3) is Verdict.MOVE
    assert verdict(attributes, {**attributes, "service": "audit"}, 3) is Verdict.SKIP
    assert verdict(attributes, {"error_type": "malformed-event"}, 3) is Verdict.SKIP


def test_no_filter_matches_everything():
    assert verdict({}, {}, 3) is Verdict.MOVE


# --- loop guard and replay_count -------------------------------------------------------------


@pytest.mark.parametrize(("count", "expected"), [("0", Verdict.MOVE), ("2", Verdict.MOVE)])
def test_message_below_the_replay_limit_moves(count, expected):
    assert verdict({"replay_count": count}, {}, 3) is expected


@pytest.mark.parametrize("count", ["3", "7"])
def test_message_at_or_over_the_replay_limit_is_refused(count):
    assert verdict({"replay_count": count}, {}, 3) is Verdict.REFUSE


def test_unreadable_replay_count_is_refused_rather_than_looping():
    assert replay_count({"replay_count": "many"}) is None
    assert verdict({"replay_count": "many"}, {}, 3) is Verdict.REFUSE


def test_filtered_out_message_is_skipped_even_when_over_the_limit():
    assert verdict({"type": "a", "replay_count": "9"}, {"type": "b"}, 3) is Verdict.SKIP


def test_first_replay_adds_replay_count_one_and_keeps_every_attribute():
    attributes = {
        "type": text("ior.alert.raised"),
        "version": text("1", "Number"),
        "error_type": text("object-missing"),
        "blob": {"DataType": "Binary", "BinaryValue": b"\x00\x01", "BinaryListValues": []},
    }
    assert replayed_attributes(attributes) == {
        "type": text("ior.alert.raised"),
        "version": text("1", "Number"),
        "error_type": text("object-missing"),
        "blob": {"DataType": "Binary", "BinaryValue": b"\x00\x01"},
        "replay_count": text("1", "Number"),
    }


@pytest.mark.parametrize("data_type", ["String", "Number"])
def test_replay_count_is_incremented_whatever_its_data_type(data_type):
    replayed = replayed_attributes({"replay_count": text("2", data_type)})
    assert replayed["replay_count"] == text("3", "Number")


def test_missing_replay_count_means_never_replayed():
    assert replay_count({}) == 0


# --- rate limiting ---------------------------------------------------------------------------


class FakeTime:
    def __init__(self) -> None:
        self.now = 100.0
        self.slept: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def limiter(rate: float) -> tuple[RateLimiter, FakeTime]:
    fake = FakeTime()
    return RateLimiter(rate, clock=fake.clock, sleep=fake.sleep), fake


def test_rate_limiter_allows_one_second_of_burst_then_paces():
    bucket, fake = limiter(2)
    bucket.acquire(2)
    bucket.acquire(2)
    bucket.acquire(1)
    assert fake.slept == [0.0, 1.0, 0.5]


def test_rate_below_one_per_second_waits_whole_periods():
    bucket, fake = limiter(0.5)
    bucket.acquire(1)
    bucket.acquire(1)
    assert fake.slept == [0.0, 2.0]


def test_tokens_refill_with_time_but_not_beyond_one_second_of_burst():
    bucket, fake = limiter(4)
    bucket.acquire(4)
    fake.now += 60
    assert bucket.delay_for(4) == 0
    assert bucket.delay_for(1) == pytest.approx(0.25)


def test_refunded_tokens_can_be_used_at_once():
    bucket, fake = limiter(2)
    bucket.acquire(2)
    bucket.refund(2)
    bucket.acquire(2)
    assert fake.slept == [0.0, 0.0]


@pytest.mark.parametrize("rate", [0, -1])
def test_rate_must_be_positive(rate):
    with pytest.raises(ValueError, match="positive"):
        RateLimiter(rate)


@pytest.mark.parametrize(
    ("rate", "remaining", "expected"),
    [(None, None, 10), (2, None, 2), (0.5, None, 1), (2.9, None, 2), (500, None, 10), (None, 3, 3)],
)
def test_batch_is_about_one_second_of_rate_and_never_beyond_max(rate, remaining, expected):
    assert batch_size(rate, remaining) == expected


# --- move task support -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "status", "unsupported"),
    [
        ("500", 500, True),  # moto: NotImplementedError behind a bare 500
        ("InternalFailure", 501, True),
        ("NotImplemented", 400, True),
        ("UnsupportedOperation", 400, False),  # AWS: not for this queue / a task already runs
        ("AccessDenied", 403, False),
        ("InternalError", 500, False),  # a real AWS failure, not a missing feature
    ],
)
def test_only_a_missing_operation_falls_back_to_receive_send_delete(code, status, unsupported):
    assert move_task_unsupported(code, status) is unsupported


DLQ_ARN = "arn:aws:sqs:us-east-1:000000000000:ior-audit-dlq"
QUEUE_ARN = "arn:aws:sqs:us-east-1:000000000000:ior-audit"


class FakeNames:
    def queue_arn(self, name: str) -> str:
        return f"arn:aws:sqs:us-east-1:000000000000:{name}"


class FakeClients:
    def __init__(self) -> None:
        self.sqs = boto3.client(
            "sqs", region_name="us-east-1", aws_access_key_id="k", aws_secret_access_key="s"
        )


@pytest.fixture
def move_task(monkeypatch):
    """An SQS that implements move tasks (AWS, LocalStack), stubbed: no network."""
    clients = FakeClients()
    stubber = Stubber(clients.sqs)
    monkeypatch.setattr(replay_module, "_single_attempt", lambda sqs: sqs)
    monkeypatch.setattr(replay_module, "_TASK_POLL_SECONDS", 0)
    with stubber:
        yield clients, stubber
    stubber.assert_no_pending_responses()


def task_listing(stubber: Stubber, status: str, moved: int, **extra: object) -> None:
    result = {"Status": status, "ApproximateNumberOfMessagesMoved": moved, **extra}
    request = {"SourceArn": DLQ_ARN, "MaxResults": 1}
    stubber.add_response("list_message_move_tasks", {"Results": [result]}, request)


def test_unfiltered_replay_uses_the_move_task_where_the_endpoint_has_it(move_task):
    clients, stubber = move_task
    start = {"SourceArn": DLQ_ARN, "DestinationArn": QUEUE_ARN, "MaxNumberOfMessagesPerSecond": 5}
    stubber.add_response("start_message_move_task", {"TaskHandle": "h-1"}, start)
    task_listing(stubber, "RUNNING", 1, ApproximateNumberOfMessagesToMove=3)
    task_listing(stubber, "COMPLETED", 3, ApproximateNumberOfMessagesToMove=3)
    seen: list[tuple[int, int]] = []

    summary = replay(
        clients, FakeNames(), "audit", rate_per_second=5.7, progress=lambda *p: seen.append(p)
    )

    assert (summary.method, summary.moved, summary.method_reason) == (
        ReplayMethod.MOVE_TASK,
        3,
        "",
    )
    assert seen == [(1, 3), (3, 3)]


def test_a_failed_move_task_is_an_error_that_says_what_moved(move_task):
    clients, stubber = move_task
    stubber.add_response("start_message_move_task", {"TaskHandle": "h-2"})
    task_listing(stubber, "FAILED", 1, FailureReason="NonExistentQueue")
    with pytest.raises(MoveTaskFailed, match="FAILED after moving 1: NonExistentQueue"):
        replay(clients, FakeNames(), "audit")


def test_a_refused_move_task_is_not_mistaken_for_a_missing_one(move_task):
    clients, stubber = move_task
    stubber.add_client_error(
        "start_message_move_task", "UnsupportedOperation", "a task is running", 400
    )
    with pytest.raises(ClientError, match="a task is running"):
        replay(clients, FakeNames(), "audit")


# --- messages, services, status rows ---------------------------------------------------------


def dlq_message(body: str) -> DlqMessage:
    return DlqMessage("m", "r", body, {}, None, 1)


def test_event_id_is_read_from_an_envelope_body():
    body = json.dumps({"specversion": "1.0", "id": "e-1", "type": "ior.alert.raised"})
    assert dlq_message(body).event_id == "e-1"


@pytest.mark.parametrize("body", ["not json", "[1]", json.dumps({"Records": [], "id": "x"})])
def test_body_that_is_no_envelope_has_no_event_id(body):
    assert dlq_message(body).event_id is None


def test_unknown_service_is_a_value_error_naming_the_services():
    with pytest.raises(ValueError, match="customs_generation") as error:
        service_queues("billing")
    assert isinstance(error.value, UnknownService)


def test_service_resolves_to_its_queue_and_dlq():
    queues = service_queues("audit")
    assert (queues.queue, queues.dlq) == ("ior-audit", "ior-audit-dlq")


def test_feed_sync_row_carries_the_age_of_its_last_sync():
    now = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
    row = {"feed": "ZSDR010", "synced_at": "2026-11-23T11:00:00+00:00", "row_count": 12}
    assert feed_sync(row, now) == {
        "feed": "ZSDR010",
        "synced_at": "2026-11-23T11:00:00+00:00",
        "age_seconds": 3600,
        "extract_id": None,
        "row_count": 12,
    }


@pytest.mark.parametrize("synced_at", [None, "yesterday", "2026-11-23T11:00:00"])
def test_feed_never_synced_or_with_an_unreadable_time_has_no_age(synced_at):
    now = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
    assert feed_sync({"feed": "ZSDR010", "synced_at": synced_at}, now)["age_seconds"] is None


# --- command line ----------------------------------------------------------------------------


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="ior")
    register(
        root.add_subparsers(dest="command", required=True), lambda p: p.add_argument("--endpoint")
    )
    return root


def test_replay_options_parse_into_the_library_arguments():
    args = parser().parse_args(
        shlex.split(
            "dlq replay audit --filter type=a --filter error_type=b --dry-run --max 5 --rate 2.5"
            " --replay-limit 4 --endpoint e"
        )
    )
    assert (args.service, args.filter, args.dry_run) == ("audit", ["type=a", "error_type=b"], True)
    assert (args.max, args.rate, args.replay_limit, args.endpoint) == (5, 2.5, 4, "e")


@pytest.mark.parametrize("command", [["dlq", "ls"], ["dlq", "peek", "audit"], ["status"]])
def test_every_command_has_a_handler_and_the_endpoint_option(command):
    args = parser().parse_args([*command, "--endpoint", "http://x"])
    assert callable(args.handler) and args.endpoint == "http://x"


@pytest.mark.parametrize("option", [["--max", "0"], ["--rate", "0"], ["--rate", "nan"]])
def test_non_positive_limits_are_usage_errors(option):
    with pytest.raises(SystemExit):
        parser().parse_args(["dlq", "replay", "audit", *option])


def test_purge_without_yes_and_without_a_terminal_is_refused(monkeypatch):
    monkeypatch.setattr("sys.stdin.isatty", lambda: False)
    args = parser().parse_args(["dlq", "purge", "audit"])
    with pytest.raises(PurgeNotConfirmed, match="--yes"):
        cmd_dlq_purge(args)


def test_the_replay_summary_names_messages_dead_lettered_again_during_the_run():
    again = replay_module.NotReplayed("m-1", "evt-1", "ior.extract.accepted", "dead-lettered again")
    summary = replay_module.ReplaySummary(
        service="normalization",
        method=replay_module.ReplayMethod.RECEIVE_SEND_DELETE,
        method_reason="",
        moved=1,
        matched=1,
        skipped=0,
        returned=(again,),
    )
    text = ops_cli_module._describe(summary)
    assert "dead-lettered again during this run, left in the DLQ 1" in text
    assert "evt-1 ior.extract.accepted: dead-lettered again" in text
