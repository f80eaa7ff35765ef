"""Raw text completion (OpenAI's `/v1/completions`): the client's prompt continued as written, under a persona's
controls, stored nowhere.

Contract: `text_request(settings, persona, ...)` builds the `GenerationRequest` for a raw prompt: no chat template
and no persona prompt (a text-completion frontend formats its own), the persona's decoding defaults unless the
request overrides them (`max_tokens` capped by `limits.max_new_tokens`), its banned phrases and refusal, PII masking
and reply hygiene; no speech-level repair (the prompt's format decides the register) and no reply length cut.
`complete_text` and `stream_text` run it under one admission slot (503 + Retry-After when the gate is full); no
loaded LM is a 503 `generation_unavailable`, and a backend that cannot continue raw text (the remote
OpenAI-compatible one) a 400 `unsupported_parameter` from the surface. Nothing is stored: there is no conversation.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from assistant.admission import Admission
from assistant.decoding import decoding
from assistant.errors import Unavailable
from assistant.settings import Settings
from generation import Completion, GenerationRequest, Generator
from personas import Persona


def text_request(settings: Settings, persona: Persona, prompt: str, *, max_tokens: int | None,
                 temperature: float | None, top_p: float | None, stop: list[str] | None,
                 seed: int | None) -> GenerationRequest:
    controls, chosen = persona.generation, decoding(persona, settings.generation.defaults)
    return GenerationRequest(
        messages=[{"role": "user", "content": prompt}], raw_prompt=prompt,
        max_new_tokens=min(max_tokens or chosen.max_new_tokens, settings.limits.max_new_tokens),
        temperature=chosen.temperature if temperature is None else temperature,
        top_p=chosen.top_p if top_p is None else top_p, top_k=chosen.top_k,
        repetition_penalty=chosen.repetition_penalty, stop=list(stop if stop is not None else controls.stop),
        banned_phrases=list(controls.banned_phrases), refusal=persona.refusal, seed=seed,
        timeout_s=settings.limits.request_timeout_s)


def _ready(generator: Generator) -> None:
    ready, reason = generator.status()
    if not ready:
        raise Unavailable(f"text completion needs a language model, and none is loaded: {reason}",
                          code="generation_unavailable")


async def complete_text(generator: Generator, admission: Admission, request: GenerationRequest) -> Completion:
    _ready(generator)
    async with admission.slot():
        return await generator.generate(request)


async def stream_text(generator: Generator, admission: Admission,
                      request: GenerationRequest) -> AsyncIterator[str | dict[str, Any]]:
    """Text deltas, then one dict: the completion's finish reason and token counts."""
    _ready(generator)
    async with admission.slot():
        stream = generator.stream(request)
        try:
            async for delta in stream:
                yield delta
        finally:
            await stream.aclose()
        done = stream.completion
        assert done is not None
        yield {"finish_reason": done.finish_reason, "prompt_tokens": done.prompt_tokens,
               "completion_tokens": done.completion_tokens}
