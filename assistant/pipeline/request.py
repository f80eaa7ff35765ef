"""The generation request of a turn that generates, and the token counts of a streamed one.

Contract: `generation_request(limits, retrieval, generator, req, prep)` builds the `GenerationRequest` from the
persona's controls, the request's overrides (capped by `limits.max_new_tokens`), the knowledge the persona is allowed
and the prompt trimmed to the model's context window; it raises `Unavailable` (503 `generation_unavailable`) when the
generator has no model loaded, and the personas package's `PromptError` when no prompt fits. `stream_usage` counts
the tokens of a streamed turn, since the backend streams text only.
"""

from __future__ import annotations

import time
from typing import Any

from assistant.errors import Unavailable
from assistant.pipeline.types import Prepared, TurnRequest, ms_since
from assistant.settings import LimitsSettings
from generation import GenerationRequest, Generator
from personas import render_prompt
from retrieval import Retrieval

# Chat templates wrap each message in role markers (about 4-8 tokens in Llama-, Qwen- and EXAONE-style
# templates); budgeting the upper end keeps a trimmed prompt inside the context window.
TEMPLATE_TOKENS_PER_MESSAGE = 8


def generation_request(limits: LimitsSettings, retrieval: Retrieval, generator: Generator, req: TurnRequest,
                       prep: Prepared) -> GenerationRequest:
    ready, reason = generator.status()
    if not ready:
        raise Unavailable(
            f"this message needs generation, but no language model is loaded: {reason}",
            code="generation_unavailable",
        )
    persona = prep.persona
    mark = time.perf_counter()
    passages = retrieval.knowledge(prep.rewrite.standalone, persona.knowledge) if persona.knowledge else []
    controls = persona.generation
    max_new = min(req.overrides.max_new_tokens or controls.max_new_tokens, limits.max_new_tokens)
    messages = render_prompt(
        persona,
        [(t.role, t.text) for t in prep.history if not t.failed],
        utterance=req.message,
        standalone=prep.rewrite.standalone,
        knowledge=[(p.source, p.text) for p in passages],
        budget_tokens=max(generator.context_window - max_new, 64),
        count_tokens=generator.count_tokens,
        message_overhead_tokens=TEMPLATE_TOKENS_PER_MESSAGE,
        instructions=req.instructions or "",
    )
    prep.timings["prompt"] = ms_since(mark)
    return GenerationRequest(
        messages=messages,
        max_new_tokens=max_new,
        temperature=req.overrides.temperature if req.overrides.temperature is not None else controls.temperature,
        top_p=req.overrides.top_p if req.overrides.top_p is not None else controls.top_p,
        stop=list(req.overrides.stop if req.overrides.stop is not None else controls.stop),
        banned_phrases=list(controls.banned_phrases),
        max_reply_chars=persona.style.max_reply_chars,
        speech_level=persona.speech_level,
        refusal=persona.refusal,
        timeout_s=limits.request_timeout_s,
    )


def stream_usage(generator: Generator, request: GenerationRequest, reply: str) -> dict[str, Any]:
    """Token counts of a streamed turn (the backend streams text only), for usage and quotas."""
    count = generator.count_tokens
    prompt = sum(count(m["content"]) + TEMPLATE_TOKENS_PER_MESSAGE for m in request.messages)
    return {"streamed": True, "prompt_tokens": prompt, "completion_tokens": count(reply) if reply else 0}
