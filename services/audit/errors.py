"""Errors of this package; all are `IorError`s."""

from __future__ import annotations

from contracts.errors import IorError


class CalculationMismatch(IorError):
    """The calculation record an event points to belongs to another calculation."""

    error_type = "calculation-mismatch"


class AuditKeyTaken(IorError):
    """An audit key already holds bytes other than those audit came to write."""

    error_type = "audit-key-taken"
