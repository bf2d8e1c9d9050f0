"""Retries for transient AWS errors only: throttling, 5xx and dropped connections.

A permanent error (access denied, validation, missing object) is never retried here: retrying it
only delays the message's way to the DLQ, where an operator can act on it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import ParamSpec, TypeVar

from botocore.exceptions import (
    ClientError,
    ConnectionClosedError,
    EndpointConnectionError,
    ReadTimeoutError,
)
from tenacity import retry, retry_if_exception, stop_after_attempt, wait_exponential_jitter

P = ParamSpec("P")
R = TypeVar("R")

TRANSIENT_CODES = frozenset(
    {
        "Throttling",
        "ThrottlingException",
        "ThrottledException",
        "RequestLimitExceeded",
        "ProvisionedThroughputExceededException",
        "TooManyRequestsException",
        "SlowDown",
        "RequestTimeout",
        "RequestTimeoutException",
        "ServiceUnavailable",
        "InternalError",
        "InternalFailure",
        "InternalServerError",
        "KMSThrottlingException",
        "TransactionInProgressException",
    }
)
_CONTENTION = frozenset({"TransactionConflict", "ThrottlingError", "ProvisionedThroughputExceeded"})


def is_transient(exc: BaseException) -> bool:
    if isinstance(exc, EndpointConnectionError | ConnectionClosedError | ReadTimeoutError):
        return True
    if isinstance(exc, ClientError):
        error = exc.response.get("Error", {})
        status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
        code = error.get("Code", "")
        return code in TRANSIENT_CODES or status >= 500 or _cancelled_by_contention(exc)
    return False


def _cancelled_by_contention(exc: ClientError) -> bool:
    """A transaction cancelled only because another one wrote the same items at the same time
    (or the table throttled): the same request succeeds when sent again."""
    if exc.response.get("Error", {}).get("Code") != "TransactionCanceledException":
        return False
    reasons = exc.response.get("CancellationReasons", [])
    codes = {reason.get("Code") for reason in reasons} - {"None", None}
    return bool(codes) and codes <= _CONTENTION


def aws_retry(func: Callable[P, R]) -> Callable[P, R]:
    """Retry `func` with exponential backoff and jitter while it fails transiently."""
    return retry(
        retry=retry_if_exception(is_transient),
        wait=wait_exponential_jitter(multiplier=0.2, max=5, jitter=0.2),
        stop=stop_after_attempt(5),
        reraise=True,
    )(func)
