"""The only place that maps errors to HTTP statuses: `{"error": {"type", "message"}}`."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from assistant.errors import (
    FOREIGN,
    AssistantError,
    BadRequest,
    ConfigurationError,
    Conflict,
    Damaged,
    IndexNotBuilt,
    LLMUnavailable,
    NotFound,
    translate,
)

log = logging.getLogger(__name__)

_STATUS: dict[type[AssistantError], int] = {
    BadRequest: 400,
    NotFound: 404,
    Conflict: 409,
    IndexNotBuilt: 503,
    Damaged: 503,
    LLMUnavailable: 503,
    ConfigurationError: 500,
}


def error_body(kind: str, message: str) -> dict[str, dict[str, str]]:
    # A message may quote the caller's input; lone surrogates in it could not be encoded.
    text = message.encode("utf-8", "replace").decode("utf-8")
    return {"error": {"type": kind, "message": text}}


def _response(exc: AssistantError) -> JSONResponse:
    status = next((s for t, s in _STATUS.items() if isinstance(exc, t)), 500)
    return JSONResponse(error_body(type(exc).__name__, str(exc)), status_code=status)


def install(app: FastAPI) -> None:
    @app.exception_handler(AssistantError)
    async def _assistant_error(request: Request, exc: AssistantError) -> JSONResponse:
        return _response(exc)

    for foreign in FOREIGN:  # the packages' own errors, as `assistant.errors.map_errors` maps them

        @app.exception_handler(foreign)
        async def _foreign_error(request: Request, exc: Exception) -> JSONResponse:
            return _response(translate(exc))

    @app.exception_handler(RequestValidationError)
    async def _validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        details = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()
        )
        return JSONResponse(error_body("ValidationError", details), status_code=422)

    @app.exception_handler(HTTPException)
    async def _http_error(request: Request, exc: HTTPException) -> JSONResponse:
        return JSONResponse(
            error_body("HTTPError", str(exc.detail)),
            status_code=exc.status_code,
            headers=getattr(exc, "headers", None),
        )

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unexpected error on %s %s", request.method, request.url.path)
        return JSONResponse(error_body("InternalError", "internal error"), status_code=500)
