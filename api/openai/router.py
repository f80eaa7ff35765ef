"""OpenAI-compatible routes, HTTP only: request -> TurnRequest -> pipeline -> Chat Completions JSON or chunks.

Mapping (also in the OpenAPI descriptions):
- `model` is a persona id; `GET /v1/models` lists the personas.
- The LAST message must be the user's and is the turn. System/developer messages are merged in order into one
  text (SillyTavern sends several, at most `limits.max_instructions_chars` characters) that reaches the prompt as
  the operator's instructions, after the persona's own rules, which win on conflict (personas.prompt);
  earlier user/assistant messages are the client's own copy of the history:
  the assistant remembers the STORED conversation, which the same (API key, model, `user`) always maps to, or
  the `X-Conversation-Id` header names directly (a key sees only its own conversations: 404 otherwise). Without
  either, every request starts a new conversation. The conversation id comes back in `X-Conversation-Id`.
- `max_tokens`/`max_completion_tokens`, `temperature`, `top_p`, `stop` override the persona's controls for the
  turn; `n` must be 1. Usage: generated non-streamed turns report the backend's counts; retrieved replies and
  streamed turns count the user message and the reply with the backend's tokenizer when a model is loaded,
  else 0.
- Streaming: `chat.completion.chunk` objects, the first with the role, the last with `finish_reason`, optionally a
  usage chunk (`stream_options.include_usage`), then `data: [DONE]`. Client disconnect cancels the turn.
"""

from __future__ import annotations

import hashlib
import json
import time
import uuid
from collections.abc import AsyncGenerator, AsyncIterator
from typing import Any

from fastapi import APIRouter, Header, Path, Request, Response
from fastapi.responses import StreamingResponse

from api.auth import Caller, CallerDep, record_usage
from api.deps import ServicesDep
from api.errors import ERROR_RESPONSES, ErrorBody, error_body
from api.openai.schemas import (
    AssistantTrace,
    ChatCompletion,
    ChatCompletionRequest,
    Choice,
    ModelCard,
    ModelList,
    ResponseMessage,
    Usage,
)
from api.vocabulary import (
    CONVERSATION_ID_MAX_CHARS,
    CONVERSATION_ID_PATTERN,
    PERSONA_ID_MAX_CHARS,
    cancel_on_disconnect,
    check_conversation_id,
    check_message,
)
from assistant.errors import AssistantError, InvalidInput, NotFound
from assistant.pipeline import GenerationOverrides, TurnRequest, TurnResult
from assistant.services import Services

router = APIRouter(tags=["openai"])
_STARTED = int(time.time())
_FINISH = {"stop": "stop", "length": "length", "filtered": "content_filter"}
_RESPONSES: dict[int | str, dict[str, Any]] = {
    **ERROR_RESPONSES,
    401: {"model": ErrorBody, "description": "Missing or invalid API key (when auth is on)"},
    200: {"description": "A chat.completion object, or with `stream: true` server-sent `chat.completion.chunk` "
                         "events ending with `data: [DONE]`",
          "content": {"text/event-stream": {"schema": {"type": "string"}}}},
}


def merge_system(request: ChatCompletionRequest) -> str:
    return "\n\n".join(t for m in request.messages if m.role in ("system", "developer") and (t := m.text().strip()))


def conversation_for(request: ChatCompletionRequest, caller: Caller, header: str | None) -> str:
    if header:
        return header
    if request.user:
        scope = f"{caller.owner or ''}\0{request.model}\0{request.user}"
        return "oai-" + hashlib.blake2b(scope.encode(), digest_size=16).hexdigest()
    return uuid.uuid4().hex


def _turn_request(body: ChatCompletionRequest, caller: Caller, cid: str, request_id: str | None,
                  services: Services) -> TurnRequest:
    last = body.messages[-1]
    if last.role != "user":
        raise InvalidInput("the last message must be the user's: it is the turn", param="messages",
                           code="last_message_not_user")
    message = last.text()
    check_message(message, services.settings, param="messages")
    instructions = merge_system(body)
    limit = services.settings.limits.max_instructions_chars
    if len(instructions) > limit:
        raise InvalidInput(f"system messages have {len(instructions)} characters (merged); the limit is {limit}",
                           param="messages", code="system_too_long")
    if services.find_persona(body.model) is None:
        raise NotFound(f"model {body.model!r} not found (models are persona ids: GET /v1/models)",
                       param="model", code="model_not_found")
    overrides = GenerationOverrides(max_new_tokens=body.max_completion_tokens or body.max_tokens,
                                    temperature=body.temperature, top_p=body.top_p, stop=body.stop_list())
    return TurnRequest(message=message, conversation_id=cid, persona=body.model, owner=caller.owner,
                       request_id=request_id, overrides=overrides, instructions=instructions or None)


def _count(services: Services, text: str) -> int:
    try:
        ready, _ = services.generation.status()
        return int(services.generation.count_tokens(text)) if ready else 0
    except Exception:  # a backend without a tokenizer counts nothing rather than failing the turn
        return 0


