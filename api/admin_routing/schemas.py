"""Schemas of the routing admin surface; names are bounded like endpoint and version names in settings."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from api.vocabulary import ROUTING_NAME_PATTERN
from assistant.routing.settings import MAX_VERSIONS


class WeightsRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    weights: dict[str, float] = Field(
        max_length=MAX_VERSIONS,
        description="Relative share per version, e.g. {\"v1\": 70, \"v2\": 30}; {} sends all to the first version.",
    )


class ShadowRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    version: str | None = Field(None, pattern=ROUTING_NAME_PATTERN,
                                description="Shadow version; null turns shadowing off.")


class EndpointView(BaseModel):
    name: str
    versions: list[dict[str, Any]]
    weights: dict[str, float]
    effective_weights: dict[str, float]
    shadow: str | None
    experiment: str


class RoutingView(BaseModel):
    default_endpoint: str
    personas: dict[str, str]
    endpoints: list[EndpointView]
    shadow_in_flight: int
