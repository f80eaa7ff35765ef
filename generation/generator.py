"""The controlled generation layer: the same controls and filters on top of every backend.

`Generator.generate` runs one request through: readiness check -> input screening (PII masked in logs,
abuse flagged in the trace) -> backend decoding -> stop sequences -> trimming a cut-off reply to its last
complete sentence -> maximum reply length -> speech-level check (Kiwi) with regeneration, then repair ->
output filters (banned phrases, profanity, classifier) with regeneration -> PII masking of the reply -> the
prompt-leak rail (`generation.leak`, when the request names private texts or canaries): a reply that leaks is
generated once more with a reminder, then refused.
A reply still filtered after `max_regenerations` is replaced by the request's refusal text (persona-specific)
or the default one, with finish_reason "filtered". Regenerations sample with a fresh seed, since greedy
decoding would only reproduce the rejected reply. `trace` records every control applied.

Every reply is cleaned first (`generation.hygiene`: replacement and control characters removed), so the repair,
the filters and the client see the same text. A `response_format` reply (JSON) skips the speech-level repair and
the length cut, which would corrupt it, and is validated and regenerated instead (`generation.structured`).

`stream` returns a `ReplyStream` (`generation.streaming`): token-level deltas through the bounded hold-back
(`generation.holdback`), then the completion with the backend's exact finish reason and token counts. It cannot
take back what it has sent, so a filtered reply ends the stream (with the refusal if nothing was sent yet).
"""

from __future__ import annotations

import dataclasses
import logging
import time
from typing import Any

from generation.backend import LMBackend, apply_stops
from generation.config import GenerationConfig
from generation.errors import GenerationUnavailable, InvalidGenerationRequest
from generation.filters import AbuseFilter, mask_pii
from generation.holdback import StreamGuard
from generation.hygiene import clean_text, unwanted_characters
from generation.leak import leak_detector, with_reminder
from generation.speech_level import SpeechLevelControl
from generation.streaming import ReplyStream
from generation.structured import ResponseFormatFailed, with_instruction
from generation.types import Completion, GenerationRequest

log = logging.getLogger(__name__)


