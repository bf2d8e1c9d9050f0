"""Audit lookup by CALC-ID, PO number or input file name: the index entries and their
immutable records (with Object Lock retention)."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from services.portal import actions
from services.portal.api.roles import Principal
from services.portal.web.documents import retention
from services.portal.web.site import Site

LOOKUPS = {"calc_id": "CALC-ID", "po": "PO number", "file": "File name"}


def router(site: Site) -> APIRouter:
    pages = APIRouter(include_in_schema=False)
    reader = Depends(site.signed_in())

    @pages.get("/audit", response_class=HTMLResponse)
    def audit(
        request: Request,
        principal: Principal = reader,
        by: Literal["calc_id", "po", "file"] = "calc_id",
        value: str = "",
    ) -> HTMLResponse:
        wanted = value.strip()
        records = None
        if wanted:
            records = actions.audit_lookup(site.backend.clients.dynamodb, **{_argument(by): wanted})
            for record in records:
                record["retention"] = retention(site.backend.clients.s3, record["record_uri"])
        return site.render(
            request,
            principal,
            "audit.html",
            lookups=LOOKUPS,
            by=by,
            value=wanted,
            records=records,
        )

    return pages


def _argument(by: str) -> str:
    return {"calc_id": "calc_id", "po": "po_number", "file": "file_name"}[by]
