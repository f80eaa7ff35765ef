"""Response schemas of the personas surface (request bodies are persona documents, validated by the registry)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict


class PersonaSummary(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str
    name: str
    version: int
    speech_level: str
    description: str
    greeting: str
    tags: list[str]
    source: Literal["bundled", "custom"]


class PersonaList(BaseModel):
    model_config = ConfigDict(extra="forbid")

    object: Literal["list"] = "list"
    default: str
    data: list[PersonaSummary]
    errors: dict[str, str]


class PersonaDetail(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str
    source: Literal["bundled", "custom"]
    versions: list[int]
    persona: dict[str, Any]
