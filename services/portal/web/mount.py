"""`install`: the pages and their static files (`/static/`, no CDN) on the portal's app."""

from __future__ import annotations

from fastapi import FastAPI

from services.portal.api.backend import Backend
from services.portal.api.security import Guard
from services.portal.web import (
    audit,
    comparison,
    lines,
    operations,
    quality,
    refunds,
    today,
    upload,
)
from services.portal.web.assets import MOUNT_PATH, VersionedStaticFiles
from services.portal.web.site import Site, show_errors_as_pages, templates

PAGES = (today, lines, comparison, quality, refunds, upload, audit, operations)


def install(app: FastAPI, backend: Backend, guard: Guard) -> None:
    site = Site(backend, guard, templates())
    app.mount(MOUNT_PATH, VersionedStaticFiles(), name="static")
    for page in PAGES:
        app.include_router(page.router(site))
    show_errors_as_pages(app, site.templates)
