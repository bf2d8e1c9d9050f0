"""Refusals of the API's edge: who is asking, and may they."""

from __future__ import annotations

from contracts.errors import IorError


class Unauthenticated(IorError):
    """No valid token or session: missing, badly signed, expired, or for another audience."""

    error_type = "unauthenticated"


class Forbidden(IorError):
    """A valid identity whose roles do not allow this action."""

    error_type = "forbidden"


class CsrfRejected(IorError):
    """A state-changing request on a cookie session without the session's CSRF token."""

    error_type = "csrf-rejected"


class LoginFailed(IorError):
    """The authorization-code flow did not complete (state, code or token refused)."""

    error_type = "login-failed"
