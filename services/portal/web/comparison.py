"""The comparison report of a calculation: per line PASS/FAIL with the differing fields (ours,
SAP's, delta), the lines one side only has, the lines ior held back, and the re-run button."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from services.portal.api.roles import Principal
from services.portal.errors import NotFound
from services.portal.web.documents import read_json
from services.portal.web.site import Site

COMPARED_FIELDS = (
    "material",
    "hts_code",
    "country_of_origin",
    "net_weight_kg",
    "entered_value_usd",
    "duty_usd",
)


def router(site: Site) -> APIRouter:
    pages = APIRouter(include_in_schema=False)
    reader = Depends(site.signed_in())
    queries = site.backend.queries

    @pages.get("/calculations/{calc_id}/comparison", response_class=HTMLResponse)
    def comparison(request: Request, calc_id: str, principal: Principal = reader) -> HTMLResponse:
        calc = queries.calculation(calc_id)
        if calc is None:
            raise NotFound(f"no calculation {calc_id} in the portal")
        runs = queries.comparisons(calc_id)
        report = read_json(site.backend.clients.s3, runs[0]["report_uri"]) if runs else None
        lines = report["lines"] if report else []
        return site.render(
            request,
            principal,
            "comparison.html",
            calc=calc,
            runs=runs,
            report=report,
            failed=[line for line in lines if line["status"] != "PASS"],
            passed=[line for line in lines if line["status"] == "PASS"],
            fields=COMPARED_FIELDS,
        )

    return pages
