"""An idempotency record and its states."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Status(StrEnum):
    IN_PROGRESS = "IN_PROGRESS"
    COMPLETED = "COMPLETED"


class Claim(StrEnum):
    """What `IdempotencyStore.claim` decided for a key."""

    FRESH = "fresh"
    DUPLICATE = "duplicate"


@dataclass(frozen=True)
class IdempotencyRecord:
    key: str
    status: Status
    in_progress_expiry: int
    expires_at: int
