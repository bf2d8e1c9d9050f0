"""Exactly-once effects on at-least-once delivery; see `store.IdempotencyStore`."""

from services.runtime.idempotency.record import Claim, IdempotencyRecord, Status
from services.runtime.idempotency.store import IdempotencyStore

__all__ = ["Claim", "IdempotencyRecord", "IdempotencyStore", "Status"]
