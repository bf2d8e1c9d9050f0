"""Replays a service's dead letters to its queue without ever losing one.

Two ways, and the summary says which ran:
- SQS `StartMessageMoveTask` (AWS, LocalStack) when every message goes back unchanged: no filter,
  no `--max`, no dry run. The task moves messages server-side, fast and unattended, but it cannot
  add `replay_count` nor apply the loop guard: messages keep the count they had. A later
  receive/send/delete replay still sees and enforces that count.
- receive/send/delete otherwise, and wherever the endpoint does not implement the task (moto).
  Each message is sent to the queue with its body and attributes plus `replay_count + 1`, and
  deleted from the DLQ only after that send succeeded. An interruption at any point therefore
  leaves every message in the DLQ, in the queue, or (killed between send and delete) in both with
  the same body and event id, which idempotent consumers process once.
  A run takes each message once: one it sent back and the service dead-letters again while the
  run goes on (same body, the `replay_count` the run gave it) is left in the DLQ and reported as
  returned, instead of being replayed again until the loop guard stops it.
"""

from __future__ import annotations

import contextlib
import hashlib
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING

import boto3
import structlog
from botocore.config import Config
from botocore.exceptions import ClientError

from services.runtime.aws.clients import AwsClients
from services.runtime.aws.names import NameResolver
from services.runtime.aws.queues import queue_depth
from services.runtime.aws.retries import is_transient
from services.runtime.errors import InvalidFilter, MoveTaskFailed, ReplayDeleteFailed
from services.runtime.operations.dlq import (
    REPLAY_COUNT,
    SQS_BATCH,
    DlqMessage,
    ServiceQueues,
    receive,
    replay_count,
    service_queues,
    set_visibility,
)

if TYPE_CHECKING:
    from mypy_boto3_sqs import SQSClient
    from mypy_boto3_sqs.type_defs import (
        ListMessageMoveTasksResultEntryTypeDef,
        MessageAttributeValueOutputTypeDef,
        MessageAttributeValueTypeDef,
    )

log = structlog.get_logger("ior.replay")

DEFAULT_REPLAY_LIMIT = 3
Progress = Callable[[int, int], None]
"""Called with (messages handled so far, messages in the DLQ when the replay started)."""

# A message being moved is hidden this long: enough for its send and delete, short enough that a
# killed replay's messages are soon visible in the DLQ again.
_MOVE_VISIBILITY_SECONDS = 20
# Messages a run leaves in the DLQ (filtered out, refused, failed) are hidden for the rest of the
# run so that it does not read them again, and released when it ends; after a kill they reappear
# on their own within this time.
_HOLD_SECONDS = 600
_TASK_POLL_SECONDS = 1.0
_MOVE_TASK_MAX_RATE = 500  # the API's ceiling for MaxNumberOfMessagesPerSecond
# How endpoints answer an operation they do not implement: moto with a bare HTTP 500 (its body
# is HTML, so botocore names the error after the status), others with 501 or one of these codes.
# AWS's own 4xx `UnsupportedOperation` is not among them: it means "not for this queue" or
# "a task is already running", which the operator must see.
_NOT_IMPLEMENTED_CODES = frozenset({"500", "501", "NotImplemented", "InvalidAction"})


class ReplayMethod(StrEnum):
    MOVE_TASK = "StartMessageMoveTask"
    RECEIVE_SEND_DELETE = "receive/send/delete"
    DRY_RUN = "dry run (receive only, nothing moved)"


class Verdict(StrEnum):
    MOVE = "move"
    SKIP = "skip"  # does not match the filters: not this replay's business
    REFUSE = "refuse"  # the loop guard: replayed too often already
    RETURNED = "returned"  # this run sent it back and the service dead-lettered it again


def parse_filters(expressions: Iterable[str]) -> dict[str, str]:
    """`["type=ior.alert.raised", "error_type=object-missing"]` → a dict; every one must match."""
    filters: dict[str, str] = {}
    for expression in expressions:
        name, separator, value = expression.partition("=")
        name, value = name.strip(), value.strip()
        if not separator or not name or not value:
            raise InvalidFilter(
                f"filter {expression!r} is not KEY=VALUE, e.g. type=ior.alert.raised"
            )
        if name in filters:
            raise InvalidFilter(
                f"filter {name!r} given twice; a message has one value per attribute"
            )
        filters[name] = value
    return filters


def verdict(
    attributes: Mapping[str, str], filters: Mapping[str, str], replay_limit: int
) -> Verdict:
    if any(attributes.get(name) != value for name, value in filters.items()):
        return Verdict.SKIP
    count = replay_count(attributes)
    if count is None or count >= replay_limit:
        return Verdict.REFUSE
    return Verdict.MOVE


