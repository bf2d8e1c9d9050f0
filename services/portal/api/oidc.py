"""Sign-in by the OIDC authorization-code flow with PKCE (S256), ending in a session cookie.

`/auth/login` sends the browser to the issuer with a fresh state, nonce and code challenge kept
in a signed, short-lived cookie; `/auth/callback` checks the state, redeems the code with the
verifier at the token endpoint, verifies the ID token like any bearer token (plus its nonce)
and sets the session. Entra ID is such an issuer; so is the local one of `ior serve --dev-login`.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import urlencode

import httpx
from fastapi import APIRouter, Cookie, Response
from fastapi.responses import RedirectResponse

from services.portal.api.errors import LoginFailed
from services.portal.api.roles import Principal
from services.portal.api.session import LOGIN_COOKIE, SESSION_COOKIE, SignedCookies
from services.portal.api.settings import PortalSettings
from services.portal.api.tokens import TokenVerifier


@dataclass(frozen=True)
class OidcEndpoints:
    authorization: str
    token: str

    @classmethod
    def from_discovery(cls, document: dict[str, Any]) -> OidcEndpoints:
        return cls(document["authorization_endpoint"], document["token_endpoint"])


def code_challenge(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def router(
    settings: PortalSettings,
    endpoints: OidcEndpoints,
    verifier: TokenVerifier,
    cookies: SignedCookies,
    http: httpx.Client,
) -> APIRouter:
    auth = APIRouter(prefix="/auth", tags=["sign-in"])
    callback_url = settings.public_url.rstrip("/") + "/auth/callback"

    def set_cookie(response: Response, name: str, value: str, max_age: int) -> None:
        response.set_cookie(
            name,
            value,
            max_age=max_age,
            httponly=True,
            secure=settings.cookie_secure,
            samesite="lax",  # sent on the issuer's top-level redirect back, not on cross-site posts
            path="/",
        )

    @auth.get("/login", summary="start sign-in at the issuer")
    def login(return_to: str = "/") -> RedirectResponse:
        state, nonce = secrets.token_urlsafe(24), secrets.token_urlsafe(24)
        code_verifier = secrets.token_urlsafe(48)
        query = urlencode(
            {
                "response_type": "code",
                "client_id": settings.oidc_client_id,
                "redirect_uri": callback_url,
                "scope": "openid profile",
                "state": state,
                "nonce": nonce,
                "code_challenge": code_challenge(code_verifier),
                "code_challenge_method": "S256",
            }
        )
        response = RedirectResponse(f"{endpoints.authorization}?{query}", status_code=302)
        local = return_to if return_to.startswith("/") and not return_to.startswith("//") else "/"
        set_cookie(response, LOGIN_COOKIE, cookies.login(state, nonce, code_verifier, local), 600)
        return response

    @auth.get("/callback", summary="the issuer's redirect back with a code")
    def callback(
        code: str | None = None,
        state: str | None = None,
        error: str | None = None,
        ior_login: Annotated[str | None, Cookie()] = None,
    ) -> RedirectResponse:
        if error is not None:
            raise LoginFailed(f"the issuer refused the sign-in: {error}")
        if ior_login is None or code is None or state is None:
            raise LoginFailed("sign-in was not started here, or took too long: start again")
        started = cookies.read_login(ior_login)
        if not hmac.compare_digest(str(started["state"]), state):
            raise LoginFailed("the sign-in state does not match: start again")
        form = {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": callback_url,
            "client_id": settings.oidc_client_id,
            "code_verifier": str(started["verifier"]),
        }
        if settings.oidc_client_secret is not None:
            form["client_secret"] = settings.oidc_client_secret.get_secret_value()
        answer = http.post(endpoints.token, data=form)
        if answer.status_code != 200 or "id_token" not in answer.json():
            raise LoginFailed(f"the token endpoint refused the code ({answer.status_code})")
        claims = verifier.claims(answer.json()["id_token"])
        if claims.get("nonce") != started["nonce"]:
            raise LoginFailed("the ID token's nonce does not match: start again")
        principal = Principal.from_claims(claims, settings.oidc_roles_claim)
        response = RedirectResponse(str(started["return_to"]), status_code=303)
        set_cookie(response, SESSION_COOKIE, cookies.session(principal), settings.session_seconds)
        response.delete_cookie(LOGIN_COOKIE, path="/")
        return response

    @auth.post("/logout", summary="end the session")
    def logout() -> Response:
        response = Response(status_code=204)
        response.delete_cookie(SESSION_COOKIE, path="/")
        return response

    return auth
