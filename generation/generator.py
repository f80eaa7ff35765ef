"""The controlled generation layer: the same controls and filters on top of every backend.

`Generator.generate` runs one request through: readiness check -> input screening (PII masked in logs,
abuse flagged in the trace) -> backend decoding -> stop sequences -> trimming a cut-off reply to its last
complete sentence -> maximum reply length -> speech-level check (Kiwi) with regeneration, then repair ->
output filters (banned phrases, profanity, classifier) with regeneration -> PII masking of the reply.
A reply still filtered after `max_regenerations` is replaced by the request's refusal text (persona-specific)
or the default one, with finish_reason "filtered". Regenerations sample with a fresh seed, since greedy
decoding would only reproduce the rejected reply. `trace` records every control applied.

`stream` applies the same controls sentence by sentence; it cannot take back what it has sent, so a
filtered sentence ends the stream (with the refusal if nothing was sent yet).
"""

from __future__ import annotations

import dataclasses
import logging
import re
import time
from collections.abc import AsyncIterator
from typing import Any

from generation.backend import LMBackend, apply_stops
from generation.errors import GenerationUnavailable
from generation.filters import AbuseFilter, FilterHit, mask_pii
from generation.speech_level import SpeechLevelControl
from generation.types import Completion, GenerationRequest

log = logging.getLogger(__name__)
DEFAULT_REFUSAL = "죄송해요, 그 이야기는 도와드리기 어려워요."
_SENTENCE_BREAK = re.compile(r"[.!?…~。]+[\"'”’)\]]*(?=\s)|\n")


