"""What the processor does with a failure: an error that comes from the data goes to the DLQ at
once (retrying cannot help it), a transient or unknown one is retried (ARCHITECTURE.md)."""

import json
from decimal import InvalidOperation

import pytest
import structlog
from botocore.exceptions import (
    ClientError,
    ConnectionClosedError,
    EndpointConnectionError,
    InvalidRegionError,
    ReadTimeoutError,
)

from contracts.envelope import new_envelope
from contracts.events import AlertRaisedV1, Severity
from contracts.feeds import Zemm004Record
from contracts.topology import ALERT_RAISED
from services.runtime import metrics
from services.runtime.errors import AlreadyInProgress, TransientAwsError
from services.runtime.logging import configure_logging
from services.runtime.messaging.idempotency import Claim
from services.runtime.messaging.messages import InboundMessage, ServiceApp, Work
from services.runtime.messaging.processor import MessageProcessor, Outcome

EVENT_TYPE = "ior.test.happened"
KEY = "test:ior.test:e1"


class FakeIdempotency:
    def __init__(self) -> None:
        self.released: list[str] = []

    def claim(self, key: str) -> Claim:
        return Claim.FRESH

    def complete(self, key: str) -> None:
        pass

    def release(self, key: str) -> None:
        self.released.append(key)


class FakePublisher:
    def publish(self, envelopes: object) -> None:
        pass


class FakeDeadLetters:
    def __init__(self) -> None:
        self.sent: list[tuple[str, str]] = []

    def send(self, message: InboundMessage, error_type: str, error_message: str) -> None:
        self.sent.append((error_type, error_message))


class FakeDeferrals:
    def __init__(self, budget_left: bool = True) -> None:
        self.sent: list[tuple[str, int]] = []
        self.after_outage: list[str] = []
        self.budget_left = budget_left

    def send_later(self, message: InboundMessage, lease_lapses_in: int) -> None:
        self.sent.append((message.message_id, lease_lapses_in))

    def after_transient_error(self, message: InboundMessage) -> bool:
        if self.budget_left:
            self.after_outage.append(message.message_id)
        return self.budget_left


def one_work(message: InboundMessage) -> list[Work]:
    return [Work(KEY, EVENT_TYPE, "e1", "c1", message.body)]


def failing_with(exc: Exception):
    def handler(payload: object) -> None:
        raise exc

    return handler


def processor(
    handler, decode=one_work, deferrals: FakeDeferrals | None = None
) -> tuple[MessageProcessor, FakeDeadLetters]:
    dead_letters = FakeDeadLetters()
    app = ServiceApp("test", decode, {EVENT_TYPE: handler})
    proc = MessageProcessor(
        app,
        FakeIdempotency(),
        FakePublisher(),
        dead_letters,
        3,
        deferrals=deferrals or FakeDeferrals(),
    )
    return proc, dead_letters


def first_receive() -> InboundMessage:
    return InboundMessage("m1", "{}", {"type": EVENT_TYPE}, receive_count=1)


def test_validation_error_from_the_data_is_dead_lettered_at_once_naming_the_field():
    def parse_line(payload: object) -> None:
        Zemm004Record.model_validate({"quantity": "many"})

    proc, dead_letters = processor(parse_line)
    assert proc.process(first_receive()) is Outcome.DEAD_LETTERED
    [(error_type, error_message)] = dead_letters.sent
    assert error_type == "invalid-data"
    assert error_message.startswith("ValidationError: ")
    assert "quantity must be a number" in error_message


@pytest.mark.parametrize(
    "exc",
    [
        KeyError("net_weight_kg"),
        IndexError("list index out of range"),
        ValueError("rate_pct is not a percentage"),
        TypeError("unsupported operand type(s) for *: 'decimal.Decimal' and 'NoneType'"),
        InvalidOperation("quantize result has too many digits"),
        ZeroDivisionError("division by zero"),
    ],
    ids=lambda exc: type(exc).__name__,
)
def test_error_from_the_data_is_dead_lettered_at_once_with_its_exception(exc):
    proc, dead_letters = processor(failing_with(exc))
    assert proc.process(first_receive()) is Outcome.DEAD_LETTERED
    assert dead_letters.sent == [("invalid-data", f"{type(exc).__name__}: {exc}")]


def test_error_from_the_data_while_decoding_is_dead_lettered_at_once():
    def decode(message: InboundMessage) -> list[Work]:
        return [Work(KEY, EVENT_TYPE, "e1", "c1", json.loads(message.body)["detail"])]

    proc, dead_letters = processor(failing_with(AssertionError("not reached")), decode)
    assert proc.process(first_receive()) is Outcome.DEAD_LETTERED
    assert [error_type for error_type, _ in dead_letters.sent] == ["invalid-data"]


def test_dead_lettered_data_error_releases_its_claim_so_a_replay_after_the_fix_runs():
    idempotency = FakeIdempotency()
    app = ServiceApp("test", one_work, {EVENT_TYPE: failing_with(KeyError("material"))})
    MessageProcessor(
        app, idempotency, FakePublisher(), FakeDeadLetters(), 3, deferrals=FakeDeferrals()
    ).process(first_receive())
    assert idempotency.released == [KEY]


def throttled() -> ClientError:
    return ClientError({"Error": {"Code": "ThrottlingException"}}, "PutItem")


