"""ASGI middleware: the input-hygiene rule (`assistant.hygiene`) on every request, before any route reads it.

Contract:
- The path and every query parameter are exact fields: a control character or a lone surrogate is 422 naming
  `path` or the parameter.
- A body FastAPI would parse as JSON (no content type, `application/json` or `*+json`) is decoded here first. Deeper
  than `limits.max_json_depth`, or too deep for the parser at all, it is 422 `json_too_deep`; a string breaking the
  rule is 422 naming its field (`messages.0.content`), or, in a free-text field (`FREE_TEXT`), normalised, and the
  route then reads the normalised body. A body that is not JSON passes unchanged: FastAPI answers its 400.
- Routes whose body is not a JSON document are checked by their service instead: a Character Card
  (`POST /v1/personas/import`, JSON or PNG) is decoded and checked by `Services.import_card`.
- Speaker bodies are signed by the platform, so they are never rewritten: none of their fields is free text.
- A refusal is 422, except on the OpenAI-compatible routes (`OPENAI_ROUTES`), where every refusal is 400 in the
  same error body, as OpenAI answers (`api.errors.openai_status` does the same for the routes' own 422s).
Bodies over `LARGE_BODY_BYTES` are checked on a worker thread, so the event loop keeps serving meanwhile.
"""

from __future__ import annotations

import asyncio
import json
import re
from typing import Any
from urllib.parse import parse_qsl

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.errors import send_error
from assistant.errors import InvalidInput
from assistant.hygiene import (
    IsFreeText,
    check_text,
    check_tree,
    field_matcher,
    may_need_text_checks,
    too_deep,
)

# Free text per route: normalised (CR LF / CR -> LF, other control characters removed). Every other field is exact.
FREE_TEXT: dict[str, tuple[str, ...]] = {
    "/v1/chat": ("message",),  # also /v1/models/{name}[/versions/{v}]/chat, served as /v1/chat
    "/v1/chat/completions": ("messages.*.content", "messages.*.content.*.text"),
    "/v1/context/rewrite": ("utterance", "history.*.text"),
    "/v1/skills/*": ("input.**",),
    "/v1/studio/try": ("message", "history.*.text"),
}
NOT_JSON_DOCUMENTS = ("/v1/personas/import", "/v1/studio/cards/preview")
# OpenAI's surface (the routes tagged `openai`), matched before routing; a pinned chat (/v1/models/{name}/chat) is not.
OPENAI_ROUTES = re.compile(r"^/v1/(?:chat/completions|completions|models(?:/[^/]+)?)/?$")
LARGE_BODY_BYTES = 512 * 1024
_JSON_TYPE = re.compile(r"^application/(?:[\w.+-]*\+)?json\s*(?:;|$)", re.IGNORECASE)
_ROUTES = [(re.compile("^" + re.escape(route).replace(r"\*", "[^/]+") + "$"), field_matcher(fields))
           for route, fields in FREE_TEXT.items()]


def free_text_fields(path: str) -> IsFreeText | None:
    return next((matcher for route, matcher in _ROUTES if route.match(path)), None)


class InputHygieneMiddleware:
    def __init__(self, app: ASGIApp, max_json_depth: int) -> None:
        self.app = app
        self.max_json_depth = max_json_depth

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        try:
            _check_target(scope)
            if scope.get("method") in ("POST", "PUT", "PATCH") and _parsed_as_json(scope):
                receive, scope = await self._checked_body(scope, receive)
        except InvalidInput as exc:
            status = 400 if OPENAI_ROUTES.match(scope.get("path", "")) else 422
            await send_error(send, status, exc.message, exc.error_type, param=exc.param, code=exc.code)
            return
        await self.app(scope, receive, send)

    async def _checked_body(self, scope: Scope, receive: Receive) -> tuple[Receive, Scope]:
        body, more = b"", True
        while more:  # BodyLimitMiddleware has already bounded and buffered it
            message = await receive()
            if message["type"] != "http.request":
                return _replay_message(message, receive), scope
            body += message.get("body", b"")
            more = message.get("more_body", False)
        path = scope.get("path", "")
        if body and not path.startswith(NOT_JSON_DOCUMENTS):
            check = (asyncio.to_thread if len(body) > LARGE_BODY_BYTES else _call)
            checked = await check(checked_json, body, self.max_json_depth, free_text_fields(path))
            if checked is not None:
                body = checked
                headers = [(k, v) for k, v in scope.get("headers", []) if k.lower() != b"content-length"]
                scope = {**scope, "headers": [*headers, (b"content-length", str(len(body)).encode())]}
        return _replay_body(body, receive), scope


def checked_json(body: bytes, max_depth: int, is_free_text: IsFreeText | None) -> bytes | None:
    """The body as the route must read it: None when unchanged (or not JSON at all); 422 `InvalidInput` when refused."""
    try:
        document: Any = json.loads(body)
    except RecursionError:
        raise too_deep(max_depth) from None
    except ValueError:  # not JSON (or not UTF-8/16/32): FastAPI refuses it with its own 400
        return None
    texts = may_need_text_checks(body) or json.detect_encoding(body) != "utf-8"
    if isinstance(document, str):
        if not texts:
            return None
        kept = check_text(document, "body", free_text=False)
        return None if kept is document else json.dumps(kept, ensure_ascii=False).encode()
    if not isinstance(document, dict | list):
        return None
    changed = check_tree(document, max_depth=max_depth, is_free_text=is_free_text, texts=texts)
    return json.dumps(document, ensure_ascii=False).encode() if changed else None


def _check_target(scope: Scope) -> None:
    check_text(scope.get("path", ""), "path", free_text=False)
    query = scope.get("query_string", b"")
    if query:
        for name, value in parse_qsl(query.decode("latin-1"), keep_blank_values=True, encoding="utf-8",
                                     errors="replace"):
            check_text(name, "query", free_text=False)
            check_text(value, name, free_text=False)


def _parsed_as_json(scope: Scope) -> bool:
    """Whether FastAPI will read this body as JSON: no content type, or a JSON one."""
    content_type = next((v for k, v in scope.get("headers", []) if k.lower() == b"content-type"), None)
    return content_type is None or bool(_JSON_TYPE.match(content_type.decode("latin-1")))


async def _call(function: Any, *args: Any) -> Any:
    return function(*args)


def _replay_body(body: bytes, receive: Receive) -> Receive:
    return _replay_message({"type": "http.request", "body": body, "more_body": False}, receive)


def _replay_message(first: Message, receive: Receive) -> Receive:
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return first
        return await receive()

    return replay
