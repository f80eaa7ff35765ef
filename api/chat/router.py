"""POST /v1/chat: one turn through the pipeline, as JSON or as server-sent events.

A streamed turn names its conversation before any event: a new conversation's id is chosen here and sent in the
`X-Conversation-Id` header of the 200. An `error` event after the 200 carries `conversation_id` beside `error` when the
conversation exists: the failed turn was stored, or the client named the conversation itself. A new conversation
where nothing was stored (a client error after the 200) has no id to continue, so the event names none.
A client that disconnects cancels its turn, streamed or not (`api.vocabulary.cancel_on_disconnect`), so the
conversation's lock and the generation slot free at once.
"""

from __future__ import annotations

import dataclasses
import json
import uuid
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable
from typing import Any

from fastapi import APIRouter, Header, Request

from api.auth import CallerDep, record_usage
from api.chat.schemas import ChatRequest, ChatResponse
from api.deps import ServicesDep
from api.errors import ERROR_RESPONSES, error_body
from api.sse import closing, sse_response
from api.vocabulary import FALLBACK_HEADER, cancel_on_disconnect, check_conversation_id, check_message
from assistant.errors import AssistantError
from assistant.pipeline import TurnRequest, result_to_dict

router = APIRouter(tags=["chat"])


@router.post("/v1/chat", response_model=ChatResponse, responses=ERROR_RESPONSES)
async def chat(body: ChatRequest, services: ServicesDep, caller: CallerDep, request: Request,
               x_fallback: str | None = Header(None, pattern="^(on|off)$", description=FALLBACK_HEADER)) -> Any:
    check_message(body.message, services.settings)
    check_conversation_id(body.conversation_id, services.settings)
    turn = TurnRequest(
        message=body.message,
        conversation_id=body.conversation_id,
        persona=body.persona,
        owner=caller.owner,
        request_id=request.scope.get("state", {}).get("request_id"),
        strict={"off": True, "on": False}.get(x_fallback or ""),
    )
    if not body.stream:
        result = await cancel_on_disconnect(request, services.pipeline.run(turn))
        await record_usage(request, services, caller, result.usage.get("prompt_tokens", 0),
                           result.usage.get("completion_tokens", 0), result.conversation_id)
        return result_to_dict(result)
    cid = body.conversation_id or uuid.uuid4().hex
    events = services.pipeline.stream(dataclasses.replace(turn, conversation_id=cid))
    # Fail before the 200 is sent when the turn cannot start (unknown persona, generation unavailable, ...).
    first = await anext(events)

    async def on_done(turn: dict[str, Any]) -> None:
        usage = (turn.get("generation") or {})
        await record_usage(request, services, caller, usage.get("prompt_tokens", 0) or 0,
                           usage.get("completion_tokens", 0) or 0, turn.get("conversation_id"))

    return sse_response(_sse(first, events, on_done, body.conversation_id), services.settings,
                        {"X-Conversation-Id": cid})


async def _sse(
    first: dict[str, Any], events: AsyncGenerator[dict[str, Any]], on_done: Callable[[dict[str, Any]], Awaitable[None]],
    given_id: str | None,
) -> AsyncIterator[dict[str, str]]:
    yield _event(first)
    # A client that hangs up closes this generator: close the turn too, so its lock and slot free at once.
    async with closing(events):
        try:
            async for event in events:
                if event["event"] == "done":
                    await on_done(event["data"])
                yield _event(event)
        except AssistantError as exc:
            body = error_body(exc.message, exc.error_type, param=exc.param, code=exc.code)
            conversation_id = exc.conversation_id or given_id
            if conversation_id is not None:
                body["conversation_id"] = conversation_id
            yield _event({"event": "error", "data": body})


def _event(event: dict[str, Any]) -> dict[str, str]:
    return {"event": event["event"], "data": json.dumps(event["data"], ensure_ascii=False)}
