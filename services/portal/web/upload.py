"""Upload (operator): pick the feed, choose or drop a CSV/XLSX; the browser sends it to
`POST /web/api/uploads/{feed}` and follows it through ingestion to its extract
(`static/portal.js`)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from contracts.feeds import FEEDS, record_fields
from services.portal.api.roles import Permission, Principal
from services.portal.web.site import Site


def router(site: Site) -> APIRouter:
    pages = APIRouter(include_in_schema=False)

    uploader = Depends(site.signed_in(Permission.UPLOAD))

    @pages.get("/upload", response_class=HTMLResponse)
    def upload(request: Request, principal: Principal = uploader) -> HTMLResponse:
        headers = {feed: ", ".join(record_fields(feed)) for feed in sorted(FEEDS)}
        return site.render(
            request,
            principal,
            "upload.html",
            headers=headers,
            max_bytes=site.backend.settings.upload_max_bytes,
            recent=site.backend.queries.extracts(limit=10).items,
        )

    return pages
