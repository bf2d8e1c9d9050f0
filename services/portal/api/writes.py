"""`POST /api/…`: upload an extract, run a comparison again, and the DLQ operations."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Query, UploadFile
from pydantic import BaseModel, Field

from services.portal import actions
from services.portal.api.backend import Backend
from services.portal.api.roles import Permission, Principal
from services.portal.api.security import Guard
from services.portal.errors import InvalidQuery, NotFound, UploadRefused
from services.runtime.operations.dlq import list_dlqs, peek, purge, service_queues
from services.runtime.operations.replay import parse_filters, replay


class ReplayRequest(BaseModel):
    dry_run: bool = Field(True, description="list what would move; false moves the messages")
    filters: list[str] = Field(default_factory=list, description="e.g. type=ior.extract.accepted")
    max: int | None = Field(None, ge=1)


class PurgeRequest(BaseModel):
    confirm: str = Field(description="the DLQ's name, to say it is meant")


def router(backend: Backend, guard: Guard) -> APIRouter:
    api = APIRouter(prefix="/api")
    uploader = Depends(guard.require(Permission.UPLOAD))
    rerunner = Depends(guard.require(Permission.RERUN_COMPARISON))
    reader = Depends(guard.require(Permission.READ))
    operator = Depends(guard.require(Permission.OPERATE_DLQ))

    @api.post("/uploads/{feed}", status_code=202, summary="upload a CSV/XLSX extract for a feed")
    async def upload(
        feed: str,
        file: Annotated[UploadFile, File(description=".csv or .xlsx, header row = field names")],
        principal: Principal = uploader,
    ) -> dict[str, Any]:
        limit = backend.settings.upload_max_bytes
        body = await file.read(limit + 1)  # one byte more tells "too large" without reading it all
        if len(body) > limit:
            raise UploadRefused(f"{file.filename} is larger than the upload limit of {limit} bytes")
        landed = actions.upload(backend.clients.s3, feed, file.filename or "", body, limit)
        return {
            **asdict(landed),
            "uploaded_by": principal.subject,
            "follow": f"/api/extracts?feed={landed.feed}&sha256={landed.sha256}",
        }

    @api.post(
        "/calculations/{calc_id}/comparison/runs",
        status_code=202,
        summary="compare again with SAP's latest ZSDR002 (publishes ior.comparison.requested)",
    )
    def rerun_comparison(calc_id: str, principal: Principal = rerunner) -> dict[str, Any]:
        calc = backend.queries.calculation(calc_id)
        if calc is None:
            raise NotFound(f"no calculation {calc_id} in the portal")
        envelope = actions.request_comparison(backend.publisher, calc, principal.subject)
        return {
            "event_id": envelope.id,
            "type": envelope.type,
            "follow": f"/api/calculations/{calc_id}/comparison",
        }

    @api.get("/dlq", dependencies=[reader], summary="every DLQ with its depth and oldest age")
    def dlqs() -> list[dict[str, Any]]:
        return [asdict(info) for info in list_dlqs(backend.clients, backend.names)]

    @api.get("/dlq/{service}/messages", dependencies=[reader], summary="peek, without consuming")
    def dlq_messages(
        service: str, n: Annotated[int, Query(ge=1, le=100)] = 10
    ) -> list[dict[str, Any]]:
        service_queues(service)
        return [asdict(m) for m in peek(backend.clients, backend.names, service, n)]

    @api.post(
        "/dlq/{service}/replay", dependencies=[operator], summary="replay (dry run by default)"
    )
    def dlq_replay(service: str, request: ReplayRequest | None = None) -> dict[str, Any]:
        asked = request or ReplayRequest()
        service_queues(service)
        summary = replay(
            backend.clients,
            backend.names,
            service,
            filters=parse_filters(asked.filters),
            dry_run=asked.dry_run,
            max_messages=asked.max,
        )
        return asdict(summary)

    @api.post("/dlq/{service}/purge", dependencies=[operator], summary="empty a DLQ")
    def dlq_purge(service: str, request: PurgeRequest) -> dict[str, Any]:
        dlq = service_queues(service).dlq
        if request.confirm != dlq:
            raise InvalidQuery(f'to purge, send {{"confirm": "{dlq}"}}: it cannot be undone')
        return {"dlq": dlq, "purged": purge(backend.clients, backend.names, service)}

    return api
