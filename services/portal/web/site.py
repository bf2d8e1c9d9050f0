"""The pages' shared machinery: sign-in for pages, the header every page carries, rendering,
and errors on pages shown as pages.

Pages read through `PortalQueries` and `actions` like the API; what a page changes it changes
by calling the API from the browser (`static/portal.js`) with the session's CSRF token, so
there is one write path and one CSRF check.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from contracts.errors import IorError
from contracts.topology import TOPOLOGY
from services.portal.api.backend import Backend
from services.portal.api.errors import Unauthenticated
from services.portal.api.problems import STATUS
from services.portal.api.roles import Permission, Principal
from services.portal.api.security import Guard
from services.portal.web import formats
from services.portal.web.assets import asset_url
from services.portal.web.freshness import Freshness, freshness
from services.runtime.aws.queues import queue_depth
from services.runtime.operations.dlq import service_queues

HERE = Path(__file__).parent
BADGE_SECONDS = timedelta(seconds=10)
API_PREFIXES = ("/api", "/web/api", "/auth", "/static")
NAVIGATION = (
    ("/", "Today", Permission.READ),
    ("/customs-lines", "Customs lines", Permission.READ),
    ("/quality", "Data quality", Permission.READ),
    ("/refunds", "IEEPA refunds", Permission.READ),
    ("/audit", "Audit", Permission.READ),
    ("/upload", "Upload", Permission.UPLOAD),
    ("/operations", "Operations", Permission.READ),
)


@dataclass(frozen=True)
class Badge:
    at: datetime
    freshness: Freshness


@dataclass(frozen=True)
class Site:
    backend: Backend
    guard: Guard
    templates: Jinja2Templates
    now: Callable[[], datetime] = lambda: datetime.now(UTC)
    badge: dict[str, Badge] = field(default_factory=dict)

    def signed_in(self, permission: Permission = Permission.READ) -> Callable[..., Principal]:
        """A page's dependency: the principal of the session, who must hold `permission`."""
        return self.guard.require(permission)

    def freshness(self) -> Freshness:
        """The badge, asked of SQS and the read model at most every few seconds: every page
        shows it, and a person moving between pages needs no fresher one."""
        now = self.now()
        cached = self.badge.get("freshness")
        if cached is not None and now - cached.at < BADGE_SECONDS:
            return cached.freshness
        found = self._freshness(now)
        self.badge["freshness"] = Badge(now, found)
        return found

    def _freshness(self, now: datetime) -> Freshness:
        depths = {}
        for service in TOPOLOGY.services:  # depths only: a peek would be too slow for a header
            dlq = service_queues(service.name).dlq
            depth = queue_depth(self.backend.clients, self.backend.names, dlq)
            depths[service.name] = depth.visible + depth.in_flight
        return freshness(self.backend.queries.feeds(), depths, now)

    def render(
        self, request: Request, principal: Principal, template: str, **context: Any
    ) -> HTMLResponse:
        header = {
            "principal": principal,
            "role": ", ".join(sorted(principal.roles)) or "no role",
            "csrf_token": self.guard.csrf_token(request) or "",
            "freshness": self.freshness(),
            "navigation": [
                (href, label) for href, label, needs in NAVIGATION if principal.may(needs)
            ],
            "may": principal.may,
            "Permission": Permission,
            "path": request.url.path,
        }
        return self.templates.TemplateResponse(request, template, {**header, **context})


def templates() -> Jinja2Templates:
    found = Jinja2Templates(directory=HERE / "templates")  # autoescapes
    formats.register(found.env)
    found.env.globals["asset_url"] = asset_url
    return found


def show_errors_as_pages(app: FastAPI, templates: Jinja2Templates) -> None:
    """On a page, no session sends the browser to sign in, and a refusal is a page; the API
    and sign-in keep their problem+json bodies."""
    on_api_error = app.exception_handlers[IorError]

    async def on_error(request: Request, exc: Exception) -> Response:
        if request.url.path.startswith(API_PREFIXES):
            answer = on_api_error(request, exc)
            return await answer if inspect.isawaitable(answer) else answer
        if isinstance(exc, Unauthenticated):
            query = request.url.query
            back = quote(request.url.path + (f"?{query}" if query else ""))
            return RedirectResponse(f"/auth/login?return_to={back}", status_code=303)
        status = next((s for kind, s in STATUS.items() if isinstance(exc, kind)), 500)
        detail = str(exc) if status < 500 else "the portal failed; the logs say why"
        return templates.TemplateResponse(
            request, "refused.html", {"status": status, "detail": detail}, status_code=status
        )

    app.add_exception_handler(IorError, on_error)
