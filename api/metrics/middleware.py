"""ASGI middleware for serving: HTTP request metrics, routing pins from headers, the request id in log records.

- Counts every request by method, matched route template (never the raw path, so ids do not explode the label
  set; unmatched paths are `unmatched`) and status, and observes its duration.
- `X-Model-Endpoint` / `X-Model-Version` set `assistant.routing.pins` for the request (validated here: a value
  that is not a plain name is a 422 in the one error body). `POST /v1/models/{name}[/versions/{v}]/chat` pins the
  same way and is then served by `/v1/chat` itself (same body, auth, streaming and errors).
- Adds the key's `x-ratelimit-*` headers (`api.auth` leaves them in the request state) to the response.
- Binds the request id (set by BodyLimitMiddleware, or the incoming `X-Request-ID`) to `assistant.logs` so every
  log line of the request carries it.
Pure ASGI (no BaseHTTPMiddleware), so context variables reach the endpoint and streamed responses.
"""

from __future__ import annotations

import re
import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.errors import send_error
from api.vocabulary import ROUTING_NAME_PATTERN
from assistant.logs import request_id_var
from assistant.routing import Pins, pins

_NAME = re.compile(ROUTING_NAME_PATTERN)
PIN_HEADERS = {b"x-model-endpoint": ("endpoint", "X-Model-Endpoint"),
               b"x-model-version": ("version", "X-Model-Version")}
PINNED_CHAT = re.compile(r"^/v1/models/(?P<endpoint>[^/]+)(?:/versions/(?P<version>[^/]+))?/chat$")
CHAT_PATH = "/v1/chat"


class ServingMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        found: dict[str, str] = {}
        source: dict[str, str] = {}  # field -> where it came from, for the error's `param`
        for key, value in scope.get("headers", []):
            pin = PIN_HEADERS.get(key.lower())
            if pin is not None:
                found[pin[0]], source[pin[0]] = value.decode("latin-1"), pin[1]
        pinned = PINNED_CHAT.match(scope.get("path", "")) if scope.get("method") == "POST" else None
        if pinned is not None:
            for field, value in pinned.groupdict().items():
                if value is not None:
                    found[field], source[field] = value, field
            scope = {**scope, "path": CHAT_PATH, "raw_path": CHAT_PATH.encode()}
        for field, value in found.items():
            if not _NAME.match(value):
                await _invalid_pin(send, source[field], value)
                return
        request_id = scope.get("state", {}).get("request_id") or _header(scope, b"x-request-id")
        pins_token = pins.set(Pins(**found)) if found else None
        id_token = request_id_var.set(request_id)
        status = 500
        started = time.perf_counter()

        async def send_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                limits = scope.get("state", {}).get("rate_limit_headers")
                if limits:  # set by api.auth once the key is admitted: where it stands against its quotas
                    message.setdefault("headers", []).extend((k.encode(), v.encode()) for k, v in limits.items())
            await send(message)

        try:
            await self.app(scope, receive, send_status)
        finally:
            request_id_var.reset(id_token)
            if pins_token is not None:
                pins.reset(pins_token)
            self._observe(scope, status, time.perf_counter() - started)

    @staticmethod
    def _observe(scope: Scope, status: int, seconds: float) -> None:
        services = getattr(getattr(scope.get("app"), "state", None), "services", None)
        metrics = getattr(services, "metrics", None)
        if metrics is None:
            return
        route = scope.get("route")
        template = getattr(route, "path", None) or "unmatched"
        method = scope.get("method", "GET")
        metrics.http_requests.labels(method, template, str(status)).inc()
        metrics.http_duration.labels(method, template).observe(seconds)


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key.lower() == name:
            return value.decode("latin-1")
    return None


async def _invalid_pin(send: Send, param: str, value: str) -> None:
    message = f"{param} must be a name of 1-64 letters, digits, '_', '.', ':' or '-', got {value[:80]!r}"
    await send_error(send, 422, message, "invalid_request_error", param=param, code="invalid_model_pin")
