"""The portal's ASGI app on a runtime context, signed in against the in-test issuer."""

from __future__ import annotations

from fastapi.testclient import TestClient

from services.portal.api.app import build_app
from services.portal.api.settings import PortalSettings
from tests.oidc_issuer import AUDIENCE, CLIENT_ID, ISSUER, InTestIssuer

SECRET = "s" * 40


def portal_settings(**changes) -> PortalSettings:
    values = {
        "oidc_issuer": ISSUER,
        "oidc_audience": AUDIENCE,
        "oidc_client_id": CLIENT_ID,
        "session_secret": SECRET,
        "public_url": "https://testserver",
        **changes,
    }
    return PortalSettings(**values)


def portal_client(context, issuer: InTestIssuer, **changes) -> TestClient:
    app = build_app(context, portal_settings(**changes), issuer.client())
    return TestClient(app, base_url="https://testserver")


def bearer(issuer: InTestIssuer, *roles: str, **claims) -> dict[str, str]:
    return {"Authorization": f"Bearer {issuer.token(roles, **claims)}"}
