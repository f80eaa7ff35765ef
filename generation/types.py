"""Domain types of generation: the request every backend accepts and the completion it returns.

A request is validated when it is built, so backends never see impossible values. Its decoding defaults are
`generation.config`'s (the same values `DecodingDefaults` starts from). `do_sample=None` means
"sample when temperature > 0", so temperature 0 is greedy on every backend.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from generation.config import (
    DEFAULT_MAX_NEW_TOKENS,
    DEFAULT_REPETITION_PENALTY,
    DEFAULT_TEMPERATURE,
    DEFAULT_TOP_P,
)
from generation.errors import InvalidGenerationRequest
from korean.speech import SPEECH_LEVELS, SpeechLevel

if TYPE_CHECKING:
    from generation.structured import ResponseFormat

ROLES: frozenset[str] = frozenset({"system", "user", "assistant"})
FinishReason = Literal["stop", "length", "filtered", "cancelled", "timeout"]


@dataclass
class GenerationRequest:
    messages: list[dict[str, str]]
    max_new_tokens: int = DEFAULT_MAX_NEW_TOKENS
    temperature: float = DEFAULT_TEMPERATURE
    top_p: float = DEFAULT_TOP_P
    top_k: int | None = None
    repetition_penalty: float = DEFAULT_REPETITION_PENALTY
    do_sample: bool | None = None
    stop: list[str] = field(default_factory=list)
    banned_phrases: list[str] = field(default_factory=list)
    max_reply_chars: int | None = None
    speech_level: SpeechLevel | None = None
    refusal: str | None = None
    timeout_s: float | None = None
    seed: int | None = None
    # One JSON object (matching a schema) instead of prose: validated, regenerated (`generation.structured`).
    response_format: ResponseFormat | None = None
    # The start of the reply, written by the client (an assistant prefill): the model continues it.
    prefill: str = ""
    # A raw text prompt (OpenAI's /v1/completions): the model continues it as written, with no chat template;
    # `messages` then carries it as one user message for screening and traces.
    raw_prompt: str | None = None
    # The prompt-leak rail (`generation.leak`): texts of the prompt no reply may carry (near-)verbatim, and canary
    # strings no reply may carry at all; none given, no rail. A JSON reply (`response_format`) is not checked.
    private_texts: tuple[str, ...] = ()
    canaries: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not self.messages:
            raise InvalidGenerationRequest("messages must not be empty", param="messages")
        for i, message in enumerate(self.messages):
            if not isinstance(message, dict) or message.get("role") not in ROLES:
                raise InvalidGenerationRequest(
                    f"messages[{i}].role must be one of {sorted(ROLES)}", param=f"messages[{i}].role")
            if not isinstance(message.get("content"), str):
                raise InvalidGenerationRequest(f"messages[{i}].content must be a string",
                                               param=f"messages[{i}].content")
        _check(self.max_new_tokens >= 1, "max_new_tokens must be >= 1", "max_new_tokens")
        _check(0.0 <= self.temperature <= 5.0, "temperature must be within [0, 5]", "temperature")
        _check(0.0 < self.top_p <= 1.0, "top_p must be within (0, 1]", "top_p")
        _check(self.top_k is None or self.top_k >= 1, "top_k must be >= 1", "top_k")
        _check(0.0 < self.repetition_penalty <= 10.0, "repetition_penalty must be within (0, 10]",
               "repetition_penalty")
        _check(all(isinstance(s, str) and s for s in self.stop), "stop sequences must be non-empty", "stop")
        _check(all(isinstance(s, str) and s.strip() for s in self.banned_phrases),
               "banned phrases must be non-empty", "banned_phrases")
        _check(self.max_reply_chars is None or self.max_reply_chars >= 1, "max_reply_chars must be >= 1",
               "max_reply_chars")
        _check(self.speech_level is None or self.speech_level in SPEECH_LEVELS,
               f"speech_level must be one of {SPEECH_LEVELS}", "speech_level")
        _check(self.timeout_s is None or self.timeout_s > 0, "timeout_s must be > 0", "timeout_s")

    @property
    def sampling(self) -> bool:
        """Whether tokens are sampled; greedy otherwise."""
        return self.do_sample if self.do_sample is not None else self.temperature > 0


def _check(ok: bool, message: str, param: str) -> None:
    if not ok:
        raise InvalidGenerationRequest(message, param=param)


@dataclass
class Completion:
    text: str
    finish_reason: str
    prompt_tokens: int
    completion_tokens: int
    latency_ms: float
    trace: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class StreamEvent:
    """One piece of a backend's output; the last event of a stream carries `finish_reason` and the counts."""

    text: str
    finish_reason: str | None = None
    prompt_tokens: int = 0
    completion_tokens: int = 0