TRANSIENT_AWS_ERRORS = [
    EndpointConnectionError(endpoint_url="http://localhost:4566"),
    ConnectionClosedError(endpoint_url="http://localhost:4566"),
    ReadTimeoutError(endpoint_url="http://localhost:4566"),
    throttled(),
    TransientAwsError("SNS refused 1 of 10"),
]


@pytest.mark.parametrize("exc", TRANSIENT_AWS_ERRORS, ids=lambda exc: type(exc).__name__)
def test_aws_unavailable_defers_the_message_without_spending_its_receives(exc):
    deferrals = FakeDeferrals()
    proc, dead_letters = processor(failing_with(exc), deferrals=deferrals)
    last_receive = InboundMessage("m1", "{}", {"type": EVENT_TYPE}, receive_count=3)
    assert proc.process(last_receive) is Outcome.DEFERRED
    assert deferrals.after_outage == ["m1"] and dead_letters.sent == []


@pytest.mark.parametrize("exc", TRANSIENT_AWS_ERRORS[:1], ids=lambda exc: type(exc).__name__)
def test_aws_unavailable_past_the_budget_is_retried_then_dead_lettered(exc):
    proc, dead_letters = processor(failing_with(exc), deferrals=FakeDeferrals(budget_left=False))
    assert proc.process(first_receive()) is Outcome.RETRY
    last_receive = InboundMessage("m1", "{}", {"type": EVENT_TYPE}, receive_count=3)
    assert proc.process(last_receive) is Outcome.DEAD_LETTERED
    assert [error_type for error_type, _ in dead_letters.sent] == ["retries-exhausted"]


@pytest.mark.parametrize(
    "exc",
    [ConnectionError("network blip"), RuntimeError("something unforeseen")],
    ids=lambda exc: type(exc).__name__,
)
def test_unknown_error_is_retried_not_dead_lettered_nor_deferred(exc):
    deferrals = FakeDeferrals()
    proc, dead_letters = processor(failing_with(exc), deferrals=deferrals)
    assert proc.process(first_receive()) is Outcome.RETRY
    assert dead_letters.sent == [] and deferrals.after_outage == []


class UnreachableOnRelease(FakeIdempotency):
    def release(self, key: str) -> None:
        raise EndpointConnectionError(endpoint_url="http://localhost:4566")


def test_a_claim_that_cannot_be_released_is_left_to_its_lease_and_the_message_deferred():
    deferrals = FakeDeferrals()
    app = ServiceApp("test", one_work, {EVENT_TYPE: failing_with(throttled())})
    proc = MessageProcessor(
        app, UnreachableOnRelease(), FakePublisher(), FakeDeadLetters(), 3, deferrals=deferrals
    )
    assert proc.process(first_receive()) is Outcome.DEFERRED
    assert deferrals.after_outage == ["m1"]


def test_a_value_error_of_botocore_is_not_taken_for_the_data():
    proc, dead_letters = processor(failing_with(InvalidRegionError(region_name="not a region")))
    assert proc.process(first_receive()) is Outcome.RETRY
    assert dead_letters.sent == []


class LeasedElsewhere(FakeIdempotency):
    def claim(self, key: str) -> Claim:
        raise AlreadyInProgress(key, 42)


def test_message_meeting_a_live_lease_is_sent_again_after_the_lease_never_dead_lettered():
    dead_letters, deferrals = FakeDeadLetters(), FakeDeferrals()
    app = ServiceApp("test", one_work, {EVENT_TYPE: failing_with(AssertionError("not reached"))})
    proc = MessageProcessor(
        app, LeasedElsewhere(), FakePublisher(), dead_letters, 3, deferrals=deferrals
    )
    last_receive = InboundMessage("m1", "{}", {"type": EVENT_TYPE}, receive_count=3)
    assert proc.process(last_receive) is Outcome.DEFERRED
    assert deferrals.sent == [("m1", 42)] and dead_letters.sent == []


@pytest.fixture
def logging_configured_for_the_test():
    """configure_logging binds the streams of the moment, here pytest's captured ones, which
    are closed after the test: put back what the tests after this one log and count through."""
    config, stream = structlog.get_config(), metrics._writer.stream
    yield
    structlog.configure(**config)
    metrics._writer.stream = stream


def metric_records(output: str) -> list[dict]:
    return [record for line in output.splitlines() if "_aws" in (record := json.loads(line))]


def test_metrics_are_emitted_when_the_log_level_drops_info_lines(
    capsys, logging_configured_for_the_test
):
    configure_logging("WARNING")
    proc, _ = processor(lambda payload: [])
    assert proc.process(first_receive()) is Outcome.DONE
    [record] = metric_records(capsys.readouterr().out)
    assert (record["service"], record["type"], record["Processed"]) == ("test", EVENT_TYPE, 1)


def test_every_published_event_is_counted_by_service_and_type(
    capsys, logging_configured_for_the_test
):
    configure_logging("WARNING")
    alert = new_envelope(
        AlertRaisedV1(severity=Severity.ERROR, service="test", title="t", detail="d"),
        source="ior.test",
        subject="s",
        correlationid="c1",
        cause="e1",
    )
    proc, _ = processor(lambda payload: [alert, alert])
    assert proc.process(first_receive()) is Outcome.DONE
    published = [r for r in metric_records(capsys.readouterr().out) if "Published" in r]
    assert [(r["service"], r["type"], r["Published"]) for r in published] == [
        ("test", ALERT_RAISED, 2)
    ]
