"""The error family shared by every part of ior.

Each error names the DLQ reason it maps to (`error_type`) and whether retrying can ever help
(`permanent`). Callers catch exactly the class they can handle; the runtime turns the rest into a
DLQ entry whose attributes tell an operator what went wrong and what to do.
"""

from __future__ import annotations


class IorError(Exception):
    """Base of every error ior raises on purpose."""

    error_type = "error"
    permanent = True


class UnsupportedEventVersion(IorError):
    """An event arrived with a major version its consumer does not (or no longer) understand."""

    error_type = "unsupported-version"

    def __init__(self, event_type: str, version: int, supported: tuple[int, ...]) -> None:
        known = ", ".join(f"v{v}" for v in supported) or "none"
        super().__init__(
            f"{event_type} v{version} is not supported here (supported: {known}); "
            "deploy a consumer that understands it, then replay the DLQ"
        )
        self.event_type = event_type
        self.version = version


class UnknownEventType(IorError):
    """An event type that no contract defines."""

    error_type = "unknown-event-type"

    def __init__(self, event_type: str) -> None:
        super().__init__(f"no contract defines event type {event_type!r}")
        self.event_type = event_type


class MalformedEvent(IorError):
    """A message body that is not a valid envelope, or whose data breaks its model."""

    error_type = "malformed-event"


class AuditObjectUnverified(IorError):
    """An audit object does not match what the index recorded for it (or the index entry does
    not say which version it is): it is not shown as the audit record."""

    error_type = "audit-object-unverified"
