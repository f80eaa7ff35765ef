"""`POST /v1/completions`: OpenAI's legacy text completion, for text-completion frontends, HTTP only.

Contract: `model` is a persona id (its decoding defaults, banned phrases, refusal and PII masking apply; no persona
prompt, no chat template, no speech-level repair: `assistant.text_completion`); `prompt` is one string (or a list of
one) continued as written. Honoured: `max_tokens`, `temperature`, `top_p`, `stop`, `seed`, `stream`,
`stream_options.include_usage`, `user`; anything else is a 400 `unsupported_parameter` unless at its no-op value
(`n: 1`, `best_of: 1`, `echo: false`, `suffix: ""`, `logprobs` null, `frequency_penalty`/`presence_penalty` 0,
`logit_bias` {}). Nothing is stored (there is no conversation); usage counts against the key's quota. The answer is a
`text_completion` object, or streamed chunks of it ending with `data: [DONE]`, with the backend's own
`finish_reason` and usage.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import AsyncIterator
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict, Field

from api.auth import CallerDep, record_usage
from api.deps import ServicesDep
from api.openai.params import refuse_unsupported, unsupported
from api.openai.schemas import StopText, StreamOptions, Usage
from api.openai.stream import FINISH
from api.sse import closing, sse_response
from api.vocabulary import check_message
from assistant.errors import NotFound

router = APIRouter(tags=["openai"])


class CompletionRequest(BaseModel):
    model_config = ConfigDict(extra="allow")

    model: str = Field(min_length=1, max_length=64, description="Persona id (GET /v1/models lists them).")
    prompt: str | Annotated[list[str], Field(min_length=1, max_length=1)] = Field(
        description="The text to continue, as written (at most `limits.max_message_chars` characters).")
    max_tokens: int | None = Field(None, ge=1, le=32_768, description="Capped by limits.max_new_tokens.")
    temperature: float | None = Field(None, ge=0.0, le=2.0)
    top_p: float | None = Field(None, gt=0.0, le=1.0)
    stop: StopText | Annotated[list[StopText], Field(max_length=4)] | None = None
    seed: int | None = Field(None, ge=-(2**63), le=2**63 - 1)
    stream: bool = False
    stream_options: StreamOptions | None = None
    user: str | None = Field(None, min_length=1, max_length=256)


class TextChoice(BaseModel):
    text: str
    index: int = 0
    logprobs: None = None
    finish_reason: Literal["stop", "length", "content_filter"]


class TextCompletion(BaseModel):
    id: str
    object: Literal["text_completion"] = "text_completion"
    created: int
    model: str
    choices: list[TextChoice]
    usage: Usage


def _usage(prompt: int, completion: int) -> Usage:
    return Usage(prompt_tokens=prompt, completion_tokens=completion, total_tokens=prompt + completion)


@router.post("/v1/completions", response_model=TextCompletion)
async def completions(body: CompletionRequest, request: Request, services: ServicesDep, caller: CallerDep) -> Any:
    refuse_unsupported(body.model_extra or {}, CompletionRequest.model_fields)
    prompt = body.prompt if isinstance(body.prompt, str) else body.prompt[0]
    check_message(prompt, services.settings, param="prompt", what="prompt")
    if services.find_persona(body.model) is None:
        raise NotFound(f"model {body.model!r} not found (models are persona ids: GET /v1/models)", param="model",
                       code="model_not_found")
    if not services.generation.supports_raw_prompt:
        raise unsupported("prompt", "the loaded LM backend cannot continue a raw text prompt; use /v1/chat/completions")
    stop = [body.stop] if isinstance(body.stop, str) else body.stop
    generation = services.text_request(body.model, prompt, max_tokens=body.max_tokens, temperature=body.temperature,
                                       top_p=body.top_p, stop=stop, seed=body.seed)
    request_id = request.scope.get("state", {}).get("request_id") or uuid.uuid4().hex
    cid, created = f"cmpl-{request_id}", int(time.time())
    if body.stream:
        include_usage = body.stream_options is not None and body.stream_options.include_usage
        events = services.stream_text(generation)
        first = await anext(events)  # a full gate or no LM: still a plain HTTP error
        return sse_response(_chunks(first, events, cid, created, body.model, include_usage, request, services,
                                    caller), services.settings)
    done = await services.complete_text(generation)
    usage = _usage(done.prompt_tokens, done.completion_tokens)
    await record_usage(request, services, caller, usage.prompt_tokens, usage.completion_tokens, None)
    return TextCompletion(id=cid, created=created, model=body.model, usage=usage, choices=[
        TextChoice(text=done.text, finish_reason=FINISH.get(done.finish_reason, "stop"))])


async def _chunks(first: Any, events: Any, cid: str, created: int, model: str, include_usage: bool,
                  request: Request, services: Any, caller: Any) -> AsyncIterator[dict[str, str]]:
    def chunk(text: str, finish: str | None, usage: Usage | None = None) -> dict[str, str]:
        choices = [] if usage is not None else [{"text": text, "index": 0, "logprobs": None, "finish_reason": finish}]
        out: dict[str, Any] = {"id": cid, "object": "text_completion", "created": created, "model": model,
                               "choices": choices}
        if usage is not None:
            out["usage"] = usage.model_dump()
        return {"data": json.dumps(out, ensure_ascii=False)}

    async with closing(events):
        item = first
        while isinstance(item, str):
            yield chunk(item, None)
            item = await anext(events)
        usage = _usage(item["prompt_tokens"], item["completion_tokens"])
        yield chunk("", FINISH.get(item["finish_reason"], "stop"))
        if include_usage:
            yield chunk("", None, usage)
        await record_usage(request, services, caller, usage.prompt_tokens, usage.completion_tokens, None)
    yield {"data": "[DONE]"}
