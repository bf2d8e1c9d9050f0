"""The portal's errors: each one becomes a problem response with its own status."""

from __future__ import annotations

from contracts.errors import IorError


class InvalidCursor(IorError, ValueError):
    """A `cursor` parameter that no page of this query returned."""

    error_type = "invalid-cursor"


class InvalidQuery(IorError, ValueError):
    """A query the read model cannot answer as asked (the message says what to change)."""

    error_type = "invalid-query"


class NotFound(IorError, LookupError):
    """The calculation, extract, report or message asked for does not exist (yet)."""

    error_type = "not-found"


class UploadRefused(IorError, ValueError):
    """An uploaded file cannot be landed as asked (unknown feed, wrong type, too large)."""

    error_type = "upload-refused"
