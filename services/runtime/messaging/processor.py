"""Processes one message: decode → claim → handle → publish → complete, or fail precisely.

The same object serves the long-poll worker and the Lambda adapter, so both behave alike:
- a permanent error (`IorError.permanent`) sends the message to the DLQ at once, with its reason;
- so does an error that comes from the message's data (or from code), such as a pydantic
  `ValidationError` or a `KeyError`: reason `invalid-data`, with the exception and its text;
- an error that says AWS is unavailable or throttling, still after botocore's own retries
  (`retries.is_transient`: refused or dropped connections, throttling, 5xx), defers the message
  with backoff without spending its receives, within the settings' transient budget (see
  `deferrals`): an outage of a few minutes ends with the message completed, not dead-lettered;
- anything else (and a transient error past that budget) is retried by SQS with backoff, and on
  the last allowed receive (the queue's `max_receive_count` in the topology) the message is
  dead-lettered with reason `retries-exhausted` and the last error, instead of silently by SQS;
- a message whose key another worker's live lease holds is deferred: sent again as a fresh copy
  delayed until the lease lapses (see `deferrals`), so the receives it spent waiting never count
  towards `max_receive_count`, and a crashed worker's message is completed, not dead-lettered;
- a claim that cannot be released after a failure (DynamoDB unreachable) is left to lapse: its
  lease expires by itself, and the next attempt defers until it has.

`HeldClaim` lets the worker's visibility heartbeat renew the lease of the work in progress.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from enum import StrEnum

import structlog
from botocore.exceptions import BotoCoreError

from contracts.errors import IorError
from services.runtime.aws.retries import is_transient
from services.runtime.errors import AlreadyInProgress, NoHandler
from services.runtime.messaging.dead_letters import DeadLetters
from services.runtime.messaging.deferrals import Deferrals
from services.runtime.messaging.idempotency import Claim, IdempotencyStore
from services.runtime.messaging.messages import Handled, InboundMessage, ServiceApp, Work
from services.runtime.messaging.publisher import Publisher
from services.runtime.metrics import emit_metrics, emit_published

log = structlog.get_logger("ior.processor")

INVALID_DATA = "invalid-data"
# What these raise, the same message raises again on every receive: retrying only delays its way to
# the DLQ. pydantic's ValidationError, pyarrow's ArrowInvalid and UnicodeDecodeError are
# ValueErrors, decimal.InvalidOperation an ArithmeticError, KeyError and IndexError LookupErrors.
_DATA_ERRORS = (ValueError, LookupError, ArithmeticError, TypeError)


class Outcome(StrEnum):
    DONE = "done"
    DEAD_LETTERED = "dead-lettered"
    DEFERRED = "deferred"
    RETRY = "retry"

    @property
    def settled(self) -> bool:
        """The message may be deleted from its queue."""
        return self is not Outcome.RETRY


@dataclass
class HeldClaim:
    """The key a message's work holds a lease on right now (None between works)."""

    key: str | None = None


