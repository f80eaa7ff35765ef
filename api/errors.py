"""One error body for every error: `{"error": {"message", "type", "param", "code"}}`.

Validation errors, HTTP errors, domain errors and unexpected exceptions all leave through here; an unexpected
exception is logged with its stack and reaches the client only as a generic message and the request id. A leaf
package's exception is translated by the one table (`assistant.error_table`), whose base classes get one handler
here, so routers let leaf exceptions propagate and never map them themselves.
Middleware that answers before FastAPI (`send_error`) and error events of a started stream (`error_body`) build the
same body here.
"""

from __future__ import annotations

import json
import logging
import uuid
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import Send

from assistant.error_table import LEAF_ERROR_BASES, to_assistant_error
from assistant.errors import AssistantError, Busy
from assistant.store import StoreBusy

log = logging.getLogger(__name__)


class ErrorDetail(BaseModel):
    message: str
    type: str
    param: str | None = None
    code: str | None = None


class ErrorBody(BaseModel):
    error: ErrorDetail


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorBody, "description": text}
    for code, text in {
        400: "Malformed request (e.g. invalid JSON)",
        404: "Not found",
        413: "Request body over the size limit",
        422: "Invalid field, unknown field or value over a limit",
        429: "Over quota",
        503: "A needed component is not loaded, or capacity is exhausted (see Retry-After)",
        504: "The turn took longer than the request timeout",
    }.items()
}


def error_body(message: str, type_: str, *, param: str | None = None, code: str | None = None) -> dict[str, Any]:
    """The error body itself; also the `data` of an error event in a stream that has already started. A lone
    surrogate echoed from the request (it cannot be encoded) is written as its escape, e.g. `\\udc80`."""
    return {"error": {"message": _encodable(message), "type": type_, "param": _encodable(param), "code": code}}


def _encodable(text: str | None) -> str | None:
    return text if text is None or text.isascii() else text.encode("utf-8", "backslashreplace").decode("utf-8")


def error_response(
    status: int, message: str, type_: str, *, param: str | None = None, code: str | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    return JSONResponse(error_body(message, type_, param=param, code=code), status_code=status, headers=headers)


async def send_error(
    send: Send, status: int, message: str, type_: str, *, param: str | None = None, code: str | None = None
) -> None:
    """Answer from ASGI middleware, which runs outside FastAPI's exception handlers."""
    body = json.dumps(error_body(message, type_, param=param, code=code), ensure_ascii=False).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


def openai_status(request: Request, status: int) -> int:
    """OpenAI's API answers every invalid request with 400: so do the routes tagged `openai` (their 422s)."""
    route = request.scope.get("route")
    return 400 if status == 422 and "openai" in (getattr(route, "tags", None) or ()) else status


def domain_error_response(exc: AssistantError, request: Request | None = None) -> JSONResponse:
    headers = {"Retry-After": str(max(1, round(exc.retry_after)))} if isinstance(exc, Busy) else {}
    if (limit := getattr(exc, "rate_limit", None)) is not None:  # a quota refusal says where the key stands
        headers.update(limit.headers())
    if exc.conversation_id is not None:  # the turn failed but its message was stored in this conversation
        headers["X-Conversation-Id"] = exc.conversation_id
    status = openai_status(request, exc.status_code) if request is not None else exc.status_code
    return error_response(status, exc.message, exc.error_type, param=exc.param, code=exc.code, headers=headers or None)


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(AssistantError)
    async def _domain(request: Request, exc: AssistantError) -> JSONResponse:
        return domain_error_response(exc, request)

    async def _leaf(request: Request, exc: Exception) -> JSONResponse:
        error = to_assistant_error(exc)
        if error.status_code == 500:  # a leaf failure the table has no client-facing meaning for: keep its stack
            log.error("leaf error in %s %s", request.method, request.url.path, exc_info=exc)
        return domain_error_response(error, request)

    for leaf in LEAF_ERROR_BASES:
        app.add_exception_handler(leaf, _leaf)

    @app.exception_handler(StoreBusy)
    async def _store_busy(_: Request, exc: StoreBusy) -> JSONResponse:
        return error_response(503, str(exc), "overloaded_error", code="store_busy", headers={"Retry-After": "1"})

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = exc.errors()
        first = errors[0] if errors else {"loc": (), "msg": "invalid request", "type": "invalid"}
        loc = [str(p) for p in first.get("loc", ()) if p not in ("body", "query", "path", "header")]
        if first.get("type") == "json_invalid":
            return error_response(400, f"malformed JSON: {first.get('msg')}", "invalid_request_error",
                                  code="json_invalid")
        message = "; ".join(
            f"{'.'.join(str(p) for p in e.get('loc', ()) if p != 'body') or 'body'}: {e.get('msg')}"
            for e in errors[:5]
        )
        return error_response(openai_status(request, 422), message, "invalid_request_error",
                              param=".".join(loc) or None, code=str(first.get("type")))

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        type_ = {404: "not_found_error", 405: "invalid_request_error"}.get(exc.status_code, "http_error")
        return error_response(exc.status_code, str(exc.detail), type_, headers=getattr(exc, "headers", None))

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        # This handler answers outside the middleware that echoes the request id: send it here, as on every answer.
        request_id = getattr(request.state, "request_id", None) or uuid.uuid4().hex
        log.exception("unhandled error in %s %s (request %s)", request.method, request.url.path, request_id)
        return error_response(500, f"internal error (request id {request_id})", "internal_error",
                              headers={"X-Request-ID": request_id})
