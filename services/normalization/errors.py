"""Why the normalization of an accepted extract cannot be done (each goes to the DLQ with it)."""

from __future__ import annotations

from contracts.errors import IorError


class AcceptedRecordsUnreadable(IorError):
    """A line of an accepted-records file no longer parses with its feed's model."""

    error_type = "accepted-records-unreadable"

    def __init__(self, feed: str, line: int, reason: str) -> None:
        super().__init__(
            f"{feed} accepted records, line {line}: {reason}; the feed contract changed since "
            "ingestion accepted it: re-push the extract, then replay the DLQ"
        )
        self.feed = feed
        self.line = line


class UnsupportedFeed(IorError):
    """An accepted extract of a feed that normalization has no loader for."""

    error_type = "unsupported-feed"

    def __init__(self, feed: str) -> None:
        super().__init__(f"normalization has no loader for feed {feed!r}; deploy one, then replay")
        self.feed = feed