class MessageProcessor:
    def __init__(
        self,
        app: ServiceApp,
        idempotency: IdempotencyStore,
        publisher: Publisher,
        dead_letters: DeadLetters,
        max_receive_count: int,
        *,
        deferrals: Deferrals,
    ) -> None:
        self._app = app
        self._idempotency = idempotency
        self._publisher = publisher
        self._dead_letters = dead_letters
        self._max_receive_count = max_receive_count
        self._deferrals = deferrals

    def renew(self, held: HeldClaim) -> None:
        """Renew the lease of the work in progress (called by the visibility heartbeat)."""
        key = held.key
        if key is not None:
            self._idempotency.renew(key)

    def process(self, message: InboundMessage, held: HeldClaim | None = None) -> Outcome:
        started = time.perf_counter()
        event_type = message.attributes.get("type", "unknown")
        with structlog.contextvars.bound_contextvars(
            service=self._app.name,
            message_id=message.message_id,
            correlationid=message.attributes.get("correlationid", "-"),
        ):
            outcome = self._process(message, held or HeldClaim())
            emit_metrics(self._app.name, event_type, outcome, time.perf_counter() - started)
            return outcome

    def _process(self, message: InboundMessage, held: HeldClaim) -> Outcome:
        try:
            for work in self._app.decode(message):
                self._process_work(work, held)
        except AlreadyInProgress as exc:
            return self._defer(message, exc)
        except IorError as exc:
            if exc.permanent:
                self._dead_letters.send(message, exc.error_type, str(exc))
                return Outcome.DEAD_LETTERED
            return self._retry_or_give_up(message, exc)
        except Exception as exc:
            if _from_data(exc):
                self._dead_letters.send(message, INVALID_DATA, _reason(exc))
                return Outcome.DEAD_LETTERED
            return self._retry_or_give_up(message, exc)
        return Outcome.DONE

    def _process_work(self, work: Work, held: HeldClaim) -> None:
        with structlog.contextvars.bound_contextvars(
            event_id=work.event_id, type=work.event_type, correlationid=work.correlationid
        ):
            if self._idempotency.claim(work.key) is Claim.DUPLICATE:
                return
            held.key = work.key
            try:
                handled = self._handle(work)
                self._publisher.publish(handled.envelopes)
            except BaseException:
                held.key = None
                self._release(work.key)
                raise
            emit_published(self._app.name, (envelope.type for envelope in handled.envelopes))
            held.key = None
            self._idempotency.complete(work.key)
            log.info("work.completed", key=work.key)
            for effect in handled.after_commit:
                try:
                    effect()
                except Exception as exc:
                    log.warning("work.after_commit_failed", key=work.key, error=str(exc))

    def _release(self, key: str) -> None:
        try:
            self._idempotency.release(key)
        except Exception as exc:  # the error that made the work fail is the one to report
            log.warning("idempotency.release_failed", key=key, error=_reason(exc), left_to="lease")

    def _handle(self, work: Work) -> Handled:
        handler = self._app.handlers.get(work.event_type)
        if handler is None:
            raise NoHandler(f"{self._app.name} has no handler for {work.event_type}")
        result = handler(work.payload)
        return result if isinstance(result, Handled) else Handled(result)

    def _defer(self, message: InboundMessage, exc: AlreadyInProgress) -> Outcome:
        try:
            self._deferrals.send_later(message, exc.lapses_in_seconds)
        except Exception as error:  # the message comes back after its visibility timeout
            log.warning("message.defer_failed", key=exc.key, error=_reason(error))
            return Outcome.RETRY
        return Outcome.DEFERRED

    def _retry_or_give_up(self, message: InboundMessage, exc: Exception) -> Outcome:
        reason = _reason(exc)
        if is_transient(exc) and self._wait_out(message, reason):
            return Outcome.DEFERRED
        if message.receive_count >= self._max_receive_count:
            self._dead_letters.send(message, "retries-exhausted", reason)
            return Outcome.DEAD_LETTERED
        log.warning("message.retry", receive_count=message.receive_count, error=reason)
        return Outcome.RETRY

    def _wait_out(self, message: InboundMessage, reason: str) -> bool:
        """Put the message back for after AWS's outage; False once its budget is spent."""
        try:
            deferred = self._deferrals.after_transient_error(message)
        except Exception as error:  # SQS unavailable too: the message comes back by itself
            log.warning("message.defer_failed", error=_reason(error))
            return False
        if deferred:
            log.warning("message.deferred_after_transient_error", error=reason)
        return deferred


def _from_data(exc: Exception) -> bool:
    # botocore raises a few ValueErrors of its own (unknown region or endpoint): not the data's.
    return isinstance(exc, _DATA_ERRORS) and not isinstance(exc, BotoCoreError)


def _reason(exc: Exception) -> str:
    return f"{type(exc).__name__}: {exc}"
