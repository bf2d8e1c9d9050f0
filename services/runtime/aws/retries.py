"""Which AWS errors are transient, and the one retry botocore does not do itself.

Botocore's standard mode (`clients.py`) is the retry layer for single calls. What is left here:
- `is_transient` tells the message processor that an error which survived botocore's attempts
  still comes from AWS being unavailable or throttling (not from the message), so the message is
  put back for later instead of being counted towards its DLQ;
- `transaction_retry` retries a DynamoDB transaction cancelled only because another transaction
  wrote the same items at that moment (`TransactionConflict`) or a table throttled it:
  botocore answers these with `TransactionCanceledException`, an error it never retries, since a
  cancelled transaction may also mean a failed condition, which sending it again cannot fix.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import ParamSpec, TypeVar

from botocore.exceptions import ClientError, HTTPClientError
from botocore.exceptions import ConnectionError as BotoConnectionError
from tenacity import retry, retry_if_exception, stop_after_attempt, wait_exponential_jitter

from services.runtime.errors import TransientAwsError

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
TRANSACTION_ATTEMPTS = 5


def is_transient(exc: BaseException) -> bool:
    """AWS could not be reached or refused to serve for now; the same request may succeed later."""
    if isinstance(exc, TransientAwsError | BotoConnectionError | HTTPClientError):
        return True
    if isinstance(exc, ClientError):
        error = exc.response.get("Error", {})
        status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
        code = error.get("Code", "")
        return code in TRANSIENT_CODES or status >= 500 or _cancelled_by_contention(exc)
    return False


def _cancelled_by_contention(exc: BaseException) -> bool:
    """A transaction cancelled only because another one wrote the same items at the same time
    (or the table throttled): the same request succeeds when sent again."""
    if not isinstance(exc, ClientError):
        return False
    if exc.response.get("Error", {}).get("Code") != "TransactionCanceledException":
        return False
    reasons = exc.response.get("CancellationReasons", [])
    codes = {reason.get("Code") for reason in reasons} - {"None", None}
    return bool(codes) and codes <= _CONTENTION


def transaction_retry(func: Callable[P, R]) -> Callable[P, R]:
    """Send a DynamoDB transaction again, with backoff, while contention alone cancels it."""
    return retry(
        retry=retry_if_exception(_cancelled_by_contention),
        wait=wait_exponential_jitter(multiplier=0.05, max=2, jitter=0.1),
        stop=stop_after_attempt(TRANSACTION_ATTEMPTS),
        reraise=True,
    )(func)