def replayed_attributes(
    attributes: Mapping[str, MessageAttributeValueOutputTypeDef],
) -> dict[str, MessageAttributeValueTypeDef]:
    """The attributes as received, with `replay_count` one higher (only for messages the loop
    guard let through, whose count is readable)."""
    copied: dict[str, MessageAttributeValueTypeDef] = {}
    for name, value in attributes.items():
        # Only the value itself: SQS rejects the reserved list fields some endpoints echo back.
        copied[name] = {"DataType": value["DataType"]}
        if "StringValue" in value:
            copied[name]["StringValue"] = value["StringValue"]
        if "BinaryValue" in value:
            copied[name]["BinaryValue"] = value["BinaryValue"]
    text = {name: value["StringValue"] for name, value in copied.items() if "StringValue" in value}
    count = (replay_count(text) or 0) + 1
    copied[REPLAY_COUNT] = {"DataType": "Number", "StringValue": str(count)}
    return copied


def batch_size(rate_per_second: float | None, remaining: int | None) -> int:
    """Messages to receive at once: about one second's worth when rate-limited, so that few are
    hidden in flight at any moment."""
    size = SQS_BATCH if rate_per_second is None else max(1, min(SQS_BATCH, int(rate_per_second)))
    return size if remaining is None else min(size, remaining)


@dataclass
class RateLimiter:
    """A token bucket: `rate_per_second` on average, bursts of at most one second's worth."""

    rate_per_second: float
    clock: Callable[[], float] = time.monotonic
    sleep: Callable[[float], None] = time.sleep
    _tokens: float = field(init=False)
    _updated: float = field(init=False)

    def __post_init__(self) -> None:
        if self.rate_per_second <= 0:
            raise ValueError(f"rate must be positive, not {self.rate_per_second}")
        self._tokens = self._capacity
        self._updated = self.clock()

    @property
    def _capacity(self) -> float:
        return max(1.0, self.rate_per_second)

    def delay_for(self, count: int) -> float:
        """Take `count` tokens, on credit if need be; returns the seconds to wait before use."""
        now = self.clock()
        elapsed = now - self._updated
        self._tokens = min(self._capacity, self._tokens + elapsed * self.rate_per_second)
        self._updated = now
        self._tokens -= count
        return max(0.0, -self._tokens / self.rate_per_second)

    def acquire(self, count: int) -> None:
        self.sleep(self.delay_for(count))

    def refund(self, count: int) -> None:
        """Give back tokens taken for messages that were not moved after all."""
        self._tokens = min(self._capacity, self._tokens + count)


def move_task_unsupported(error_code: str, http_status: int) -> bool:
    return http_status == 501 or error_code in _NOT_IMPLEMENTED_CODES


@dataclass(frozen=True)
class NotReplayed:
    """A message this replay left in the DLQ, and why."""

    message_id: str
    event_id: str | None
    type: str | None
    reason: str


@dataclass(frozen=True)
class ReplaySummary:
    service: str
    method: ReplayMethod
    method_reason: str
    moved: int
    matched: int  # passed filters and loop guard (in a dry run: would have been moved)
    skipped: int  # did not match the filters
    refused: tuple[NotReplayed, ...] = ()
    failed: tuple[NotReplayed, ...] = ()
    returned: tuple[NotReplayed, ...] = ()  # dead-lettered again during this run: left alone


def replay(
    clients: AwsClients,
    names: NameResolver,
    service: str,
    *,
    filters: Mapping[str, str] | None = None,
    dry_run: bool = False,
    max_messages: int | None = None,
    rate_per_second: float | None = None,
    replay_limit: int = DEFAULT_REPLAY_LIMIT,
    progress: Progress | None = None,
) -> ReplaySummary:
    """Move the service's dead letters back to its queue (see the module docstring for how)."""
    if max_messages is not None and max_messages < 1:
        raise ValueError(f"max_messages must be at least 1, not {max_messages}")
    if replay_limit < 1:
        raise ValueError(f"replay_limit must be at least 1, not {replay_limit}")
    queues = service_queues(service)
    filters = dict(filters or {})
    limiter = RateLimiter(rate_per_second) if rate_per_second is not None else None
    if dry_run:
        reason = ""
    elif filters or max_messages is not None:
        reason = "filters and a maximum need a decision per message"
    elif rate_per_second is not None and rate_per_second < 1:
        reason = "a move task's rate is a whole number of messages a second"
    else:
        moved = _move_with_task(clients, names, queues, rate_per_second, progress)
        if moved is not None:
            return ReplaySummary(service, ReplayMethod.MOVE_TASK, "", moved, moved, 0)
        reason = "the endpoint does not implement StartMessageMoveTask"
    run = _MessageByMessage(
        clients.sqs,
        names.queue_url(queues.dlq),
        names.queue_url(queues.queue),
        filters=filters,
        dry_run=dry_run,
        max_messages=max_messages,
        replay_limit=replay_limit,
        limiter=limiter,
        progress=progress,
        total=queue_depth(clients, names, queues.dlq).visible,
    )
    run.run()
    return ReplaySummary(
        service=service,
        method=ReplayMethod.DRY_RUN if dry_run else ReplayMethod.RECEIVE_SEND_DELETE,
        method_reason=reason,
        moved=run.moved,
        matched=run.matched,
        skipped=run.skipped,
        refused=tuple(run.refused),
        failed=tuple(run.failed),
        returned=tuple(run.returned),
    )


