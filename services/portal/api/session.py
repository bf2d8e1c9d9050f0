"""Cookie sessions: a short JWT signed with the portal's own secret (HS256), HttpOnly, Secure,
SameSite=Lax. It holds who signed in, their roles and the CSRF token a page must send back in
`X-CSRF-Token` with every state-changing request (the cookie alone never authorises one)."""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import OctKey

from services.portal.api.errors import Unauthenticated
from services.portal.api.roles import Principal, known_roles

SESSION_COOKIE = "ior_session"
LOGIN_COOKIE = "ior_login"  # state, nonce and PKCE verifier between login and callback
CSRF_HEADER = "X-CSRF-Token"
LOGIN_SECONDS = 600


@dataclass(frozen=True)
class Session:
    principal: Principal
    csrf_token: str


class SignedCookies:
    def __init__(
        self,
        secret: str,
        *,
        session_seconds: int,
        now: Callable[[], int] = lambda: int(time.time()),
    ) -> None:
        self._key = OctKey.import_key(secret.encode())
        self._seconds = session_seconds
        self._now = now

    def session(self, principal: Principal) -> str:
        return self._sign(
            {
                "purpose": SESSION_COOKIE,
                "sub": principal.subject,
                "name": principal.name,
                "roles": sorted(principal.roles),
                "csrf": secrets.token_urlsafe(32),
            },
            self._seconds,
        )

    def read_session(self, cookie: str) -> Session:
        claims = self._verify(cookie, SESSION_COOKIE)
        principal = Principal(
            subject=str(claims["sub"]),
            name=str(claims.get("name", claims["sub"])),
            roles=known_roles(claims.get("roles", [])),
        )
        return Session(principal, str(claims["csrf"]))

    def login(self, state: str, nonce: str, verifier: str, return_to: str) -> str:
        return self._sign(
            {
                "purpose": LOGIN_COOKIE,
                "state": state,
                "nonce": nonce,
                "verifier": verifier,
                "return_to": return_to,
            },
            LOGIN_SECONDS,
        )

    def read_login(self, cookie: str) -> dict[str, Any]:
        return self._verify(cookie, LOGIN_COOKIE)

    def _sign(self, claims: dict[str, Any], seconds: int) -> str:
        now = self._now()
        return jwt.encode({"alg": "HS256"}, {**claims, "iat": now, "exp": now + seconds}, self._key)

    def _verify(self, cookie: str, purpose: str) -> dict[str, Any]:
        try:
            token = jwt.decode(cookie, self._key, algorithms=["HS256"])
            jwt.JWTClaimsRegistry(now=self._now, exp={"essential": True}).validate(token.claims)
        except (JoseError, ValueError) as exc:
            raise Unauthenticated("the session is invalid or has expired: sign in again") from exc
        if token.claims.get("purpose") != purpose:
            raise Unauthenticated("the session is invalid: sign in again")
        return dict(token.claims)