class Generator:
    def __init__(self, backend: LMBackend, config: GenerationConfig | None = None, *,
                 abuse_filter: AbuseFilter | None = None, speech: SpeechLevelControl | None = None,
                 regeneration_temperature: float = 0.8) -> None:
        """`config` (None: the defaults) gives `max_regenerations`, `speech_regenerations`, `pii_mask_replies`,
        `default_refusal` and, unless `abuse_filter` is given, the abuse filter (`AbuseFilter.from_config`); its
        backend settings are the backend's business. `speech`: None builds a speech-level control with its own
        Kiwi. Regenerations sample at no less than `regeneration_temperature`."""
        config = config or GenerationConfig()
        self.backend = backend
        self.abuse_filter = abuse_filter if abuse_filter is not None else AbuseFilter.from_config(config)
        self.speech = speech if speech is not None else SpeechLevelControl()
        self.config = config
        self.regeneration_temperature = regeneration_temperature

    # -- pass-through ----------------------------------------------------------------------------------
    def status(self) -> tuple[bool, str]:
        return self.backend.status()

    def count_tokens(self, text: str) -> int:
        return self.backend.count_tokens(text)

    @property
    def context_window(self) -> int:
        return self.backend.context_window

    @property
    def supports_prefill(self) -> bool:
        return self.backend.supports_prefill

    @property
    def supports_raw_prompt(self) -> bool:
        return self.backend.supports_raw_prompt

    async def aclose(self) -> None:
        await self.backend.aclose()

    def _require_ready(self, request: GenerationRequest | None = None) -> None:
        ready, detail = self.backend.status()
        if not ready:
            raise GenerationUnavailable(f"generation is unavailable: {detail}")
        if request is not None and request.prefill and not self.backend.supports_prefill:
            raise InvalidGenerationRequest(f"the {self.backend.name} backend cannot continue a prefilled reply",
                                           param="messages")
        if request is not None and request.raw_prompt is not None and not self.backend.supports_raw_prompt:
            raise InvalidGenerationRequest(f"the {self.backend.name} backend cannot continue a raw text prompt",
                                           param="prompt")

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

    def _regeneration(self, request: GenerationRequest, attempt: int, problem: str | None = None) -> GenerationRequest:
        seed = (request.seed or 0) * 1000 + attempt
        messages = request.messages
        if request.response_format is not None:
            messages = with_instruction(messages, request.response_format.correction(problem or "not valid"))
        return dataclasses.replace(request, do_sample=True, seed=seed, messages=messages,
                                   temperature=max(request.temperature, self.regeneration_temperature))

    def _shape(self, text: str, finish: str, request: GenerationRequest, trace: dict[str, Any]) -> tuple[str, str]:
        """Hygiene, stop sequences, trimming a cut-off reply and the maximum length (not for JSON replies)."""
        if removed := unwanted_characters(text):
            text = clean_text(text)
            trace["controls"].append("hygiene")
            trace["removed_characters"] = removed[:20]
        text, stopped = apply_stops(text, request.stop)
        if stopped:
            finish = "stop"
        if request.response_format is not None:
            return request.response_format.unwrap(text), finish
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
        """A controlled reply; with the prompt-leak rail, a leaking one is regenerated once with a reminder, and
        answered with the refusal if it leaks again (`trace["leak_hits"]`)."""
        completion = await self._controlled(request)
        detector = leak_detector(request)
        if detector is None or (hit := detector.find(completion.text)) is None:
            return completion
        hits = [hit]
        log.warning("prompt leak (%s): regenerating once with a reminder", hit.kind)
        reminded = self._regeneration(request, self.config.max_regenerations + 1)
        retry = await self._controlled(dataclasses.replace(reminded, messages=with_reminder(request.messages)))
        if (again := detector.find(retry.text)) is not None:
            hits.append(again)
            retry.text, retry.finish_reason = request.refusal or self.config.default_refusal, "filtered"
            retry.trace.update(refused=True)
            retry.trace["controls"].append("refusal")
        retry.trace["regenerations"] += completion.trace["regenerations"] + 1
        retry.trace["controls"].append("prompt_leak")
        retry.trace["leak_hits"] = [h.as_trace() for h in hits]
        return retry

    async def _controlled(self, request: GenerationRequest) -> Completion:
        self._require_ready(request)
        started = time.perf_counter()
        trace: dict[str, Any] = {"backend": self.backend.name, "controls": [], "regenerations": 0,
                                 "filter_hits": [], "speech_level": None, **self._screen_input(request)}
        attempt_request, speech_tries, total_tokens = self._first_request(request), 0, 0
        for attempt in range(self.config.max_regenerations + 1):
            done = await self.backend.generate(attempt_request)
            total_tokens += done.completion_tokens
            text, finish = self._shape(done.text, done.finish_reason, request, trace)
            retry = attempt < self.config.max_regenerations
            if request.response_format is not None:
                problem = request.response_format.problem(text)
                if problem is None or finish == "length":
                    break
                trace["format_problems"] = [*trace.get("format_problems", []), problem]
                if not retry:
                    raise ResponseFormatFailed(f"the reply was {problem} after {attempt + 1} attempts")
                trace["regenerations"] += 1
                attempt_request = self._regeneration(request, attempt + 1, problem)
                continue
            wrong = self.speech.violations(text, request.speech_level) if request.speech_level else []
            if wrong and speech_tries < self.config.speech_regenerations and retry:
                speech_tries += 1
                trace["speech_level"] = {"target": request.speech_level, "wrong": [s.text for s in wrong]}
                trace["regenerations"] += 1
                attempt_request = self._regeneration(request, attempt + 1)
                continue
            if wrong:
                text = self._repair(text, request, trace, wrong)
            if not self._filtered(text, request, trace):
                break
            if retry:
                trace["regenerations"] += 1
                attempt_request = self._regeneration(request, attempt + 1)
        else:
            text, finish = request.refusal or self.config.default_refusal, "filtered"
            trace["refused"] = True
            trace["controls"].append("refusal")
        text = self._mask(text, trace)
        trace["total_completion_tokens"] = total_tokens
        return Completion(text=text, finish_reason=finish, prompt_tokens=done.prompt_tokens,
                          completion_tokens=done.completion_tokens,
                          latency_ms=(time.perf_counter() - started) * 1000, trace=trace)

    def _first_request(self, request: GenerationRequest) -> GenerationRequest:
        if request.response_format is None:
            return request
        return dataclasses.replace(request, messages=with_instruction(request.messages,
                                                                      request.response_format.instruction()))

    def _repair(self, text: str, request: GenerationRequest, trace: dict[str, Any], wrong: list[Any]) -> str:
        level = request.speech_level
        assert level is not None  # called only when the reply missed a target level
        text = self.speech.repair(text, level)
        trace["controls"].append("speech_level_repair")
        trace["speech_level"] = {"target": level, "repaired": [s.text for s in wrong],
                                 "remaining": [s.text for s in self.speech.violations(text, level)]}
        return text

    def _filtered(self, text: str, request: GenerationRequest, trace: dict[str, Any]) -> bool:
        hits = self.abuse_filter.check(text, request.banned_phrases)
        if hits:
            trace["filter_hits"].append([dataclasses.asdict(h) for h in hits])
        return bool(hits)

    def _mask(self, text: str, trace: dict[str, Any]) -> str:
        if not self.config.pii_mask_replies:
            return text
        text, kinds = mask_pii(text)
        if kinds:
            trace["controls"].append("pii_mask")
            trace["reply_pii"] = kinds
        return text

    def stream(self, request: GenerationRequest, guards: tuple[StreamGuard, ...] = ()) -> ReplyStream:
        """Token-level deltas through the hold-back; `completion` once exhausted (`generation.streaming`)."""
        self._require_ready(request)
        trace: dict[str, Any] = {"backend": self.backend.name, "controls": [], "regenerations": 0,
                                 "filter_hits": [], "speech_level": None, **self._screen_input(request)}
        return ReplyStream(self, self._first_request(request), trace, guards)