def _move_with_task(
    clients: AwsClients,
    names: NameResolver,
    queues: ServiceQueues,
    rate_per_second: float | None,
    progress: Progress | None,
) -> int | None:
    """Messages moved by an SQS move task, or None when the endpoint has no such task."""
    source_arn = names.queue_arn(queues.dlq)
    rate = {}
    if rate_per_second is not None:  # at least 1 here; a fraction is rounded down, never up
        rate["MaxNumberOfMessagesPerSecond"] = min(_MOVE_TASK_MAX_RATE, int(rate_per_second))
    try:
        handle = _single_attempt(clients.sqs).start_message_move_task(
            SourceArn=source_arn, DestinationArn=names.queue_arn(queues.queue), **rate
        )["TaskHandle"]
    except ClientError as exc:
        error = exc.response.get("Error", {})
        status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
        if move_task_unsupported(str(error.get("Code", "")), status):
            log.info("replay.move_task_unsupported", code=error.get("Code"))
            return None
        raise
    try:
        task = _wait_for_task(clients.sqs, source_arn, progress)
    except KeyboardInterrupt:
        # Stop the server-side move too: what it moved stays moved, the rest stays in the DLQ.
        with contextlib.suppress(ClientError):  # it may have finished meanwhile
            clients.sqs.cancel_message_move_task(TaskHandle=handle)
        raise
    moved = task.get("ApproximateNumberOfMessagesMoved", 0)
    if task.get("Status") != "COMPLETED":
        raise MoveTaskFailed(
            f"the move task from {queues.dlq} ended {task.get('Status')} after moving {moved}: "
            f"{task.get('FailureReason', 'no reason given')}; the rest is still in the DLQ"
        )
    return moved


def _single_attempt(sqs: SQSClient) -> SQSClient:
    """A twin of `sqs` that does not retry: an endpoint without move tasks answers with a 500
    that the shared client would retry for seconds before the fallback could start."""
    config = sqs.meta.config.merge(Config(retries={"total_max_attempts": 1, "mode": "standard"}))
    return boto3.session.Session().client(
        "sqs", region_name=sqs.meta.region_name, endpoint_url=sqs.meta.endpoint_url, config=config
    )


def _wait_for_task(
    sqs: SQSClient, source_arn: str, progress: Progress | None
) -> ListMessageMoveTasksResultEntryTypeDef:
    while True:
        # The most recent task is ours: SQS runs one move task per queue at a time.
        results = sqs.list_message_move_tasks(SourceArn=source_arn, MaxResults=1)["Results"]
        task: ListMessageMoveTasksResultEntryTypeDef = results[0] if results else {}
        if progress is not None and "ApproximateNumberOfMessagesToMove" in task:
            moved = task.get("ApproximateNumberOfMessagesMoved", 0)
            progress(moved, task["ApproximateNumberOfMessagesToMove"])
        if task.get("Status") not in {None, "RUNNING", "CANCELLING"}:
            return task
        time.sleep(_TASK_POLL_SECONDS)


