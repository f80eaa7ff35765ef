"""The streamed Chat Completion: a turn's events as `chat.completion.chunk` server-sent events, and its usage.

Contract: `chunks(...)` yields the role chunk, one content chunk per text delta of the turn (token level: the
pipeline's generator releases text through its bounded hold-back), the finish chunk with the turn's own
`finish_reason` (`stop`, `length`, `content_filter`), the usage chunk when asked (`stream_options.include_usage`),
then `[DONE]`. A failure after the 200 is an error chunk `{"error": {…}, "conversation_id": "…"}` before `[DONE]`.
`usage_of(services, result)` is the same usage streamed or not: the backend's own counts for a generated reply; a
retrieved or fallback reply used no LM, so its prompt is 0 and its completion is counted with the loaded tokenizer
(0 without one).
"""

from __future__ import annotations

import json
import time
from collections.abc import AsyncGenerator, AsyncIterator
from typing import Any

from fastapi import Request

from api.auth import Caller, record_usage
from api.errors import error_body
from api.openai.schemas import Usage
from api.sse import closing
from assistant.errors import AssistantError
from assistant.pipeline import TurnRequest, TurnResult
from assistant.services import Services

FINISH = {"stop": "stop", "length": "length", "filtered": "content_filter"}


def _count(services: Services, text: str) -> int:
    try:
        ready, _ = services.generation.status()
        return int(services.generation.count_tokens(text)) if ready and text else 0
    except Exception:  # a backend without a tokenizer counts nothing rather than failing the turn
        return 0


def usage_from(services: Services, reply: str, generation: dict[str, Any] | None) -> Usage:
    if generation and generation.get("prompt_tokens") is not None and "fallback" not in generation:
        prompt, completion = int(generation["prompt_tokens"]), int(generation["completion_tokens"])
    else:
        prompt, completion = 0, _count(services, reply)
    return Usage(prompt_tokens=prompt, completion_tokens=completion, total_tokens=prompt + completion)


def usage_of(services: Services, result: TurnResult) -> Usage:
    return usage_from(services, result.reply, result.generation)


def _chunk(cid: str, created: int, model: str, delta: dict[str, Any], finish: str | None = None,
           usage: Usage | None = None) -> dict[str, str]:
    choices = [] if usage is not None else [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}]
    body: dict[str, Any] = {"id": cid, "object": "chat.completion.chunk", "created": created, "model": model,
                            "choices": choices}
    if usage is not None:
        body["usage"] = usage.model_dump()
    return {"data": json.dumps(body, ensure_ascii=False)}


async def chunks(first: dict[str, Any], events: AsyncGenerator[dict[str, Any]], turn: TurnRequest,
                 request: Request, services: Services, caller: Caller, chunk_id: str,
                 include_usage: bool) -> AsyncIterator[dict[str, str]]:
    created, model = int(time.time()), turn.persona or ""
    yield _chunk(chunk_id, created, model, {"role": "assistant", "content": ""})
    async with closing(events):  # on disconnect too: releases the conversation lock and the generation slot
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
            generation = done.get("generation") or {}
            yield _chunk(chunk_id, created, model, {}, finish=FINISH.get(generation.get("finish_reason", ""), "stop"))
            usage = usage_from(services, done["reply"], done.get("generation"))
            if include_usage:
                yield _chunk(chunk_id, created, model, {}, usage=usage)
            await record_usage(request, services, caller, usage.prompt_tokens, usage.completion_tokens,
                               done["conversation_id"])
        except AssistantError as exc:
            # as /v1/chat's error event: the conversation the failed turn is stored in (also in X-Conversation-Id)
            error = {**error_body(exc.message, exc.error_type, param=exc.param, code=exc.code),
                     "conversation_id": turn.conversation_id}
            yield {"data": json.dumps(error, ensure_ascii=False)}
    yield {"data": "[DONE]"}
