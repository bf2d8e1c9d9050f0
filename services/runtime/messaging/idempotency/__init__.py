"""Exactly-once effects on at-least-once delivery; see `store.IdempotencyStore`."""

from services.runtime.messaging.idempotency.record import Claim, IdempotencyRecord, Status
from services.runtime.messaging.idempotency.store import IdempotencyStore

__all__ = ["Claim", "IdempotencyRecord", "IdempotencyStore", "Status"]
