"""The portal's ASGI app: `/api/…` (OpenAPI at `/api/openapi.json`), `/auth/…` sign-in, the
pages, and the same API again under `/web/api/…` for the pages' own calls.

`create_app` takes everything built already (tests give it an in-test issuer); `build_app`
builds it from the settings and the issuer's discovery document, as `ior serve` and the Lambda
handler do.
"""

from __future__ import annotations

from typing import Any

import httpx
from fastapi import FastAPI

from services.portal.api import oidc, problems, reads, writes
from services.portal.api.backend import Backend
from services.portal.api.security import Guard
from services.portal.api.session import SignedCookies
from services.portal.api.settings import PortalSettings
from services.portal.api.tokens import RemoteKeySet, TokenVerifier, discovery
from services.portal.queries import PortalQueries
from services.portal.web import mount as web
from services.runtime.context import RuntimeContext

# The pages' own calls reach the API routes here, with their session cookie and CSRF token. In
# AWS, API Gateway's JWT authorizer guards `/api/…` and reads only the Authorization header, so
# a browser session could never pass it; the app checks sessions and tokens on both prefixes.
BROWSER_PREFIX = "/web"


def create_app(
    backend: Backend,
    *,
    key_set: RemoteKeySet,
    endpoints: oidc.OidcEndpoints,
    http: httpx.Client,
) -> FastAPI:
    settings = backend.settings

    def verifier(audience: str) -> TokenVerifier:
        return TokenVerifier(
            issuer=settings.oidc_issuer,
            audience=audience,
            roles_claim=settings.oidc_roles_claim,
            key_set=key_set,
        )

    cookies = SignedCookies(
        settings.session_secret.get_secret_value(), session_seconds=settings.session_seconds
    )
    guard = Guard(verifier(settings.oidc_audience), cookies)
    app = FastAPI(
        title="ior portal",
        summary="Customs lines, comparisons, extracts and operations of the ior pipeline",
        version="1",
        openapi_url="/api/openapi.json",
        docs_url="/api/docs",
        redoc_url=None,
    )
    problems.install(app)

    @app.get("/api/health", tags=["health"], summary="the API is up (no sign-in needed)")
    def health() -> dict[str, str]:
        return {"status": "ok"}

    for api in (reads.router(backend, guard), writes.router(backend, guard)):
        app.include_router(api)
        app.include_router(api, prefix=BROWSER_PREFIX, include_in_schema=False)
    # The ID token of the code flow is issued to the portal itself: its audience is the client.
    app.include_router(
        oidc.router(settings, endpoints, verifier(settings.oidc_client_id), cookies, http)
    )
    web.install(app, backend, guard)  # the pages, on the same queries, actions and sign-in
    return app


def build_app(context: RuntimeContext, settings: PortalSettings, http: httpx.Client) -> FastAPI:
    document = discovery(settings.oidc_issuer, http)
    jwks_url = settings.oidc_jwks_url or document["jwks_uri"]

    def fetch_keys() -> dict[str, Any]:
        response = http.get(jwks_url)
        response.raise_for_status()
        keys: dict[str, Any] = response.json()
        return keys

    backend = Backend(
        clients=context.clients,
        names=context.names,
        publisher=context.publisher,
        queries=PortalQueries(context.clients.dynamodb),
        settings=settings,
    )
    return create_app(
        backend,
        key_set=RemoteKeySet(fetch_keys),
        endpoints=oidc.OidcEndpoints.from_discovery(document),
        http=http,
    )
