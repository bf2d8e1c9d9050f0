"""OIDC tokens checked against the issuer's JWKS: signature, `iss`, `aud`, `exp` and `nbf`.

The key set is fetched once and again when a token names a key id it does not hold (the issuer
rotated its keys), at most once a minute so a stream of forged key ids cannot flood the issuer.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import httpx
from joserfc import jws, jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from services.portal.api.errors import Unauthenticated
from services.portal.api.roles import Principal

ALGORITHMS = ["RS256", "RS384", "RS512", "ES256", "ES384", "PS256"]
_REFRESH_AT_MOST_EVERY_SECONDS = 60
_LEEWAY_SECONDS = 30


def discovery(issuer: str, http: httpx.Client) -> dict[str, Any]:
    """The issuer's OpenID configuration (authorization, token and JWKS endpoints)."""
    url = issuer.rstrip("/") + "/.well-known/openid-configuration"
    response = http.get(url)
    response.raise_for_status()
    document: dict[str, Any] = response.json()
    return document


class RemoteKeySet:
    def __init__(
        self, fetch: Callable[[], dict[str, Any]], clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._fetch = fetch
        self._clock = clock
        self._keys: KeySet | None = None
        self._fetched_at = float("-inf")
        self._lock = threading.Lock()

    def keys(self, kid: str | None) -> KeySet:
        with self._lock:
            if self._keys is None or (
                not self._holds(kid)
                and self._clock() - self._fetched_at >= _REFRESH_AT_MOST_EVERY_SECONDS
            ):
                self._keys = KeySet.import_key_set(self._fetch())  # type: ignore[arg-type]
                self._fetched_at = self._clock()
            return self._keys

    def _holds(self, kid: str | None) -> bool:
        assert self._keys is not None
        return kid is None or any(key.kid == kid for key in self._keys.keys)


class TokenVerifier:
    def __init__(
        self,
        *,
        issuer: str,
        audience: str,
        roles_claim: str,
        key_set: RemoteKeySet,
        now: Callable[[], int] = lambda: int(time.time()),
    ) -> None:
        self._key_set = key_set
        self._roles_claim = roles_claim
        self._registry = jwt.JWTClaimsRegistry(
            now=now,
            leeway=_LEEWAY_SECONDS,
            iss={"essential": True, "value": issuer},
            aud={"essential": True, "value": audience},
            exp={"essential": True},
            sub={"essential": True},
        )

    def claims(self, token: str) -> dict[str, Any]:
        try:
            kid = jws.extract_compact(token.encode()).headers().get("kid")
            decoded = jwt.decode(token, self._key_set.keys(kid), algorithms=ALGORITHMS)
            self._registry.validate(decoded.claims)
        except (JoseError, ValueError) as exc:
            raise Unauthenticated(f"token refused: {_reason(exc)}") from exc
        return dict(decoded.claims)

    def principal(self, token: str) -> Principal:
        return Principal.from_claims(self.claims(token), self._roles_claim)


def _reason(exc: Exception) -> str:
    return getattr(exc, "description", None) or type(exc).__name__
