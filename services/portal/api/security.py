"""Who is asking, and may they: a FastAPI dependency per permission.

A bearer token (`Authorization: Bearer …`, as API Gateway's JWT authorizer also checked it) is
verified here again, so the app is safe behind any front. Without one, the signed session cookie
counts; a state-changing request on it must carry the session's CSRF token in `X-CSRF-Token`
(a bearer token is never sent by a browser on its own, so it needs none).
"""

from __future__ import annotations

import hmac
from collections.abc import Callable

from fastapi import Request

from services.portal.api.errors import CsrfRejected, Forbidden, Unauthenticated
from services.portal.api.roles import Permission, Principal
from services.portal.api.session import CSRF_HEADER, SESSION_COOKIE, SignedCookies
from services.portal.api.tokens import TokenVerifier

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class Guard:
    def __init__(self, verifier: TokenVerifier, cookies: SignedCookies) -> None:
        self._verifier = verifier
        self._cookies = cookies

    def principal(self, request: Request) -> Principal:
        header = request.headers.get("authorization")
        if header is not None:
            scheme, _, token = header.partition(" ")
            if scheme.lower() != "bearer" or not token.strip():
                raise Unauthenticated("the Authorization header must be `Bearer <token>`")
            return self._verifier.principal(token.strip())
        cookie = request.cookies.get(SESSION_COOKIE)
        if cookie is None:
            raise Unauthenticated("sign in: no bearer token and no session")
        session = self._cookies.read_session(cookie)
        if request.method not in SAFE_METHODS:
            sent = request.headers.get(CSRF_HEADER, "")
            if not hmac.compare_digest(sent.encode(), session.csrf_token.encode()):
                raise CsrfRejected(f"send the session's CSRF token in {CSRF_HEADER}")
        return session.principal

    def csrf_token(self, request: Request) -> str | None:
        """The token a page sends back on state-changing requests (None without a session)."""
        cookie = request.cookies.get(SESSION_COOKIE)
        if cookie is None or "authorization" in request.headers:
            return None
        return self._cookies.read_session(cookie).csrf_token

    def require(self, permission: Permission) -> Callable[[Request], Principal]:
        def dependency(request: Request) -> Principal:
            principal = self.principal(request)
            if not principal.may(permission):
                roles = ", ".join(sorted(principal.roles)) or "none"
                raise Forbidden(f"{permission} is not allowed for your roles ({roles})")
            return principal

        return dependency
