"""A turn as stage results: each stage returns a frozen value that the next stage takes, and one clock times them.

    Loaded          the conversation: its id, persona, history and stored dialogue state      stage "load"
    Rewritten       + dst's Rewrite (standalone query, new state, resolutions)                stage "rewrite"
    Selected        + retrieval's Selection and the model route                               stage "select"
    then one plan:
      RetrievedReply      the stored answer in the persona's speech level                     stage "speech_level"
      GenerationRequest   the prompt and controls for the routed generator                    stage "prompt"
      FallbackReply       the persona's fallback reply when no LM can answer (and why)
    Reply           the reply text, its source and (generated) the generation trace           stage "generate"
    TurnResult      the stored exchange as the caller gets it (`assistant.pipeline.types`)    stages "store", "total"

Contract: stage results never change once made. `StageClock` is the one mutable part of a turn: it records a
stage's milliseconds when the stage completes (a stage that raises records nothing, so a failed turn's trace holds the
stages it finished) and the time since the turn started. `TurnProgress` holds the clock and the last of
`Loaded`/`Rewritten` the turn reached: what a failed turn stores (`assistant.pipeline.failures`).
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from assistant.pipeline.types import Source
from assistant.routing import Route
from assistant.store import Turn
from dst import DialogueState, Rewrite
from generation import Completion, GenerationRequest
from personas import Persona
from retrieval import Selection


def ms_since(since: float) -> float:
    """Milliseconds since `since` (a `time.perf_counter()` reading), rounded to microseconds."""
    return round((time.perf_counter() - since) * 1000, 3)


class StageClock:
    """Milliseconds per completed stage of one turn, in stage order, and since the turn started."""

    def __init__(self) -> None:
        self.started = time.perf_counter()
        self._ms: dict[str, float] = {}

    @contextlib.contextmanager
    def stage(self, name: str) -> Iterator[None]:
        mark = time.perf_counter()
        yield
        self._ms[name] = ms_since(mark)  # not reached when the stage raised: it did not complete

    def record(self, name: str, ms: float) -> None:
        """A stage timed by its own component (a backend reports its generation latency)."""
        self._ms[name] = ms

    def timings(self) -> dict[str, float]:
        return dict(self._ms)

    def total_ms(self) -> float:
        return ms_since(self.started)


@dataclass(frozen=True)
class Loaded:
    conversation_id: str
    persona: Persona
    history: tuple[Turn, ...]
    state: DialogueState | None


@dataclass(frozen=True)
class Rewritten:
    loaded: Loaded
    rewrite: Rewrite


@dataclass(frozen=True)
class Selected:
    rewritten: Rewritten
    selection: Selection
    route: Route  # chosen on every turn, so a bad pinned endpoint or version is always a 404

    @property
    def loaded(self) -> Loaded:
        return self.rewritten.loaded

    @property
    def rewrite(self) -> Rewrite:
        return self.rewritten.rewrite


@dataclass(frozen=True)
class RetrievedReply:
    text: str
    speech_level: dict[str, Any] | None  # how the stored answer was converted, for the selection trace


@dataclass(frozen=True)
class FallbackReply:
    text: str
    reason: str  # why no LM answered (the Unavailable error's message), for the trace


Plan = RetrievedReply | GenerationRequest | FallbackReply


@dataclass(frozen=True)
class Reply:
    text: str
    source: Source
    generation: dict[str, Any] | None = None  # finish reason, token counts and the backend's trace

    @classmethod
    def generated(cls, completion: Completion, prefill: str = "") -> Reply:
        """The generated reply; after a client's prefill the reply is the prefill and its continuation."""
        extra = {"prefill_chars": len(prefill)} if prefill else {}
        return cls(prefill + completion.text, "generate", {
            "finish_reason": completion.finish_reason,
            "prompt_tokens": completion.prompt_tokens,
            "completion_tokens": completion.completion_tokens,
            **completion.trace, **extra,
        })

    @classmethod
    def fallback(cls, plan: FallbackReply) -> Reply:
        return cls(plan.text, "fallback", {"fallback": {"reason": plan.reason}, "finish_reason": "stop",
                                           "prompt_tokens": 0, "completion_tokens": 0})


class TurnProgress:
    """The clock of a turn and the last stage result a failed turn can be stored from."""

    def __init__(self) -> None:
        self.clock = StageClock()
        self.reached: Loaded | Rewritten | None = None


def selection_trace(selection: Selection, plan: Plan) -> dict[str, Any]:
    """The selection trace of a turn, with the speech-level conversion of a retrieved reply."""
    trace = selection.to_dict()
    if isinstance(plan, RetrievedReply) and plan.speech_level is not None:
        trace["speech_level"] = plan.speech_level  # the reply is the hit's answer converted to this level
    if isinstance(plan, FallbackReply):
        trace["fallback"] = plan.reason  # generation was needed and no LM could answer
    return trace
