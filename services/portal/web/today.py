"""Today: what arrived and what came of it in the last 24 hours, each linking to its detail."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from services.portal.api.roles import Principal
from services.portal.paging import MAX_PAGE, Page, View
from services.portal.web.site import Site

DAY = timedelta(hours=24)
RECENT_ALERTS = 10


def since(pages: Iterator[Page], stamp: str, start: datetime) -> list[View]:
    """The items of newest-first pages up to the first one older than `start`."""
    found: list[View] = []
    for page in pages:
        for item in page.items:
            if datetime.fromisoformat(item[stamp]) < start:
                return found
            found.append(item)
    return found


def extract_outcome(extract: View) -> str:
    if extract["status"] == "rejected":
        return "rejected"
    return "partly rejected" if extract.get("rejected_count") else "accepted"


def router(site: Site) -> APIRouter:
    pages = APIRouter(include_in_schema=False)
    reader = Depends(site.signed_in())
    queries = site.backend.queries

    def paged(fetch: Callable[..., Page]) -> Iterator[Page]:
        cursor = None
        while True:
            page = fetch(limit=MAX_PAGE, cursor=cursor)
            yield page
            cursor = page.next_cursor
            if cursor is None:
                return

    @pages.get("/", response_class=HTMLResponse)
    def today(request: Request, principal: Principal = reader) -> HTMLResponse:
        start = site.now() - DAY
        extracts = since(paged(queries.extracts), "received_at", start)
        calcs = since(paged(queries.calculations), "calculated_at", start)
        compared = [(calc, queries.comparisons(calc["calc_id"])[:1]) for calc in calcs]
        return site.render(
            request,
            principal,
            "today.html",
            extracts=extracts,
            outcomes=Counter(extract_outcome(extract) for extract in extracts),
            outcome_of=extract_outcome,
            errors=sum(int(extract.get("quality_errors", 0)) for extract in extracts),
            warnings=sum(int(extract.get("quality_warnings", 0)) for extract in extracts),
            compared=compared,
            alerts=queries.alerts(limit=RECENT_ALERTS).items,
        )

    @pages.get("/signed-out", response_class=HTMLResponse)
    def signed_out(request: Request) -> HTMLResponse:
        return site.templates.TemplateResponse(request, "signed_out.html", {})

    return pages
