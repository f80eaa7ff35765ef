"""The backend contract: every LM backend turns a validated `GenerationRequest` into text.

A backend only decodes: it maps the request's decoding parameters onto its engine and reports finish reason,
token counts and timings. Controls that must behave the same everywhere (speech level, filters, reply length,
refusals) live in `generation.generator.Generator`, never in a backend. Backends implement `events()`;
`generate()` and `stream()` are derived from it so they cannot disagree.

Stop sequences are enforced by `apply_stops` on the decoded text as well as by the engine, because engines
differ in whether the stop string is kept and how many stop strings they accept.
"""

from __future__ import annotations

import time
from abc import ABC, abstractmethod
from collections.abc import AsyncIterator

from generation.types import Completion, GenerationRequest, StreamEvent


class LMBackend(ABC):
    name: str = "backend"
    # Whether the backend continues `GenerationRequest.prefill` (the start of the reply, after the chat template's
    # generation prompt) rather than starting a new reply; callers refuse a prefill where it does not.
    supports_prefill: bool = False
    # Whether the backend continues `GenerationRequest.raw_prompt` as written (no chat template).
    supports_raw_prompt: bool = False

    @property
    @abstractmethod
    def context_window(self) -> int:
        """Maximum number of prompt + generated tokens."""

    @abstractmethod
    def events(self, request: GenerationRequest) -> AsyncIterator[StreamEvent]:
        """Decode `request`; the last event has `finish_reason` set. Closing the iterator cancels the work."""

    @abstractmethod
    def status(self) -> tuple[bool, str]:
        """(ready, human-readable reason)."""

    @abstractmethod
    def count_tokens(self, text: str) -> int:
        """Number of tokens of `text` for this backend's model (an estimate where the model is remote)."""

    async def aclose(self) -> None:  # noqa: B027 - optional hook, most backends hold nothing to close
        """Release connections, threads and models."""

    async def generate(self, request: GenerationRequest) -> Completion:
        started = time.perf_counter()
        parts: list[str] = []
        last = StreamEvent(text="")
        first_token_ms: float | None = None
        async for event in self.completion_events(request):
            if event.text and first_token_ms is None:
                first_token_ms = (time.perf_counter() - started) * 1000
            parts.append(event.text)
            last = event
        return Completion(
            text="".join(parts),
            finish_reason=last.finish_reason or "stop",
            prompt_tokens=last.prompt_tokens,
            completion_tokens=last.completion_tokens,
            latency_ms=(time.perf_counter() - started) * 1000,
            trace={"backend": self.name, "first_token_ms": first_token_ms},
        )

    def completion_events(self, request: GenerationRequest) -> AsyncIterator[StreamEvent]:
        """Events for `generate`, which needs no intermediate deltas; backends may skip producing them."""
        return self.events(request)

    async def stream(self, request: GenerationRequest) -> AsyncIterator[str]:
        events = self.events(request)
        try:
            async for event in events:
                if event.text:
                    yield event.text
        finally:
            await events.aclose()  # type: ignore[attr-defined]  # every backend's events() is an async generator


def apply_stops(text: str, stops: list[str] | tuple[str, ...]) -> tuple[str, bool]:
    """Cut `text` at the earliest stop sequence; returns (text, whether a stop matched)."""
    cut = min((i for i in (text.find(s) for s in stops) if i >= 0), default=-1)
    return (text[:cut], True) if cut >= 0 else (text, False)


def stop_holdback(stops: list[str] | tuple[str, ...]) -> int:
    """How many trailing characters a streamer must hold back because they may start a stop sequence."""
    return max((len(s) - 1 for s in stops), default=0)


class StopStream:
    """Incremental stop-sequence handling for backends that stream text: feed deltas, emit what is safe.

    Text that could still be the start of a stop sequence is held back until it cannot be; `rest()` returns
    what is left to emit at the end (cut at a stop, if one matched).
    """

    def __init__(self, stops: list[str] | tuple[str, ...]) -> None:
        self.stops = stops
        self.text = ""
        self.emitted = 0
        self.stopped = False

    def feed(self, delta: str) -> str:
        self.text += delta
        cut, self.stopped = apply_stops(self.text, self.stops)
        end = len(cut) if self.stopped else len(cut) - stop_holdback(self.stops)
        if end <= self.emitted:
            return ""
        piece, self.emitted = cut[self.emitted:end], end
        return piece

    def rest(self) -> str:
        cut, self.stopped = apply_stops(self.text, self.stops)
        piece, self.emitted = cut[self.emitted:], max(self.emitted, len(cut))
        return piece
