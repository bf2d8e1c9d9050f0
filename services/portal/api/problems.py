"""Errors as RFC 9457 problem details (`application/problem+json`), never a stack trace."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from contracts.errors import IorError
from services.portal.api.errors import CsrfRejected, Forbidden, LoginFailed, Unauthenticated
from services.portal.errors import InvalidCursor, InvalidQuery, NotFound, UploadRefused
from services.runtime.errors import InvalidFilter, UnknownService

MEDIA_TYPE = "application/problem+json"
STATUS: dict[type[IorError], int] = {
    Unauthenticated: 401,
    LoginFailed: 401,
    Forbidden: 403,
    CsrfRejected: 403,
    NotFound: 404,
    UnknownService: 404,
    InvalidCursor: 400,
    InvalidQuery: 400,
    InvalidFilter: 400,
    UploadRefused: 422,
}
TITLES = {
    400: "Bad request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not found",
    413: "Content too large",
    422: "Unprocessable content",
    500: "Internal error",
}


def problem(status: int, detail: str, error_type: str, instance: str) -> JSONResponse:
    headers = {"WWW-Authenticate": 'Bearer realm="ior"'} if status == 401 else None
    return JSONResponse(
        {
            "type": f"urn:ior:problem:{error_type}",
            "title": TITLES.get(status, "Error"),
            "status": status,
            "detail": detail,
            "instance": instance,
        },
        status_code=status,
        media_type=MEDIA_TYPE,
        headers=headers,
    )


def install(app: FastAPI) -> None:
    async def on_ior_error(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, IorError)
        status = next((s for kind, s in STATUS.items() if isinstance(exc, kind)), 500)
        detail = str(exc) if status < 500 else "the portal failed; the logs say why"
        return problem(status, detail, exc.error_type, request.url.path)

    async def on_validation(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        return problem(400, f"{where}: {first['msg']}", "invalid-request", request.url.path)

    async def on_http(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, HTTPException)
        return problem(exc.status_code, str(exc.detail), "http", request.url.path)

    app.add_exception_handler(IorError, on_ior_error)
    app.add_exception_handler(RequestValidationError, on_validation)
    app.add_exception_handler(HTTPException, on_http)