class Generator:
    def __init__(self, backend: LMBackend, *, abuse_filter: AbuseFilter | None = None,
                 speech: SpeechLevelControl | None = None, max_regenerations: int = 2,
                 speech_regenerations: int = 1, pii_mask_replies: bool = True,
                 default_refusal: str = DEFAULT_REFUSAL, regeneration_temperature: float = 0.8) -> None:
        self.backend = backend
        self.abuse_filter = abuse_filter if abuse_filter is not None else AbuseFilter.from_file()
        self.speech = speech if speech is not None else SpeechLevelControl()
        self.max_regenerations = max_regenerations
        self.speech_regenerations = speech_regenerations
        self.pii_mask_replies = pii_mask_replies
        self.default_refusal = default_refusal
        self.regeneration_temperature = regeneration_temperature

    # -- pass-through ----------------------------------------------------------------------------------
    def status(self) -> tuple[bool, str]:
        return self.backend.status()

    def count_tokens(self, text: str) -> int:
        return self.backend.count_tokens(text)

    @property
    def context_window(self) -> int:
        return self.backend.context_window

    async def aclose(self) -> None:
        await self.backend.aclose()

    def _require_ready(self) -> None:
        ready, detail = self.backend.status()
        if not ready:
            raise GenerationUnavailable(f"generation is unavailable: {detail}")

    async def complete(self, messages: list[dict[str, str]], *, max_new_tokens: int = 64,
                       stop: list[str] | None = None, timeout_s: float | None = None) -> str:
        """Greedy completion without persona controls (for rewriting and other internal LM calls)."""
        self._require_ready()
        request = GenerationRequest(messages=messages, max_new_tokens=max_new_tokens, temperature=0.0,
                                    repetition_penalty=1.0, stop=list(stop or []), timeout_s=timeout_s)
        return (await self.backend.generate(request)).text.strip()

    # -- controlled generation -------------------------------------------------------------------------
    def _screen_input(self, request: GenerationRequest) -> dict[str, Any]:
        last_user = next((m["content"] for m in reversed(request.messages) if m["role"] == "user"), "")
        masked, kinds = mask_pii(last_user)
        log.info("generate: %d messages, last user message %r", len(request.messages), masked[:200])
        return {"input_pii": kinds, "input_abuse": [h.kind for h in self.abuse_filter.check(last_user)]}

    def _regeneration(self, request: GenerationRequest, attempt: int) -> GenerationRequest:
        seed = (request.seed or 0) * 1000 + attempt
        return dataclasses.replace(request, do_sample=True, seed=seed,
                                   temperature=max(request.temperature, self.regeneration_temperature))

    def _shape(self, text: str, finish: str, request: GenerationRequest, trace: dict[str, Any]) -> tuple[str, str]:
        """Stop sequences, trimming a cut-off reply and the maximum length."""
        text, stopped = apply_stops(text, request.stop)
        if stopped:
            finish = "stop"
        if finish == "length":
            trimmed = self.speech.complete_prefix(text)
            if trimmed != text:
                trace["controls"].append("trim_to_sentence")
                text = trimmed
        if request.max_reply_chars is not None and len(text) > request.max_reply_chars:
            text = self.speech.prefix_within(text, request.max_reply_chars)
            finish = "length"
            trace["controls"].append("max_reply_chars")
        return text.strip(), finish

    async def generate(self, request: GenerationRequest) -> Completion:
        self._require_ready()
        started = time.perf_counter()
        trace: dict[str, Any] = {"backend": self.backend.name, "controls": [], "regenerations": 0,
                                 "filter_hits": [], "speech_level": None, **self._screen_input(request)}
        attempt_request, speech_tries = request, 0
        total_tokens = 0
        for attempt in range(self.max_regenerations + 1):
            done = await self.backend.generate(attempt_request)
            total_tokens += done.completion_tokens
            text, finish = self._shape(done.text, done.finish_reason, request, trace)
            wrong = self.speech.violations(text, request.speech_level) if request.speech_level else []
            if wrong and speech_tries < self.speech_regenerations and attempt < self.max_regenerations:
                speech_tries += 1
                trace["speech_level"] = {"target": request.speech_level, "wrong": [s.text for s in wrong]}
                trace["regenerations"] += 1
                attempt_request = self._regeneration(request, attempt + 1)
                continue
            if wrong:
                text = self.speech.repair(text, request.speech_level)  # type: ignore[arg-type]
                trace["controls"].append("speech_level_repair")
                trace["speech_level"] = {"target": request.speech_level, "repaired": [s.text for s in wrong],
                                         "remaining": [s.text for s in self.speech.violations(
                                             text, request.speech_level)]}  # type: ignore[arg-type]
            hits = self.abuse_filter.check(text, request.banned_phrases)
            if not hits:
                break
            trace["filter_hits"].append([dataclasses.asdict(h) for h in hits])
            if attempt < self.max_regenerations:
                trace["regenerations"] += 1
                attempt_request = self._regeneration(request, attempt + 1)
        else:
            text, finish = request.refusal or self.default_refusal, "filtered"
            trace["refused"] = True
            trace["controls"].append("refusal")
        if self.pii_mask_replies:
            text, kinds = mask_pii(text)
            if kinds:
                trace["controls"].append("pii_mask")
                trace["reply_pii"] = kinds
        trace["total_completion_tokens"] = total_tokens
        return Completion(text=text, finish_reason=finish, prompt_tokens=done.prompt_tokens,
                          completion_tokens=done.completion_tokens,
                          latency_ms=(time.perf_counter() - started) * 1000, trace=trace)

    async def stream(self, request: GenerationRequest) -> AsyncIterator[str]:
        self._require_ready()
        self._screen_input(request)
        sent, buffer = 0, ""
        events = self.backend.events(request)
        try:
            async for event in events:
                buffer += event.text
                buffer, stopped = apply_stops(buffer, request.stop)
                final = event.finish_reason is not None or stopped
                if final and event.finish_reason == "length":
                    buffer = self.speech.complete_prefix(buffer)
                ready, buffer = _split_complete(buffer, final)
                for piece in ready:
                    out, ok = self._sentence(piece, request, sent)
                    if not ok:
                        if sent == 0:
                            yield request.refusal or self.default_refusal
                        return
                    if request.max_reply_chars is not None and sent + len(out) > request.max_reply_chars:
                        # Same cut as `generate`: what fits of this sentence, so a long first one is never empty.
                        rest = self.speech.prefix_within(out, request.max_reply_chars - sent) if sent == 0 else ""
                        if rest:
                            yield rest
                        return
                    if out:
                        sent += len(out)
                        yield out
                if final:
                    return
        finally:
            await events.aclose()  # type: ignore[attr-defined]

    def _sentence(self, piece: str, request: GenerationRequest, sent: int) -> tuple[str, bool]:
        if request.speech_level and self.speech.violations(piece, request.speech_level):
            piece = self.speech.repair(piece, request.speech_level)
        hits: list[FilterHit] = self.abuse_filter.check(piece, request.banned_phrases)
        if hits:
            return "", False
        if self.pii_mask_replies:
            piece = mask_pii(piece)[0]
        return (piece.lstrip() if sent == 0 else piece), True


def _split_complete(buffer: str, final: bool) -> tuple[list[str], str]:
    """Complete sentences at the start of `buffer` (all of it when `final`) and the unfinished rest."""
    if final:
        return ([buffer] if buffer.strip() else []), ""
    pieces, start = [], 0
    for m in _SENTENCE_BREAK.finditer(buffer):
        pieces.append(buffer[start:m.end()])
        start = m.end()
    return pieces, buffer[start:]
