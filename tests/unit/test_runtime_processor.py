"""What the processor does with a failure: an error that comes from the data goes to the DLQ at
once (retrying cannot help it), a transient or unknown one is retried (ARCHITECTURE.md)."""

import json
from decimal import InvalidOperation

import pytest
from botocore.exceptions import ClientError, EndpointConnectionError, InvalidRegionError

from contracts.feeds import Zemm004Record
from services.runtime.errors import AlreadyInProgress, TransientAwsError
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
    def __init__(self) -> None:
        self.sent: list[tuple[str, int]] = []

    def send_later(self, message: InboundMessage, lease_lapses_in: int) -> None:
        self.sent.append((message.message_id, lease_lapses_in))


def one_work(message: InboundMessage) -> list[Work]:
    return [Work(KEY, EVENT_TYPE, "e1", "c1", message.body)]


def failing_with(exc: Exception):
    def handler(payload: object) -> None:
        raise exc

    return handler


def processor(handler, decode=one_work) -> tuple[MessageProcessor, FakeDeadLetters]:
    dead_letters = FakeDeadLetters()
    app = ServiceApp("test", decode, {EVENT_TYPE: handler})
    proc = MessageProcessor(
        app, FakeIdempotency(), FakePublisher(), dead_letters, 3, deferrals=FakeDeferrals()
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


@pytest.mark.parametrize(
    "exc",
    [
        ConnectionError("network blip"),
        EndpointConnectionError(endpoint_url="http://localhost:4566"),
        throttled(),
        TransientAwsError("SNS refused 1 of 10"),
        RuntimeError("something unforeseen"),
    ],
    ids=lambda exc: type(exc).__name__,
)
def test_transient_or_unknown_error_is_retried_not_dead_lettered(exc):
    proc, dead_letters = processor(failing_with(exc))
    assert proc.process(first_receive()) is Outcome.RETRY
    assert dead_letters.sent == []


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
