"""`ior serve --dev-login`: a local OIDC issuer for trying the portal without Entra ID.

It has its own key pair (made at start, gone at exit), a JWKS, and a sign-in page where you pick
a role; it runs the same authorization-code flow with PKCE the portal runs against Entra ID.
The browser-facing page is a route of the portal's app (`/dev-issuer/authorize`); discovery,
keys and the token endpoint are answered in-process through the portal's HTTP client, so there
is no second server. Only for an emulator: `serve` refuses it against anything else.
"""

from __future__ import annotations

import html
import secrets
import time
from typing import Any
from urllib.parse import parse_qs, urlencode, urlparse

import httpx
from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey

from services.portal.api.oidc import code_challenge
from services.portal.api.roles import Role

PATH = "/dev-issuer"
AUDIENCE = "ior-portal-dev"
CLIENT_ID = "ior-portal-dev"
_TOKEN_SECONDS = 3600


class DevIssuer:
    def __init__(self, public_url: str) -> None:
        self.issuer = public_url.rstrip("/") + PATH
        self._key = RSAKey.generate_key(
            2048, parameters={"kid": secrets.token_hex(4)}, private=True
        )
        self._codes: dict[str, dict[str, str]] = {}

    def http_client(self) -> httpx.Client:
        """The portal's HTTP client: calls to this issuer are answered here."""
        return httpx.Client(transport=httpx.MockTransport(self._handle))

    def router(self) -> APIRouter:
        pages = APIRouter(prefix=PATH, include_in_schema=False)

        @pages.get("/authorize", response_class=HTMLResponse)
        def sign_in_page(request: Request) -> str:
            hidden = "".join(
                f'<input type="hidden" name="{html.escape(name)}" value="{html.escape(value)}">'
                for name, value in request.query_params.items()
            )
            buttons = "".join(
                f'<button name="role" value="{role}">{role}</button> ' for role in Role
            )
            return (
                "<!doctype html><title>ior dev sign-in</title><h1>ior dev sign-in</h1>"
                "<p>A local issuer for trying the portal: pick the role to sign in with.</p>"
                f'<form method="post">{hidden}{buttons}</form>'
            )

        @pages.post("/authorize")
        def sign_in(
            role: str = Form(),
            redirect_uri: str = Form(),
            state: str = Form(),
            nonce: str = Form(),
            code_challenge: str = Form(),
        ) -> RedirectResponse:
            code = secrets.token_urlsafe(24)
            self._codes[code] = {"role": role, "nonce": nonce, "challenge": code_challenge}
            return RedirectResponse(
                f"{redirect_uri}?{urlencode({'code': code, 'state': state})}", status_code=303
            )

        return pages

    def _handle(self, request: httpx.Request) -> httpx.Response:
        path = urlparse(str(request.url)).path.removeprefix(urlparse(self.issuer).path)
        if path == "/.well-known/openid-configuration":
            return httpx.Response(200, json=self._discovery())
        if path == "/keys":
            return httpx.Response(200, json=KeySet([self._key]).as_dict(private=False))
        if path == "/token":
            form = {k: v[0] for k, v in parse_qs(request.content.decode()).items()}
            started = self._codes.pop(form.get("code", ""), None)
            if (
                started is None
                or code_challenge(form.get("code_verifier", "")) != started["challenge"]
            ):
                return httpx.Response(400, json={"error": "invalid_grant"})
            return httpx.Response(
                200, json={"id_token": self._token(started), "token_type": "Bearer"}
            )
        return httpx.Response(404)

    def _discovery(self) -> dict[str, Any]:
        return {
            "issuer": self.issuer,
            "authorization_endpoint": f"{self.issuer}/authorize",
            "token_endpoint": f"{self.issuer}/token",
            "jwks_uri": f"{self.issuer}/keys",
        }

    def _token(self, started: dict[str, str]) -> str:
        now = int(time.time())
        claims = {
            "iss": self.issuer,
            "aud": CLIENT_ID,
            "sub": f"dev-{started['role']}",
            "name": f"Dev {started['role']}",
            "roles": [started["role"]],
            "nonce": started["nonce"],
            "iat": now,
            "nbf": now,
            "exp": now + _TOKEN_SECONDS,
        }
        return jwt.encode({"alg": "RS256", "kid": self._key.kid}, claims, self._key)
