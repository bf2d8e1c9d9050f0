"""An OIDC issuer inside the test: discovery, JWKS, authorize (code + PKCE) and token endpoints,
spoken over httpx's MockTransport, so the portal's sign-in runs as it would against Entra ID."""

from __future__ import annotations

import base64
import hashlib
import secrets
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlparse

import httpx
from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey

ISSUER = "https://issuer.test/tenant/v2.0"
AUDIENCE = "api://ior-portal"
CLIENT_ID = "ior-portal-client"


@dataclass
class InTestIssuer:
    key: RSAKey = field(
        default_factory=lambda: RSAKey.generate_key(2048, parameters={"kid": "k1"}, private=True)
    )
    codes: dict[str, dict[str, Any]] = field(default_factory=dict)

    def token(self, roles=("viewer",), *, key=None, **claims) -> str:
        now = int(time.time())
        payload = {
            "iss": ISSUER,
            "aud": AUDIENCE,
            "sub": "user-1",
            "name": "Pat Tester",
            "iat": now,
            "nbf": now - 5,
            "exp": now + 600,
            "roles": list(roles),
            **claims,
        }
        signer = key or self.key
        return jwt.encode({"alg": "RS256", "kid": signer.kid}, payload, signer)

    def authorize(self, location: str, roles=("operator",)) -> str:
        """What the user's browser does at the issuer: signs in, is sent back with a code."""
        query = {k: v[0] for k, v in parse_qs(urlparse(location).query).items()}
        assert query["code_challenge_method"] == "S256"
        code = secrets.token_urlsafe(16)
        self.codes[code] = {**query, "roles": roles}
        return f"/auth/callback?code={code}&state={query['state']}"

    def handle(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if path.endswith("/.well-known/openid-configuration"):
            return httpx.Response(
                200,
                json={
                    "issuer": ISSUER,
                    "authorization_endpoint": f"{ISSUER}/authorize",
                    "token_endpoint": f"{ISSUER}/token",
                    "jwks_uri": f"{ISSUER}/keys",
                },
            )
        if path.endswith("/keys"):
            return httpx.Response(200, json=KeySet([self.key]).as_dict(private=False))
        if path.endswith("/token"):
            form = {k: v[0] for k, v in parse_qs(request.content.decode()).items()}
            started = self.codes.pop(form.get("code", ""), None)
            if started is None or not _pkce_ok(form.get("code_verifier", ""), started):
                return httpx.Response(400, json={"error": "invalid_grant"})
            id_token = self.token(started["roles"], aud=CLIENT_ID, nonce=started["nonce"])
            return httpx.Response(200, json={"id_token": id_token, "token_type": "Bearer"})
        return httpx.Response(404)

    def client(self) -> httpx.Client:
        return httpx.Client(transport=httpx.MockTransport(self.handle))


def _pkce_ok(verifier: str, started: dict[str, Any]) -> bool:
    digest = hashlib.sha256(verifier.encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode() == started["code_challenge"]
