"""Schemas of the native chat surface. Every string is bounded; unknown fields are refused."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from api.vocabulary import (
    CONVERSATION_ID_MAX_CHARS,
    CONVERSATION_ID_PATTERN,
    PERSONA_ID_MAX_CHARS,
    PERSONA_ID_PATTERN,
)


class ChatRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    conversation_id: str | None = Field(
        None, min_length=1, max_length=CONVERSATION_ID_MAX_CHARS, pattern=CONVERSATION_ID_PATTERN,
        description="Continue this conversation; omitted: a new one is created and its id returned.",
    )
    persona: str | None = Field(
        None, min_length=1, max_length=PERSONA_ID_MAX_CHARS, pattern=PERSONA_ID_PATTERN,
        description="Persona id; omitted: the conversation's persona, or the default for a new conversation.",
    )
    message: str = Field(
        min_length=1, max_length=100_000,
        description="The user's message; at most `limits.max_message_chars` characters (default 2000).",
    )
    stream: bool = Field(False, description="Answer as server-sent events (rewrite, selection, deltas, done).")


class ChatResponse(BaseModel):
    conversation_id: str
    persona: str
    turn_index: int = Field(description="Index of the assistant turn; the user turn is turn_index - 1.")
    reply: str
    source: Literal["retrieve", "generate", "fallback"] = Field(
        description="fallback: generation was needed and no LM could answer (the reason in selection.fallback)")
    rewrite: dict[str, Any] = Field(description="Context injection: standalone query, resolutions, strategy.")
    selection: dict[str, Any] = Field(description="Response selection: decision, hit, score, reason.")
    state: dict[str, Any] = Field(description="Dialogue state after this turn.")
    generation: dict[str, Any] | None = None
    latency_ms: dict[str, float]
