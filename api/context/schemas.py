"""Schemas of the stateless context-injection surface. Every string is bounded; unknown fields are refused.

The hard schema bounds are generous ceilings; the configured limits (`limits.max_message_chars`,
`dst.api_max_history_turns`, `dst.api_max_turn_chars`) are checked in the router so they stay configurable.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class TurnIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    role: Literal["user", "assistant"]
    text: str = Field(max_length=100_000)


class RewriteRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    history: list[TurnIn] = Field(default_factory=list, max_length=1000,
                                  description="Earlier turns, oldest first.")
    utterance: str = Field(min_length=1, max_length=100_000, description="The user turn to make standalone.")
    state: dict[str, Any] | None = Field(None, description="A state returned by an earlier call (optional).")


class ResolutionOut(BaseModel):
    span: str
    antecedent: str
    kind: str
    rule: str


class RewriteResponse(BaseModel):
    rewrite: str
    state: dict[str, Any]
    resolutions: list[ResolutionOut]
    strategy: str
    confident: bool
    truncated: bool
