"""The `routing` settings section: named model endpoints with versions, A/B weights and a shadow version.

```yaml
routing:
  default_endpoint: chat            # requests and personas that name no endpoint; omitted: the `generation` section
  personas: {minji: chat}           # persona id -> endpoint
  endpoints:
    chat:
      versions:                     # each version is a full generation config (generation.GenerationConfig)
        v1: {backend: transformers, model: /models/chat-v1}
        v2: {backend: openai, openai: {base_url: http://mii:23333/v1}}
        v3: {backend: mii, model: /models/chat-v3}
      weights: {v1: 70, v2: 30}     # relative; omitted: all traffic to the first version
      shadow: v3                    # gets a copy of live traffic; its replies are stored, never returned
  shadow: {timeout_s: 30, max_concurrent: 4, keep: 200}
```
With no endpoints the `generation` section is the one endpoint, named `default` (today's behaviour). Values that
cannot work (weights for unknown versions, all-zero weights, a shadow that is not a version) are refused at start.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from generation import GenerationConfig

DEFAULT_ENDPOINT = "default"
NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$"
Name = Annotated[str, StringConstraints(pattern=NAME_PATTERN)]
MAX_VERSIONS = 16
MAX_ENDPOINTS = 32


def check_weights(weights: dict[str, float], versions: list[str]) -> dict[str, float]:
    """Validated copy of `weights` (also used for runtime changes); raises ValueError naming the problem."""
    unknown = sorted(set(weights) - set(versions))
    if unknown:
        raise ValueError(f"weights name unknown versions {unknown}; versions are {versions}")
    bad = {k: v for k, v in weights.items() if not (v >= 0 and v < float("inf"))}
    if bad:
        raise ValueError(f"weights must be finite and >= 0, got {bad}")
    if weights and sum(weights.values()) <= 0:
        raise ValueError("at least one weight must be > 0")
    return {v: float(weights[v]) for v in versions if v in weights}


class EndpointSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    versions: dict[Name, GenerationConfig] = Field(min_length=1, max_length=MAX_VERSIONS)
    weights: dict[str, float] = Field(default_factory=dict, description="relative share per version")
    shadow: str | None = Field(None, description="version that receives a copy of live traffic")
    experiment: Name | None = Field(None, description="A/B hash salt (default: the endpoint name)")

    @model_validator(mode="after")
    def _check(self) -> EndpointSettings:
        self.weights = check_weights(self.weights, list(self.versions))
        if self.shadow is not None and self.shadow not in self.versions:
            raise ValueError(f"shadow {self.shadow!r} is not one of the versions {list(self.versions)}")
        return self


class ShadowSettings(BaseModel):
    """Bounds that keep shadow traffic from costing the live reply anything."""

    model_config = ConfigDict(extra="forbid")

    timeout_s: float = Field(30.0, gt=0, le=600)
    max_concurrent: int = Field(4, ge=1, le=1000, description="more shadow calls in flight are dropped")
    keep: int = Field(200, ge=0, le=100_000, description="recent comparisons kept in memory")
    write_jsonl: bool = Field(True, description="append each comparison to data_dir/shadow/<endpoint>.jsonl")


class RoutingSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    endpoints: dict[Name, EndpointSettings] = Field(default_factory=dict, max_length=MAX_ENDPOINTS)
    default_endpoint: str | None = None
    personas: dict[str, str] = Field(default_factory=dict, description="persona id -> endpoint name")
    shadow: ShadowSettings = ShadowSettings()

    @model_validator(mode="after")
    def _check(self) -> RoutingSettings:
        if DEFAULT_ENDPOINT in self.endpoints:
            raise ValueError(f"endpoint name {DEFAULT_ENDPOINT!r} is reserved for the generation section")
        known = {DEFAULT_ENDPOINT, *self.endpoints}
        if self.default_endpoint is not None and self.default_endpoint not in known:
            raise ValueError(f"default_endpoint {self.default_endpoint!r} is not one of {sorted(known)}")
        unknown = {p: e for p, e in self.personas.items() if e not in known}
        if unknown:
            raise ValueError(f"personas name unknown endpoints {unknown}; endpoints are {sorted(known)}")
        return self
