"""IEEPA refunds: for an entry-date range, per entry that paid IEEPA its invoice, PO, CALC-ID and
lines (program, Chapter 99 number, rate, duty), the totals per program and overall, and the three
files of `ior report ieepa-refunds` to download — the report `/api/ieepa-refunds` answers too.
The download links are that API's routes under `/web/api`, where the session counts."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from contracts.ieepa_refunds import IeepaRefundReport
from services.portal.api.roles import Principal
from services.portal.errors import InvalidQuery
from services.portal.refunds import ieepa_report
from services.portal.web.lines import line_filter
from services.portal.web.site import Site

DATES = ("entry_from", "entry_to")


def router(site: Site) -> APIRouter:
    pages = APIRouter(include_in_schema=False)
    reader = Depends(site.signed_in())
    queries = site.backend.queries

    def report_of(asked: dict[str, str]) -> IeepaRefundReport:
        wanted = line_filter(asked)
        if wanted.entry_from is None or wanted.entry_to is None:
            raise InvalidQuery("choose both entry dates, from and to")
        return ieepa_report(queries, wanted.entry_from, wanted.entry_to)

    @pages.get("/refunds", response_class=HTMLResponse)
    def refunds(request: Request, principal: Principal = reader) -> HTMLResponse:
        asked = {name: request.query_params.get(name, "").strip() for name in DATES}
        context: dict[str, object] = {"asked": asked, "report": None, "error": None}
        if any(asked.values()):
            try:
                context["report"] = report_of(asked)
            except InvalidQuery as refused:
                context["error"] = str(refused)
        return site.render(request, principal, "refunds.html", **context)

    return pages
