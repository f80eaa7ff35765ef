"""Request bodies of the studio endpoints; every string is bounded."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from api.vocabulary import PERSONA_ID_MAX_CHARS, PERSONA_ID_PATTERN
from assistant.studio import PersonaSource

PersonaId = Annotated[str, StringConstraints(pattern=PERSONA_ID_PATTERN, max_length=PERSONA_ID_MAX_CHARS)]
Message = Annotated[str, StringConstraints(min_length=1, max_length=4000)]


class Source(BaseModel):
    """A persona as in the editor: its YAML text, its form document, or a stored version (neither given)."""

    model_config = ConfigDict(extra="forbid")

    id: PersonaId
    yaml: Annotated[str, StringConstraints(max_length=262_144)] | None = None
    document: dict[str, Any] | None = None
    version: Annotated[int, Field(ge=1)] | None = None

    def source(self) -> PersonaSource:
        return PersonaSource(self.id, self.yaml, self.document, self.version)


class CheckBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    persona: Source


class SaveBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    persona: Source
    expected_version: Annotated[int, Field(ge=0)] | None = None


class RevertBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    version: Annotated[int, Field(ge=1)]


class HistoryTurn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    role: Literal["user", "assistant"]
    text: Annotated[str, StringConstraints(max_length=8000)]


class TryBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    persona: Source
    history: Annotated[list[HistoryTurn], Field(max_length=40)] = []
    message: Message


class CompareBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    left: Source
    right: Source
    messages: Annotated[list[Message], Field(min_length=1, max_length=20)]


class CheckSaveBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_-]{0,63}$")]
    persona: Source
    messages: Annotated[list[Message], Field(min_length=1, max_length=20)]


class AnswerBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    question: Annotated[str, StringConstraints(min_length=1, max_length=2000)]
    answer: Annotated[str, StringConstraints(min_length=1, max_length=4000)]
    id: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.:#-]{0,127}$")] | None = None
    intent: Annotated[str, StringConstraints(max_length=200)] | None = None


class QueryBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    query: Message
