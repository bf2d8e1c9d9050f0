"""The portal's public builders: the read-model consumer as the runtime runs it (the events
people look at in, nothing out), the API's ASGI app, and the rebuild of the read model."""

from __future__ import annotations

import secrets

import httpx
from fastapi import FastAPI

from contracts.topology import PORTAL_EVENTS
from services.portal.api import dev_issuer
from services.portal.api.app import build_app
from services.portal.api.settings import PortalSettings
from services.portal.handler import ReadModelHandler
from services.portal.rebuild import RebuildSummary, rebuild
from services.portal.store import ReadModelStore
from services.runtime.context import RuntimeContext
from services.runtime.messaging.events import event_decoder
from services.runtime.messaging.messages import Handler, ServiceApp

NAME = "portal"


def build(context: RuntimeContext) -> ServiceApp:
    handler = read_model_handler(context)
    handlers: dict[str, Handler] = {
        event_type: handler.on_event for types in PORTAL_EVENTS.values() for event_type in types
    }
    return ServiceApp(
        name=NAME, decode=event_decoder(NAME, context.claim_checks), handlers=handlers
    )


def read_model_handler(context: RuntimeContext) -> ReadModelHandler:
    return ReadModelHandler(context.blobs, ReadModelStore(context.clients.dynamodb))


def api_app(context: RuntimeContext, http: httpx.Client) -> FastAPI:
    """The API signing in through the issuer of the `IOR_OIDC_*` settings."""
    return build_app(context, PortalSettings.from_env(), http)


def dev_login_app(context: RuntimeContext, public_url: str) -> FastAPI:
    """The API signing in through a local issuer of its own (`ior serve --dev-login`)."""
    issuer = dev_issuer.DevIssuer(public_url)
    settings = PortalSettings(
        oidc_issuer=issuer.issuer,
        oidc_audience=dev_issuer.AUDIENCE,
        oidc_client_id=dev_issuer.CLIENT_ID,
        session_secret=secrets.token_urlsafe(32),
        cookie_secure=False,  # plain http on localhost; the dev login runs nowhere else
        public_url=public_url,
    )
    app = build_app(context, settings, issuer.http_client())
    app.include_router(issuer.router())
    return app


def rebuild_read_model(context: RuntimeContext) -> RebuildSummary:
    return rebuild(context.clients.s3, context.blobs, ReadModelStore(context.clients.dynamodb))
