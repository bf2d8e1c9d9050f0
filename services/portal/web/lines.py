"""Customs lines by date (filters, a server-side paged table, totals, downloads) and a
calculation with its lines, exceptions, rates, reconciliation, supersessions and audit record."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from itertools import islice
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from services.portal import actions
from services.portal.api.roles import Principal
from services.portal.errors import InvalidQuery, NotFound
from services.portal.paging import MAX_PAGE, Page, View
from services.portal.queries import LineFilter
from services.portal.web.documents import read_json, retention
from services.portal.web.site import Site

PAGE_SIZE = 50
# Totals read every matching line; beyond this many the page says the totals are the
# downloads' to give (a page must stay fast on a year of entries).
TOTALS_CAP = 5000
SUMMED = ("net_weight_kg", "entered_value_usd", "duty_usd", "mpf_usd", "hmf_usd")
FILTERS = ("entry_from", "entry_to", "invoice", "po", "hts", "component")


def line_filter(asked: Mapping[str, str]) -> LineFilter:
    def day(name: str) -> date | None:
        text = asked.get(name)
        if not text:
            return None
        try:
            return date.fromisoformat(text)
        except ValueError:
            raise InvalidQuery(f"{name} must be a date like 2026-04-05, not {text!r}") from None

    return LineFilter(
        entry_from=day("entry_from"),
        entry_to=day("entry_to"),
        invoice_number=asked.get("invoice") or None,
        po_number=asked.get("po") or None,
        hts_code=asked.get("hts") or None,
        component=asked.get("component") or None,
    )


def totals(lines: list[View]) -> dict[str, Decimal]:
    return {name: sum((Decimal(line[name]) for line in lines), Decimal(0)) for name in SUMMED}


def router(site: Site) -> APIRouter:
    pages = APIRouter(include_in_schema=False)
    queries = site.backend.queries
    reader = Depends(site.signed_in())

    def all_lines(wanted: LineFilter) -> tuple[list[View], bool]:
        found = list(islice(queries.every_customs_line(wanted), TOTALS_CAP + 1))
        return found[:TOTALS_CAP], len(found) > TOTALS_CAP

    @pages.get("/customs-lines", response_class=HTMLResponse)
    def customs_lines(
        request: Request,
        principal: Principal = reader,
        cursor: str | None = None,
        limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = PAGE_SIZE,
    ) -> HTMLResponse:
        asked = {name: request.query_params.get(name, "").strip() for name in FILTERS}
        context: dict[str, object] = {"asked": asked, "page": None, "error": None}
        if any(asked.values()):
            try:
                wanted = line_filter(asked)
                matching, capped = all_lines(wanted)
                if cursor is None and len(matching) <= limit:
                    page = Page(items=matching)  # the totals' read was the whole first page
                else:
                    page = queries.customs_lines(wanted, limit=limit, cursor=cursor)
            except InvalidQuery as refused:
                context["error"] = str(refused)
            else:
                kept = {name: value for name, value in asked.items() if value}
                context |= {
                    "page": page,
                    "page_totals": totals(page.items),
                    "totals": totals(matching),
                    "matching": len(matching),
                    "capped": capped,
                    "calc_ids": sorted({line["calc_id"] for line in matching}),
                    "kept": kept,
                    "limit": limit,
                    "first_page": cursor is None,
                }
        return site.render(request, principal, "customs_lines.html", **context)

    def calculation_or_404(calc_id: str) -> View:
        calc = queries.calculation(calc_id)
        if calc is None:
            raise NotFound(f"no calculation {calc_id} in the portal")
        return calc

    @pages.get("/calculations/{calc_id}", response_class=HTMLResponse)
    def calculation(
        request: Request,
        calc_id: str,
        principal: Principal = reader,
        cursor: str | None = None,
    ) -> HTMLResponse:
        calc = calculation_or_404(calc_id)
        s3 = site.backend.clients.s3
        record = read_json(s3, calc["calculation_uri"]) or {}
        page = queries.customs_lines(LineFilter(calc_id=calc_id), limit=100, cursor=cursor)
        audits = actions.audit_lookup(site.backend.clients.dynamodb, calc_id=calc_id)
        audit = audits[0] if audits else None
        return site.render(
            request,
            principal,
            "calculation.html",
            calc=calc,
            record=record,
            page=page,
            first_page=cursor is None,
            comparisons=queries.comparisons(calc_id),
            audit=audit,
            retention=retention(s3, audit["record_uri"]) if audit else None,
            unreconciled=[r for r in record.get("reconciliation", ()) if not r["passed"]],
        )

    @pages.get("/calculations/{calc_id}/downloads/{what}")
    def download(calc_id: str, what: str, principal: Principal = reader) -> RedirectResponse:
        """The browser is sent on to a short-lived presigned URL of the object."""
        calc = calculation_or_404(calc_id)
        uri = actions.download_uri(calc, queries.comparisons(calc_id), what)
        seconds = site.backend.settings.download_url_seconds
        link = actions.presign(site.backend.clients.s3, uri, seconds)
        return RedirectResponse(link.url, status_code=303)

    return pages
