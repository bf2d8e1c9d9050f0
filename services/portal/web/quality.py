"""Data quality: every extract with its findings and rejections, one extract's reports (record,
field, value, rule), and per material what makes its duty wrong (missing weights, metal
without origin countries, HTS expiring)."""

from __future__ import annotations

import re
from collections import defaultdict
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from services.portal.api.roles import Principal
from services.portal.errors import NotFound
from services.portal.web.documents import read_json
from services.portal.web.site import Site

LISTED = 100
MATERIAL = re.compile(r"\b\d{18}\b")  # SAP material numbers: 18 digits, zero-padded


def by_material(findings: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """The findings about a material (missing weights, not in the master, HTS not valid…),
    grouped by it: the things that make its duty wrong."""
    grouped: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for finding in findings:
        named = MATERIAL.search(str(finding.get("detail") or ""))
        if finding.get("field") == "material" and finding.get("value"):
            grouped[str(finding["value"])].append(finding)
        elif named:  # e.g. "no ZFMIOR002 weight record of 000000000010007010 is valid on …"
            grouped[named.group()].append(finding)
    return dict(sorted(grouped.items()))


def router(site: Site) -> APIRouter:
    pages = APIRouter(include_in_schema=False)
    queries = site.backend.queries
    reader = Depends(site.signed_in())

    @pages.get("/quality", response_class=HTMLResponse)
    def quality(request: Request, principal: Principal = reader) -> HTMLResponse:
        extracts = queries.extracts(limit=LISTED).items
        return site.render(request, principal, "quality.html", extracts=extracts)

    @pages.get("/quality/{extract_key}", response_class=HTMLResponse)
    def extract(request: Request, extract_key: str, principal: Principal = reader) -> HTMLResponse:
        found = queries.extract(extract_key)
        if found is None:
            raise NotFound(f"no extract {extract_key} in the portal")
        s3 = site.backend.clients.s3
        report = read_json(s3, found.get("quality_report_uri"))
        findings = report["findings"] if report else []
        return site.render(
            request,
            principal,
            "extract.html",
            extract=found,
            report=report,
            findings=findings,
            rejection=read_json(s3, found.get("rejection_report_uri")),
            materials=by_material(findings),
        )

    return pages