class _MessageByMessage:
    """One receive/send/delete (or dry) run over a DLQ; counts what it did.

    Every message it received and has not deleted is "in hand". Those it leaves in the DLQ
    (filtered out, refused, failed) are hidden for the rest of the run so that it does not read
    them again; on any exit, Ctrl-C included, all in hand are made visible again at once.
    """

    def __init__(
        self,
        sqs: SQSClient,
        dlq_url: str,
        queue_url: str,
        *,
        filters: Mapping[str, str],
        dry_run: bool,
        max_messages: int | None,
        replay_limit: int,
        limiter: RateLimiter | None,
        progress: Progress | None,
        total: int,
    ) -> None:
        self._sqs, self._dlq_url, self._queue_url = sqs, dlq_url, queue_url
        self._filters, self._dry_run, self._max = filters, dry_run, max_messages
        self._replay_limit, self._limiter = replay_limit, limiter
        self._progress, self._total = progress, total
        self._in_hand: dict[str, str] = {}  # message id → latest receipt handle
        # (SHA-256 of the body, replay_count) of every message this run sent back: the service
        # dead-letters a failure with body and attributes unchanged, under a new message id.
        self._sent: set[tuple[str, int | None]] = set()
        self._handled = 0
        self.moved = self.matched = self.skipped = 0
        self.refused: list[NotReplayed] = []
        self.failed: list[NotReplayed] = []
        self.returned: list[NotReplayed] = []

    def run(self) -> None:
        try:
            while self._max is None or self.matched < self._max:
                remaining = None if self._max is None else self._max - self.matched
                rate = None if self._limiter is None else self._limiter.rate_per_second
                count = batch_size(rate, remaining)
                if self._limiter is not None and not self._dry_run:
                    self._limiter.acquire(count)
                batch = receive(self._sqs, self._dlq_url, count, _MOVE_VISIBILITY_SECONDS)
                if not batch:
                    break
                self._handle(batch, count)
        finally:
            set_visibility(self._sqs, self._dlq_url, list(self._in_hand.values()), 0)

    def _handle(self, batch: list[DlqMessage], tokens: int) -> None:
        to_move: list[DlqMessage] = []
        to_hold: list[DlqMessage] = []
        for message in batch:
            seen = message.message_id in self._in_hand  # left here earlier; its hold ran out
            self._in_hand[message.message_id] = message.receipt_handle
            decision = Verdict.SKIP if seen else self._decide(message)
            if decision is Verdict.MOVE and not self._dry_run:
                to_move.append(message)
            else:
                to_hold.append(message)
        self._hold(to_hold)
        self._move(to_move)
        if self._limiter is not None and not self._dry_run:
            self._limiter.refund(tokens - len(to_move))
        if self._progress is not None:
            self._progress(self._handled, max(self._total, self._handled))

    def _decide(self, message: DlqMessage) -> Verdict:
        self._handled += 1
        text = message.text_attributes
        if _identity(message.body, replay_count(text)) in self._sent:
            reason = "dead-lettered again after this replay sent it back"
            self.returned.append(_not_replayed(message, reason))
            return Verdict.RETURNED
        decision = verdict(text, self._filters, self._replay_limit)
        if decision is Verdict.SKIP:
            self.skipped += 1
        elif decision is Verdict.REFUSE:
            limit = self._replay_limit
            reason = f"replay_count {text.get(REPLAY_COUNT)} reached the limit {limit}"
            self.refused.append(_not_replayed(message, reason))
        else:
            self.matched += 1
        return decision

    def _hold(self, messages: list[DlqMessage]) -> None:
        handles = [message.receipt_handle for message in messages]
        set_visibility(self._sqs, self._dlq_url, handles, _HOLD_SECONDS)

    def _move(self, messages: list[DlqMessage]) -> None:
        sent: list[DlqMessage] = []
        try:
            for message in messages:
                if self._send(message):
                    sent.append(message)
        finally:  # also on Ctrl-C: what reached the queue leaves the DLQ
            self._delete(sent)

    def _send(self, message: DlqMessage) -> bool:
        attributes = replayed_attributes(message.attributes)
        try:
            self._sqs.send_message(
                QueueUrl=self._queue_url, MessageBody=message.body, MessageAttributes=attributes
            )
        except ClientError as exc:
            if is_transient(exc):
                raise
            self.failed.append(_not_replayed(message, f"the queue refused it: {exc}"))
            self._hold([message])
            return False
        self._sent.add(_identity(message.body, int(attributes[REPLAY_COUNT]["StringValue"])))
        return True

    def _delete(self, messages: list[DlqMessage]) -> None:
        if not messages:
            return
        response = self._sqs.delete_message_batch(
            QueueUrl=self._dlq_url,
            Entries=[
                {"Id": str(index), "ReceiptHandle": message.receipt_handle}
                for index, message in enumerate(messages)
            ],
        )
        failed_ids = {int(failure["Id"]) for failure in response.get("Failed", [])}
        for index, message in enumerate(messages):
            if index not in failed_ids:
                del self._in_hand[message.message_id]
                self.moved += 1
        if failed_ids:
            raise ReplayDeleteFailed(
                f"{len(failed_ids)} message(s) reached the queue but are still in the DLQ "
                f"({response['Failed'][0].get('Message')}); replaying them again is harmless"
            )


def _identity(body: str, count: int | None) -> tuple[str, int | None]:
    return hashlib.sha256(body.encode()).hexdigest(), count


def _not_replayed(message: DlqMessage, reason: str) -> NotReplayed:
    return NotReplayed(
        message.message_id, message.event_id, message.text_attributes.get("type"), reason
    )
