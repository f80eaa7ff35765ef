"""OpenAI-compatible routes, HTTP only: request -> TurnRequest -> pipeline -> Chat Completions JSON or chunks.

Mapping (also in the OpenAPI descriptions; docs/openai.md has the whole surface and SillyTavern's request):
- `model` is a persona id; `GET /v1/models` lists the personas.
- Messages: system/developer messages are the operator's instructions (merged, at most
  `limits.max_instructions_chars`), placed after the persona's own rules, which win on conflict; the last user message
  is the turn; a last assistant message is a prefill the reply continues (the response carries the continuation);
  earlier user/assistant messages are the history, client-held unless `X-Conversation-Id` names a stored
  conversation (`api.openai.history`).
- Honoured: `max_tokens`/`max_completion_tokens`, `temperature`, `top_p`, `stop`, `seed`, `response_format`,
  `stream`, `stream_options.include_usage`, `user`; every other parameter is a 400 `unsupported_parameter` unless it
  has its no-op value (`api.openai.params`). Every refusal of this surface is a 400 in OpenAI's error shape
  (`api.errors` answers the `openai` routes' 422s as 400s).
- `finish_reason` and `usage` are the backend's own counts, streamed or not (a retrieved or fallback reply used no
  LM: its completion is counted with the tokenizer when one is loaded, its prompt is 0).
- Streaming: `chat.completion.chunk` objects, the first with the role, then token-level content deltas, the last
  with `finish_reason`, optionally a usage chunk (`stream_options.include_usage`), then `data: [DONE]`; `: ping`
  comments keep a slow turn's connection open. A client that disconnects cancels the turn.
"""

from __future__ import annotations

import dataclasses
import time
import uuid
from typing import Any

from fastapi import APIRouter, Header, Path, Request, Response

from api.auth import Caller, CallerDep, record_usage
from api.deps import ServicesDep
from api.errors import ERROR_RESPONSES, ErrorBody
from api.openai.history import node_id, refuse_history_with_id, split_messages
from api.openai.params import refuse_unsupported, unsupported
from api.openai.schemas import (
    AssistantTrace,
    ChatCompletion,
    ChatCompletionRequest,
    Choice,
    ModelCard,
    ModelList,
    ResponseMessage,
)
from api.openai.stream import FINISH, chunks, usage_of
from api.sse import sse_response
from api.vocabulary import (
    CONVERSATION_ID_MAX_CHARS,
    CONVERSATION_ID_PATTERN,
    FALLBACK_HEADER,
    PERSONA_ID_MAX_CHARS,
    cancel_on_disconnect,
    check_conversation_id,
    check_message,
)
from assistant.errors import InvalidInput, NotFound
from assistant.exports import response_format_for
from assistant.pipeline import GenerationOverrides, TurnRequest, TurnResult
from assistant.services import Services

router = APIRouter(tags=["openai"])
_STARTED = int(time.time())
_RESPONSES: dict[int | str, dict[str, Any]] = {
    **ERROR_RESPONSES,
    401: {"model": ErrorBody, "description": "Missing or invalid API key (when auth is on)"},
    200: {"description": "A chat.completion object, or with `stream: true` server-sent `chat.completion.chunk` "
                         "events ending with `data: [DONE]`",
          "content": {"text/event-stream": {"schema": {"type": "string"}}}},
}


def _turn_request(body: ChatCompletionRequest, caller: Caller, header_id: str | None, request_id: str | None,
                  services: Services) -> TurnRequest:
    turn = split_messages(body.messages)
    refuse_unsupported(body.model_extra or {}, ChatCompletionRequest.model_fields, prefill=bool(turn.prefill),
                       supports_prefill=services.generation.supports_prefill)
    check_message(turn.message, services.settings, param="messages")
    limit = services.settings.limits.max_instructions_chars
    if len(turn.instructions) > limit:
        raise InvalidInput(f"system messages have {len(turn.instructions)} characters (merged); the limit is {limit}",
                           param="messages", code="system_too_long")
    if services.find_persona(body.model) is None:
        raise NotFound(f"model {body.model!r} not found (models are persona ids: GET /v1/models)",
                       param="model", code="model_not_found")
    if header_id is not None:
        refuse_history_with_id(turn)
    fmt = body.response_format
    if fmt is not None and fmt.type == "json_schema" and fmt.json_schema is None:
        raise unsupported("response_format.json_schema", "a json_schema response_format needs its json_schema")
    overrides = GenerationOverrides(
        max_new_tokens=body.max_completion_tokens or body.max_tokens, temperature=body.temperature, top_p=body.top_p,
        stop=body.stop_list(), seed=body.seed,
        response_format=response_format_for(fmt.type, fmt.json_schema.schema_ if fmt.json_schema else None,
                                            fmt.json_schema.name if fmt.json_schema else "response")
        if fmt is not None and fmt.type != "text" else None)
    return TurnRequest(
        message=turn.message, persona=body.model, owner=caller.owner, request_id=request_id, overrides=overrides,
        instructions=turn.instructions or None, prefill=turn.prefill,
        conversation_id=header_id or node_id(caller.owner, body.model, body.user, body.messages),
        history=None if header_id is not None else turn.history, reuse_user_turn=header_id is None)


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
                                           description="Continue this stored conversation (server-held history)."),
    x_fallback: str | None = Header(None, pattern="^(on|off)$", description=FALLBACK_HEADER),
) -> Any:
    request_id = request.scope.get("state", {}).get("request_id") or uuid.uuid4().hex
    # Named like the header's schema errors (FastAPI reports headers lower-case).
    check_conversation_id(x_conversation_id, services.settings, param="x-conversation-id")
    turn = _turn_request(body, caller, x_conversation_id, request_id, services)
    if x_fallback is not None:
        turn = dataclasses.replace(turn, strict={"off": True, "on": False}.get(x_fallback or ""))
    headers = {"X-Conversation-Id": turn.conversation_id or ""}
    if body.stream:
        events = services.pipeline.stream(turn)
        first = await anext(events)  # refusals (quota, capacity, unknown model) are still plain HTTP errors
        include_usage = body.stream_options is not None and body.stream_options.include_usage
        stream = chunks(first, events, turn, request, services, caller, f"chatcmpl-{request_id}", include_usage)
        return sse_response(stream, services.settings, headers)
    result: TurnResult = await cancel_on_disconnect(request, services.pipeline.run(turn))
    usage = usage_of(services, result)
    await record_usage(request, services, caller, usage.prompt_tokens, usage.completion_tokens,
                       result.conversation_id)
    completion = ChatCompletion(
        id=f"chatcmpl-{request_id}", created=int(time.time()), model=result.persona,
        choices=[Choice(message=ResponseMessage(content=result.reply[len(turn.prefill):]),
                        finish_reason=FINISH.get((result.generation or {}).get("finish_reason", "stop"), "stop"))],
        usage=usage, system_fingerprint=services.fingerprint(result.persona),
        assistant=AssistantTrace(conversation_id=result.conversation_id, turn_index=result.turn_index,
                                 source=result.source, rewrite=result.rewrite, selection=result.selection),
    )
    return Response(completion.model_dump_json(), media_type="application/json", headers=headers)
