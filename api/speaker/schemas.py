"""Request schemas of the speaker surfaces: the parts of CEK 0.1.0 and ASK 1.0 JSON this server reads.

Platforms add fields over time, so unknown fields are ignored (not refused); every string is bounded.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class _Lenient(BaseModel):
    model_config = ConfigDict(extra="ignore")


class Slot(_Lenient):
    name: str = Field(max_length=200)
    value: str | None = Field(None, max_length=2000)


class Intent(_Lenient):
    name: str = Field(min_length=1, max_length=200)
    slots: dict[str, Slot] | None = Field(None, max_length=50)


class Application(_Lenient):
    applicationId: str = Field(max_length=512)


class CekSession(_Lenient):
    sessionId: str = Field(min_length=1, max_length=512)
    new: bool = False
    sessionAttributes: dict[str, Any] | None = None


class CekSystem(_Lenient):
    application: Application | None = None


class CekContext(_Lenient):
    System: CekSystem | None = None


class CekRequestBody(_Lenient):
    type: Literal["LaunchRequest", "IntentRequest", "SessionEndedRequest", "EventRequest"]
    intent: Intent | None = None


class CekRequest(_Lenient):
    version: str = Field(max_length=16)
    session: CekSession
    context: CekContext | None = None
    request: CekRequestBody


class AlexaSession(_Lenient):
    sessionId: str = Field(min_length=1, max_length=512)
    new: bool = False
    attributes: dict[str, Any] | None = None
    application: Application | None = None


class AlexaRequestBody(_Lenient):
    type: str = Field(max_length=100, description="LaunchRequest, IntentRequest, SessionEndedRequest, ...")
    requestId: str | None = Field(None, max_length=512)
    timestamp: str | None = Field(None, max_length=64)
    locale: str | None = Field(None, max_length=16)
    intent: Intent | None = None


class AlexaRequest(_Lenient):
    version: str = Field(max_length=16)
    session: AlexaSession | None = None
    context: dict[str, Any] | None = None
    request: AlexaRequestBody


class SpeakerResponse(BaseModel):
    """The platform's response envelope (CEK `version` 0.1.0 or ASK 1.0)."""

    model_config = ConfigDict(extra="allow")
    version: str
    sessionAttributes: dict[str, Any] = Field(default_factory=dict)
    response: dict[str, Any]
