"""PersonasConfig: the settings of the persona registry, owned here and taken whole by `PersonaRegistry`.

The composition root embeds this model in its settings (`assistant/sections/personas.py` adds the pipeline's
fallback replies) and resolves the directories (`library_dir` None = the bundled library, the writable directory
under its data directory), so each default is written once.
"""

from __future__ import annotations

import re
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, field_validator

from personas.schema import PERSONA_ID_PATTERN


class PersonasConfig(BaseModel):
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

    @field_validator("default")
    @classmethod
    def _valid_id(cls, value: str) -> str:
        if not re.match(PERSONA_ID_PATTERN, value):
            raise ValueError("a persona id is 1-64 characters of a-z, 0-9, '_' and '-', starting alphanumeric")
        return value
