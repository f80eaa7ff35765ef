"""A turn's data: what the caller asks (`TurnRequest`), what it gets back (`TurnResult`), and what the pipeline has
decided in between (`Prepared`).

Contract: plain dataclasses with no behaviour; `result_to_dict` is the JSON shape of a stored turn that the chat API
returns and the stream's `done` event carries; `ms_since` is how every stage's latency is measured.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from assistant.routing import Route
from assistant.store import Turn
from generation import GenerationRequest
from personas import Persona
from retrieval import Selection


@dataclass(frozen=True)
class GenerationOverrides:
    """Per-request generation controls (OpenAI-compatible clients send these); None keeps the persona's."""

    max_new_tokens: int | None = None
    temperature: float | None = None
    top_p: float | None = None
    stop: list[str] | None = None


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


@dataclass
class TurnResult:
    conversation_id: str
    persona: str
    reply: str
    source: str
    rewrite: dict[str, Any]
    selection: dict[str, Any]
    state: dict[str, Any]
    latency_ms: dict[str, float]
    turn_index: int
    generation: dict[str, Any] | None = None
    usage: dict[str, int] = field(default_factory=dict)


@dataclass
class Prepared:
    """Everything decided before the reply text exists (shared by the blocking and the streaming turn)."""

    conversation_id: str
    persona: Persona
    rewrite: Any
    selection: Selection
    history: list[Turn]
    timings: dict[str, float]
    started: float
    request: GenerationRequest | None = None
    route: Route | None = None
    reply: str = ""  # a retrieved turn's reply, in the persona's speech level
    speech_level: dict[str, Any] | None = None  # how that reply was converted, for the selection trace


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


def selection_dict(prep: Prepared) -> dict[str, Any]:
    """The selection trace of a turn, with the speech-level conversion of a retrieved reply."""
    selection = prep.selection.to_dict()
    if prep.speech_level is not None:
        selection["speech_level"] = prep.speech_level  # the reply is the hit's answer converted to this level
    return selection


def ms_since(since: float) -> float:
    """Milliseconds since `since` (a `time.perf_counter()` reading), rounded to microseconds."""
    return round((time.perf_counter() - since) * 1000, 3)
