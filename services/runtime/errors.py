"""Errors raised by the runtime; all are `IorError`s with a DLQ reason (`error_type`)."""

from __future__ import annotations

from contracts.errors import IorError
from contracts.topology import TOPOLOGY


class AlreadyInProgress(IorError):
    """Another worker's live lease holds this idempotency key: try again when it lapses."""

    error_type = "already-in-progress"
    permanent = False

    def __init__(self, key: str, lapses_in_seconds: int) -> None:
        super().__init__(
            f"{key} is being processed by another worker; its lease lapses in {lapses_in_seconds} s"
        )
        self.key = key
        self.lapses_in_seconds = lapses_in_seconds


class IdempotencyKeyMissing(IorError):
    """A message yielded no idempotency key; processing it could duplicate effects."""

    error_type = "idempotency-key-missing"


class TransientAwsError(IorError):
    """An AWS call kept failing with a throttling or availability error after retries."""

    error_type = "transient-aws-error"
    permanent = False


class ObjectMissing(IorError):
    """An S3 object an event points to does not exist (deleted, or never written)."""

    error_type = "object-missing"

    def __init__(self, uri: str) -> None:
        super().__init__(f"{uri} does not exist; re-push the file, then replay the DLQ")
        self.uri = uri


class ChecksumMismatch(IorError):
    """An object's SHA-256 differs from the one its event promised."""

    error_type = "checksum-mismatch"


class ReferenceRowUnreadable(IorError):
    """A reference table item no longer parses as its row model (written by another version)."""

    error_type = "reference-row-unreadable"

    def __init__(self, table: str, row_key: object, reason: str) -> None:
        super().__init__(
            f"{table} row {row_key!r} does not parse: {reason}; re-push the feed's extract "
            "(or restart the emulator if its tables are from an older version), then replay"
        )
        self.table = table
        self.row_key = row_key


class LandingError(IorError, ValueError):
    """A file cannot be pushed or uploaded as asked (the message says why)."""


class SettingsError(IorError, ValueError):
    """An environment variable holds a value ior cannot use."""


class InvalidFilter(IorError, ValueError):
    """A replay filter is not KEY=VALUE, or names the same attribute twice."""

    error_type = "invalid-filter"


class MoveTaskFailed(IorError):
    """SQS's message move task ended without moving everything; the rest is still in the DLQ."""

    error_type = "move-task-failed"


class ReplayDeleteFailed(IorError):
    """Messages reached the queue but could not be deleted from the DLQ; a later replay may send
    them again (same event ids, so idempotent consumers process them once)."""

    error_type = "replay-delete-failed"


class TableKeyDrift(IorError):
    """A table exists with another key than the topology's."""

    error_type = "table-key-drift"

    def __init__(self, table: str, found: list[str], wanted: list[str]) -> None:
        super().__init__(
            f"table {table} exists with key {', '.join(found)} but the topology defines "
            f"{', '.join(wanted)}; a key cannot change in place: delete the table (on a laptop: "
            "restart the emulator, e.g. `bash localstack/down.sh`) or migrate its items"
        )


class NoHandler(IorError):
    """The service received an event type it has no handler for (a subscription mistake)."""

    error_type = "no-handler"


class UnknownService(IorError, ValueError):
    """A command named a service that the topology does not define."""

    error_type = "unknown-service"

    def __init__(self, service: str) -> None:
        known = ", ".join(candidate.name for candidate in TOPOLOGY.services)
        super().__init__(f"unknown service {service!r}; choose one of: {known}")
        self.service = service
