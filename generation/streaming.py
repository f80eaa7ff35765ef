"""A controlled reply streamed token by token: the backend's deltas through the hold-back, then the exact completion.

Contract: `ReplyStream` is an async iterator of text deltas (each one released by `generation.holdback.HoldBack`, so
the speech-level repair, the output filters, PII masking and every extra guard have judged it); after it is
exhausted, `completion` is the `Completion` of the reply: its text is exactly the concatenated deltas, its
`finish_reason` is the backend's (`stop`, `length`), `length` where the reply was cut at `max_reply_chars`, or
`filtered` where a filter or guard ended it, and its token counts are the backend's own (what it decoded), never
recounted from text. Closing it early cancels the backend's work. Unlike `Generator.generate` it cannot take back
what it has sent, so a filtered reply ends where it was stopped (with the refusal when nothing was sent yet). The one
regeneration it makes is the prompt-leak rail's (`generation.leak`, when the request names private texts or
canaries): a reply stopped as a leak before anything was sent is generated once more with a reminder, and ends with
the refusal if that one leaks too (`trace["leak_hits"]`).
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import AsyncGenerator
from typing import Any

from generation.holdback import HoldBack, StreamGuard, hold_back_judges
from generation.hygiene import unwanted_characters
from generation.leak import LEAK_STOP, LeakGuard, leak_detector, with_reminder
from generation.types import Completion, GenerationRequest, StreamEvent


class ReplyStream:
    def __init__(self, generator: Any, request: GenerationRequest, trace: dict[str, Any],
                 guards: tuple[StreamGuard, ...] = ()) -> None:
        self.generator = generator
        self.request = request
        self.trace = trace
        self.completion: Completion | None = None
        self.refusal = request.refusal or generator.config.default_refusal
        self.leak = leak_detector(request)
        self.guards = guards
        self.hold = self._hold_back()
        self.leak_hits: list[dict[str, str]] = []
        self._iterator: AsyncGenerator[str, None] | None = None
        self._last = StreamEvent(text="")
        self._first_token_ms: float | None = None
        self._removed: list[str] = []
        self._finish = "stop"

    def _hold_back(self) -> HoldBack:
        """A fresh hold-back; it releases no refusal itself (`_run` does, after a possible regeneration)."""
        extra = (*self.guards, LeakGuard(self.leak)) if self.leak is not None else self.guards
        return HoldBack(hold_back_judges(self.generator.speech, self.generator.abuse_filter, self.request,
                                         mask=self.generator.config.pii_mask_replies, refusal="", extra=extra))

    def __aiter__(self) -> ReplyStream:
        return self

    async def __anext__(self) -> str:
        if self._iterator is None:
            self._iterator = self._run()
        return await self._iterator.__anext__()

    async def aclose(self) -> None:
        if self._iterator is not None:
            await self._iterator.aclose()

    async def _run(self) -> AsyncGenerator[str, None]:
        started = time.perf_counter()
        async for text in self._attempt(started):
            yield text
        if self.hold.stopped == LEAK_STOP and not self.hold.out:  # nothing sent: once more, with a reminder
            self._note_leak()
            self.trace["regenerations"] += 1
            reminded = self.generator._regeneration(self.request, self.generator.config.max_regenerations + 1)
            self.request = dataclasses.replace(reminded, messages=with_reminder(self.request.messages))
            self.hold = self._hold_back()
            async for text in self._attempt(started):
                yield text
        if self.hold.stopped == LEAK_STOP:
            self._note_leak()
        if self.hold.stopped not in (None, "length") and not self.hold.out:
            self.hold.out = self.refusal  # stopped before anything was sent: the refusal is the reply
            yield self.refusal
        self._complete(self._finish, self._last, started, self._first_token_ms, self._removed)

    async def _attempt(self, started: float) -> AsyncGenerator[str, None]:
        """One backend call through the hold-back: the released deltas; its finish reason in `_finish`."""
        events = self.generator.backend.events(self.request)
        self._last = last = StreamEvent(text="")
        try:
            async for event in events:
                self._last = last = event
                if not event.text:
                    continue
                if self._first_token_ms is None:
                    self._first_token_ms = round((time.perf_counter() - started) * 1000, 3)
                self._removed += unwanted_characters(event.text)
                release = self.hold.feed(event.text)
                if release.text:
                    yield release.text
                if release.stopped:
                    break  # a filter or guard ended the reply: stop the backend's work
        finally:
            await events.aclose()
        self._finish = finish = "stop" if self.hold.stop_matched else (last.finish_reason or "stop")
        if not self.hold.stopped:
            rest = self.hold.finish(finish)
            if rest.text:
                yield rest.text

    def _note_leak(self) -> None:
        guard = next(g for g in self.hold.j.extra if isinstance(g, LeakGuard))
        if guard.hit is not None:
            self.leak_hits.append(guard.hit.as_trace())
            guard.hit = None

    def _complete(self, finish: str, last: StreamEvent, started: float, first_token_ms: float | None,
                  removed: list[str]) -> None:
        hold, trace = self.hold, self.trace
        trace["controls"].extend(hold.controls)
        if removed:
            trace["controls"].append("hygiene")
            trace["removed_characters"] = removed[:20]
        if hold.stopped == "length":
            finish = "length"
        elif hold.stopped is not None:
            finish = "filtered"
            trace["refused"] = True
            trace["stopped_by"] = hold.stopped
            if hold.hits:
                trace["filter_hits"].append(hold.hits)
        if self.leak_hits:
            trace["controls"].append("prompt_leak")
            trace["leak_hits"] = self.leak_hits
        trace.update(streamed=True, first_token_ms=first_token_ms)
        prompt, completion = last.prompt_tokens, last.completion_tokens
        if last.finish_reason is None:  # ended before the backend's last event: count what it had decoded
            count = self.generator.count_tokens
            prompt = sum(count(m["content"]) for m in self.request.messages)
            completion = count(hold.raw) if hold.raw else 0
            trace["tokens_counted"] = True
        self.completion = Completion(text=hold.out, finish_reason=finish, prompt_tokens=prompt,
                                     completion_tokens=completion,
                                     latency_ms=(time.perf_counter() - started) * 1000, trace=trace)
