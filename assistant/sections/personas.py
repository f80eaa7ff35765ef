"""Settings section `personas`: the registry's own `personas.PersonasConfig` (where persona files live, how often
they are re-read, size limits) plus what the pipeline answers when no LM can (`fallback`).

Defaults work offline: the bundled library (`personas/library`) plus `<data_dir>/personas` for personas written
through the API or imported from Character Cards.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator

from korean.speech import SpeechLevel
from personas import PersonasConfig


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


class PersonasSettings(PersonasConfig):
    model_config = ConfigDict(extra="forbid")

    fallback: FallbackSettings = FallbackSettings()
