"""`GET /api/…`: the read model, pipeline status, reports and downloads (permission: read)."""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from services.portal import actions, refunds
from services.portal.api.backend import Backend
from services.portal.api.roles import Permission, Principal
from services.portal.api.security import Guard
from services.portal.errors import NotFound
from services.portal.paging import MAX_PAGE, Page, View
from services.portal.queries import LineFilter
from services.runtime.aws.blobs import split_uri
from services.runtime.operations.dlq import status

Limit = Annotated[int, Query(ge=1, le=MAX_PAGE)]


def page_body(page: Page) -> dict[str, Any]:
    return {"items": page.items, "next_cursor": page.next_cursor}


def router(backend: Backend, guard: Guard) -> APIRouter:
    api = APIRouter(prefix="/api", dependencies=[Depends(guard.require(Permission.READ))])
    queries = backend.queries
    signed_in = Depends(guard.principal)

    def calculation_or_404(calc_id: str) -> View:
        calc = queries.calculation(calc_id)
        if calc is None:
            raise NotFound(f"no calculation {calc_id} in the portal")
        return calc

    def extract_or_404(extract_key: str) -> View:
        extract = queries.extract(extract_key)
        if extract is None:
            raise NotFound(f"no extract {extract_key} in the portal")
        return extract

    def report(uri: str | None, what: str) -> Any:
        if not uri:
            raise NotFound(f"there is no {what}")
        bucket, key = split_uri(uri)
        body = backend.clients.s3.get_object(Bucket=bucket, Key=key)["Body"].read()
        return json.loads(body)

    @api.get("/me", summary="who is signed in, and with which roles")
    def me(request: Request, principal: Principal = signed_in) -> dict[str, Any]:
        return {
            "subject": principal.subject,
            "name": principal.name,
            "roles": sorted(principal.roles),
            "csrf_token": guard.csrf_token(request),
        }

    @api.get("/status", summary="queues and DLQs per service, last SAP sync per feed")
    def pipeline_status() -> dict[str, Any]:
        return {**status(backend.clients, backend.names), "read_model_feeds": queries.feeds()}

    @api.get("/calculations", summary="calculations, newest first")
    def calculations(
        state: Literal["current", "superseded"] | None = None,
        limit: Limit = 50,
        cursor: str | None = None,
    ) -> dict[str, Any]:
        return page_body(queries.calculations(state=state, limit=limit, cursor=cursor))

    @api.get("/calculations/{calc_id}")
    def calculation(calc_id: str) -> View:
        return calculation_or_404(calc_id)

    @api.get("/calculations/{calc_id}/lines", summary="the calculation's current customs lines")
    def calculation_lines(
        calc_id: str, component: str | None = None, limit: Limit = 100, cursor: str | None = None
    ) -> dict[str, Any]:
        calculation_or_404(calc_id)
        wanted = LineFilter(calc_id=calc_id, component=component)
        return page_body(queries.customs_lines(wanted, limit=limit, cursor=cursor))

    @api.get(
        "/calculations/{calc_id}/comparison", summary="latest comparison with SAP, and earlier runs"
    )
    def comparison(calc_id: str) -> dict[str, Any]:
        calculation_or_404(calc_id)
        runs = queries.comparisons(calc_id)
        if not runs:
            raise NotFound(f"{calc_id} has not been compared with SAP's lines yet")
        return {"latest": runs[0], "report": report(runs[0]["report_uri"], "report"), "runs": runs}

    @api.get("/calculations/{calc_id}/downloads/{what}", summary="a short-lived presigned URL")
    def download(calc_id: str, what: str) -> dict[str, Any]:
        calc = calculation_or_404(calc_id)
        uri = actions.download_uri(calc, queries.comparisons(calc_id), what)
        link = actions.presign(backend.clients.s3, uri, backend.settings.download_url_seconds)
        return asdict(link)

    @api.get("/customs-lines", summary="customs lines by entry date, invoice, PO, HTS, component")
    def customs_lines(
        *,
        entry_from: date | None = None,
        entry_to: date | None = None,
        invoice: str | None = None,
        po: str | None = None,
        hts: str | None = None,
        component: str | None = None,
        calc_id: str | None = None,
        limit: Limit = 100,
        cursor: str | None = None,
    ) -> dict[str, Any]:
        wanted = LineFilter(
            entry_from=entry_from,
            entry_to=entry_to,
            invoice_number=invoice,
            po_number=po,
            hts_code=hts,
            component=component,
            calc_id=calc_id,
        )
        return page_body(queries.customs_lines(wanted, limit=limit, cursor=cursor))

    @api.get("/ieepa-refunds", summary="the IEEPA refund report of an entry-date range")
    def ieepa_refunds(entry_from: date, entry_to: date) -> dict[str, Any]:
        """Per entry that paid IEEPA its lines (program, Chapter 99 number, rate, duty), totals
        per program and overall, from the current customs lines; both dates are required."""
        return refunds.report_document(refunds.ieepa_report(queries, entry_from, entry_to))

    @api.get(
        "/ieepa-refunds/{file}",
        summary="the refund report's lines CSV, totals CSV or workbook, as the CLI writes them",
        response_class=Response,
    )
    def ieepa_refund_file(
        file: refunds.RefundFileName, entry_from: date, entry_to: date
    ) -> Response:
        """The file itself, not a presigned URL: a URL needs the file in S3 first, and the API's
        role writes no prefix but manual uploads (`contracts.topology`, `portal_api`). Behind
        API Gateway and Lambda an answer is at most 6 MB: ask for a shorter range beyond that."""
        report = refunds.ieepa_report(queries, entry_from, entry_to)
        found = refunds.refund_file(report, file)
        disposition = f'attachment; filename="{found.name}"'
        return Response(
            found.body,
            media_type=found.media_type,
            headers={"Content-Disposition": disposition},
        )

    @api.get("/extracts", summary="extracts received, newest first, with accepted/rejected counts")
    def extracts(
        feed: str | None = None,
        sha256: str | None = None,
        limit: Limit = 50,
        cursor: str | None = None,
    ) -> dict[str, Any]:
        return page_body(queries.extracts(feed=feed, sha256=sha256, limit=limit, cursor=cursor))

    @api.get("/extracts/{extract_key}")
    def extract(extract_key: str) -> View:
        return extract_or_404(extract_key)

    @api.get("/extracts/{extract_key}/quality", summary="the quality findings of an extract")
    def quality(extract_key: str) -> Any:
        return report(extract_or_404(extract_key).get("quality_report_uri"), "quality report")

    @api.get("/extracts/{extract_key}/rejections", summary="the rejection (quarantine) report")
    def rejections(extract_key: str) -> Any:
        return report(extract_or_404(extract_key).get("rejection_report_uri"), "rejection report")

    @api.get("/alerts", summary="alerts, newest first")
    def alerts(limit: Limit = 50, cursor: str | None = None) -> dict[str, Any]:
        return page_body(queries.alerts(limit=limit, cursor=cursor))

    @api.get("/feeds", summary="freshness of every feed the portal has seen")
    def feeds() -> list[View]:
        return queries.feeds()

    @api.get("/audit", summary="audit records by CALC-ID, PO number or input file name")
    def audit(
        calc_id: str | None = None, po: str | None = None, file: str | None = None
    ) -> list[View]:
        return actions.audit_lookup(
            backend.clients.dynamodb, calc_id=calc_id, po_number=po, file_name=file
        )

    return api