def usage_of(services: Services, message: str, reply: str, counted: dict[str, int] | None) -> Usage:
    if counted and "prompt_tokens" in counted:
        prompt, completion = int(counted["prompt_tokens"]), int(counted["completion_tokens"])
    else:
        prompt, completion = _count(services, message), _count(services, reply)
    return Usage(prompt_tokens=prompt, completion_tokens=completion, total_tokens=prompt + completion)


@router.get("/v1/models", response_model=ModelList, responses=_RESPONSES)
async def list_models(services: ServicesDep, caller: CallerDep) -> ModelList:
    return ModelList(data=[ModelCard(id=p.id, created=_STARTED, name=p.name, description=p.description or None)
                           for p in services.personas.list()])


@router.get("/v1/models/{model_id}", response_model=ModelCard, responses=_RESPONSES)
async def get_model(services: ServicesDep, caller: CallerDep,
                    model_id: str = Path(min_length=1, max_length=PERSONA_ID_MAX_CHARS)) -> ModelCard:
    p = services.find_persona(model_id)
    if p is None:
        raise NotFound(f"model {model_id!r} not found", param="model", code="model_not_found")
    return ModelCard(id=p.id, created=_STARTED, name=p.name, description=p.description or None)


@router.post("/v1/chat/completions", response_model=ChatCompletion, responses=_RESPONSES)
async def chat_completions(
    body: ChatCompletionRequest, request: Request, services: ServicesDep, caller: CallerDep,
    x_conversation_id: str | None = Header(None, min_length=1, max_length=CONVERSATION_ID_MAX_CHARS,
                                           pattern=CONVERSATION_ID_PATTERN,
                                           description="Continue this stored conversation."),
) -> Any:
    request_id = request.scope.get("state", {}).get("request_id") or uuid.uuid4().hex
    # Named like the header's schema errors (FastAPI reports headers lower-case).
    check_conversation_id(x_conversation_id, services.settings, param="x-conversation-id")
    cid = conversation_for(body, caller, x_conversation_id)
    turn = _turn_request(body, caller, cid, request_id, services)
    headers = {"X-Conversation-Id": cid}
    if body.stream:
        events = services.pipeline.stream(turn)
        first = await anext(events)  # refusals (quota, capacity, unknown model) are still plain HTTP errors
        chunks = _chunks(first, events, body, turn, request, services, caller, f"chatcmpl-{request_id}")
        return StreamingResponse(chunks, media_type="text/event-stream", headers=headers)
    result: TurnResult = await cancel_on_disconnect(request, services.pipeline.run(turn))
    usage = usage_of(services, turn.message, result.reply, result.usage)
    await record_usage(request, services, caller, usage.prompt_tokens, usage.completion_tokens, cid)
    completion = ChatCompletion(
        id=f"chatcmpl-{request_id}", created=int(time.time()), model=result.persona,
        choices=[Choice(message=ResponseMessage(content=result.reply),
                        finish_reason=_FINISH.get((result.generation or {}).get("finish_reason", "stop"), "stop"))],
        usage=usage,
        assistant=AssistantTrace(conversation_id=result.conversation_id, turn_index=result.turn_index,
                                 source=result.source, rewrite=result.rewrite, selection=result.selection),
    )
    return Response(completion.model_dump_json(), media_type="application/json", headers=headers)


def _chunk(cid: str, created: int, model: str, delta: dict[str, Any], finish: str | None = None,
           usage: Usage | None = None) -> str:
    choices = [] if usage is not None else [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}]
    body: dict[str, Any] = {"id": cid, "object": "chat.completion.chunk", "created": created, "model": model,
                            "choices": choices}
    if usage is not None:
        body["usage"] = usage.model_dump()
    return f"data: {json.dumps(body, ensure_ascii=False)}\n\n"


async def _chunks(first: dict[str, Any], events: AsyncGenerator[dict[str, Any]], body: ChatCompletionRequest,
                  turn: TurnRequest, request: Request, services: Services, caller: Caller,
                  chunk_id: str) -> AsyncIterator[str]:
    created, model = int(time.time()), body.model
    yield _chunk(chunk_id, created, model, {"role": "assistant", "content": ""})
    try:
        done: dict[str, Any] | None = None
        event: dict[str, Any] | None = first
        while event is not None:
            if event["event"] == "delta" and event["data"]["text"]:
                yield _chunk(chunk_id, created, model, {"content": event["data"]["text"]})
            elif event["event"] == "done":
                done = event["data"]
            event = await anext(events, None)
        assert done is not None
        yield _chunk(chunk_id, created, model, {}, finish="stop")
        usage = usage_of(services, turn.message, done["reply"], done.get("generation"))  # as the non-streamed path
        if body.stream_options is not None and body.stream_options.include_usage:
            yield _chunk(chunk_id, created, model, {}, usage=usage)
        await record_usage(request, services, caller, usage.prompt_tokens, usage.completion_tokens,
                           done["conversation_id"])
    except AssistantError as exc:
        # as /v1/chat's error event: the conversation the failed turn is stored in (also in X-Conversation-Id)
        error = {**error_body(exc.message, exc.error_type, param=exc.param, code=exc.code),
                 "conversation_id": turn.conversation_id}
        yield f"data: {json.dumps(error, ensure_ascii=False)}\n\n"
    finally:
        await events.aclose()  # on disconnect too: releases the conversation lock and the generation slot
    yield "data: [DONE]\n\n"
