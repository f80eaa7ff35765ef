"""Settings section for personas: where persona files live, how often they are re-read, and size limits.

Defaults work offline: the bundled library (`personas/library`) plus `<data_dir>/personas` for personas written
through the API or imported from Character Cards.
"""

from __future__ import annotations

import re
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, field_validator

from korean.speech import SpeechLevel

_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")


class FallbackSettings(BaseModel):
    """What a persona answers when a turn needs an LM and none can answer (none loaded, or it failed before sending
    anything): its own `fallback` text, else the reply for its speech level here; the turn is stored with
    `source: "fallback"` and the reason in its trace. `enabled: false` (or a request's `X-Fallback: off` header)
    keeps the 503 for strict clients. The speaker surfaces always use it: a speaker must say something."""

    model_config = ConfigDict(extra="forbid")

    enabled: bool = True
    replies: dict[SpeechLevel, str] = Field(default_factory=lambda: dict[SpeechLevel, str]({
        "해요체": "지금은 이 질문에 답을 드리기 어려워요. 잠시 후에 다시 말씀해 주세요.",
        "합쇼체": "지금은 이 질문에 답을 드리기 어렵습니다. 잠시 후에 다시 말씀해 주십시오.",
        "반말": "지금은 그 질문에 답하기 어려워. 조금 있다가 다시 말해 줘.",
    }))

    @field_validator("replies")
    @classmethod
    def _every_level(cls, value: dict[str, str]) -> dict[str, str]:
        missing = {"해요체", "합쇼체", "반말"} - {k for k, v in value.items() if v.strip()}
        if missing:
            raise ValueError(f"a fallback reply is needed for every speech level; missing: {sorted(missing)}")
        return value


class PersonasSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    default: str = Field("assistant", description="persona used when a conversation names none")
    library_dir: Path | None = Field(None, description="read-only persona directory; None = the bundled library")
    extra_dirs: list[Path] = Field(default_factory=list, description="more read-only directories, later wins")
    writable: bool = Field(True, description="store PUT / imported personas under <data_dir>/personas")
    max_file_bytes: int = Field(256 * 1024, ge=1024, le=16 * 1024 * 1024)
    max_card_bytes: int = Field(8 * 1024 * 1024, ge=1024, le=64 * 1024 * 1024)
    reload_interval_s: float = Field(1.0, ge=0.0, le=3600.0, description="minimum seconds between re-stats")
    allow_outside_dir: bool = Field(False, description="accept persona files that are symlinks leaving their dir")
    keep_versions: int = Field(20, ge=1, le=10_000, description="archived versions kept per writable persona")
    fallback: FallbackSettings = FallbackSettings()

    @field_validator("default")
    @classmethod
    def _valid_id(cls, value: str) -> str:
        if not _ID.match(value):
            raise ValueError("a persona id is 1-64 characters of a-z, 0-9, '_' and '-', starting alphanumeric")
        return value
