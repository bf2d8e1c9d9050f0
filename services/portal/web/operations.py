"""Operations: every DLQ with its depth and a peek at its messages; for an admin, replay (a dry
run first, then the confirmed move) through `POST /web/api/dlq/{service}/replay`."""

from __future__ import annotations

from dataclasses import asdict

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from services.portal.api.roles import Principal
from services.portal.web.site import Site
from services.runtime.aws.queues import queue_depth
from services.runtime.operations.dlq import list_dlqs, peek, service_queues

PEEK = 10


def router(site: Site) -> APIRouter:
    pages = APIRouter(include_in_schema=False)
    reader = Depends(site.signed_in())
    clients, names = site.backend.clients, site.backend.names

    @pages.get("/operations", response_class=HTMLResponse)
    def operations(
        request: Request,
        principal: Principal = reader,
        peek_at: str | None = None,
    ) -> HTMLResponse:
        dlqs = list_dlqs(clients, names)
        queues = {
            info.service: queue_depth(clients, names, service_queues(info.service).queue)
            for info in dlqs
        }
        peeked = None
        if peek_at is not None:
            service_queues(peek_at)  # an unknown service is refused before SQS is asked
            peeked = [asdict(message) for message in peek(clients, names, peek_at, PEEK)]
        return site.render(
            request,
            principal,
            "operations.html",
            dlqs=dlqs,
            queues=queues,
            peek_at=peek_at,
            peeked=peeked,
        )

    return pages
