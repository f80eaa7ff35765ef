"""Request/response schemas of the admin responses surface; every string is bounded."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from api.vocabulary import RECORD_ID_PATTERN, SET_PATTERN

Tag = Annotated[str, StringConstraints(min_length=1, max_length=64)]


class ResponseIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    question: str = Field(min_length=1, max_length=4000)
    answer: str = Field(min_length=1, max_length=4000)
    intent: str | None = Field(None, max_length=64)
    tags: list[Tag] = Field(default_factory=list, max_length=32)
    id: str | None = Field(None, pattern=RECORD_ID_PATTERN)


class AddResponses(BaseModel):
    model_config = ConfigDict(extra="forbid")

    set: str = Field("default", pattern=SET_PATTERN)
    records: list[ResponseIn] = Field(min_length=1)
    create: bool = Field(True, description="create the set when it does not exist yet")


class ResponseOut(BaseModel):
    id: str
    question: str
    answer: str
    intent: str | None
    tags: list[str]


class AddedResponses(BaseModel):
    set: str
    added: list[ResponseOut]
    total: int


class DeletedResponse(BaseModel):
    set: str
    deleted: ResponseOut
    total: int


class ResponsePage(BaseModel):
    object: Literal["list"] = "list"
    set: str
    total: int
    offset: int
    limit: int
    data: list[ResponseOut]
