"""A turn's ends: what the caller asks (`TurnRequest`) and what it gets back once the exchange is stored
(`TurnResult`); what is decided in between are the stage results of `assistant.pipeline.stages`.

Contract: frozen dataclasses with no behaviour; `result_to_dict` is the JSON shape of a stored turn that the chat API
returns and the stream's `done` event carries.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

Source = Literal["retrieve", "generate", "fallback"]


@dataclass(frozen=True)
class GenerationOverrides:
    """Per-request generation controls (OpenAI-compatible clients send these); None keeps the persona's."""

    max_new_tokens: int | None = None
    temperature: float | None = None
    top_p: float | None = None
    stop: list[str] | None = None
    seed: int | None = None
    # One JSON object (matching a schema): `generation.structured.ResponseFormat`; such a turn always generates.
    response_format: Any = None


@dataclass(frozen=True)
class TurnRequest:
    message: str
    conversation_id: str | None = None
    persona: str | None = None
    owner: str | None = None
    request_id: str | None = None
    overrides: GenerationOverrides = GenerationOverrides()
    endpoint: str | None = None  # model endpoint (routing); None: the persona's, then the default one
    model_version: str | None = None  # pins a version of that endpoint, bypassing the A/B split
    # Operator instructions for the prompt (OpenAI system/developer messages), placed after the persona's rules.
    instructions: str | None = None
    # Client-held history ((role, text) pairs, oldest first): when set, it is the conversation's history for context
    # injection and the prompt (the dialogue state is rebuilt from it) and the stored turns are not read.
    history: tuple[tuple[str, str], ...] | None = None
    # The start of the reply, written by the client (an assistant prefill): the model continues it; such a turn
    # always generates, and the stored reply is prefill + continuation.
    prefill: str = ""
    # A resent message (a swipe, a retry) of a client-held conversation keeps its stored user turn: only the new
    # reply is added (`assistant.store`).
    reuse_user_turn: bool = False
    # When no LM can answer: True refuses with 503 (strict clients), False always answers the persona's fallback
    # reply (speakers must say something), None follows `personas.fallback.enabled`.
    strict: bool | None = None


@dataclass(frozen=True)
class TurnResult:
    conversation_id: str
    persona: str
    reply: str
    source: Source
    rewrite: dict[str, Any]
    selection: dict[str, Any]
    state: dict[str, Any]
    latency_ms: dict[str, float]
    turn_index: int
    generation: dict[str, Any] | None = None
    usage: dict[str, int] = field(default_factory=dict)


def result_to_dict(result: TurnResult) -> dict[str, Any]:
    return {
        "conversation_id": result.conversation_id,
        "persona": result.persona,
        "turn_index": result.turn_index,
        "reply": result.reply,
        "source": result.source,
        "rewrite": result.rewrite,
        "selection": result.selection,
        "state": result.state,
        "generation": result.generation,
        "latency_ms": result.latency_ms,
    }
