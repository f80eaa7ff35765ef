"""A controlled reply streamed token by token: the backend's deltas through the hold-back, then the exact completion.

Contract: `ReplyStream` is an async iterator of text deltas (each one released by `generation.holdback.HoldBack`, so
the speech-level repair, the output filters, PII masking and every extra guard have judged it); after it is
exhausted, `completion` is the `Completion` of the reply: its text is exactly the concatenated deltas, its
`finish_reason` is the backend's (`stop`, `length`), `length` where the reply was cut at `max_reply_chars`, or
`filtered` where a filter or guard ended it, and its token counts are the backend's own (what it decoded), never
recounted from text. Closing it early cancels the backend's work. Unlike `Generator.generate` it cannot take back
what it has sent, so it never regenerates: a filtered reply ends where it was stopped (with the refusal when nothing
was sent yet).
"""

from __future__ import annotations

import time
from collections.abc import AsyncGenerator
from typing import Any

from generation.holdback import HoldBack, StreamGuard, hold_back_judges
from generation.hygiene import unwanted_characters
from generation.types import Completion, GenerationRequest, StreamEvent


class ReplyStream:
    def __init__(self, generator: Any, request: GenerationRequest, trace: dict[str, Any],
                 guards: tuple[StreamGuard, ...] = ()) -> None:
        self.generator = generator
        self.request = request
        self.trace = trace
        self.completion: Completion | None = None
        self.hold = HoldBack(hold_back_judges(generator.speech, generator.abuse_filter, request,
                                              mask=generator.pii_mask_replies,
                                              refusal=request.refusal or generator.default_refusal, extra=guards))
        self._iterator: AsyncGenerator[str, None] | None = None

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
        events = self.generator.backend.events(self.request)
        last, first_token_ms, removed = StreamEvent(text=""), None, []
        try:
            async for event in events:
                last = event
                if not event.text:
                    continue
                if first_token_ms is None:
                    first_token_ms = round((time.perf_counter() - started) * 1000, 3)
                removed += unwanted_characters(event.text)
                release = self.hold.feed(event.text)
                if release.text:
                    yield release.text
                if release.stopped:
                    break  # a filter or guard ended the reply: stop the backend's work
        finally:
            await events.aclose()
        finish = "stop" if self.hold.stop_matched else (last.finish_reason or "stop")
        if not self.hold.stopped:
            rest = self.hold.finish(finish)
            if rest.text:
                yield rest.text
        self._complete(finish, last, started, first_token_ms, removed)

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
