"""Model routing: which endpoint and version of the LM serves a turn.

Precedence: a pinned version (request field, `X-Model-Version` header or `/v1/models/{name}/versions/{v}/chat`)
beats the A/B split; the endpoint comes from the request, then the persona (`routing.personas`), then
`routing.default_endpoint`, then the `generation` section (`default`).

A/B assignment is sticky and needs no state: a conversation's bucket is a hash of (experiment, conversation id)
in [0, 1), mapped onto the cumulative weights in the settings' version order. It is not random, so every API
replica assigns a conversation the same way, and a weight change moves only the conversations whose bucket
falls in the band that changed hands (70/30 -> 60/40 moves 10% of conversations, all from v1 to v2).
Weights change at runtime with `set_weights` (atomic replacement; no restart); the change is per process.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any, Literal

from assistant.errors import InvalidInput, NotFound
from assistant.readiness import ComponentStatus
from assistant.routing.settings import DEFAULT_ENDPOINT, check_weights
from generation import Generator

Assignment = Literal["single", "weighted", "pinned"]


def bucket(experiment: str, conversation_id: str) -> float:
    """A stable position in [0, 1) for this conversation in this experiment."""
    digest = hashlib.blake2b(f"{experiment}\x1f{conversation_id}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2**64


@dataclass(frozen=True)
class Route:
    endpoint: str
    version: str
    assignment: Assignment
    generator: Generator
    shadow_version: str | None = None
    shadow: Generator | None = None

    def trace(self) -> dict[str, Any]:
        return {"endpoint": self.endpoint, "version": self.version, "assignment": self.assignment,
                "shadow": self.shadow_version}


class Endpoint:
    """One named endpoint: its versions' generators, the current weights and the shadow version."""

    def __init__(self, name: str, versions: dict[str, Generator], *, weights: dict[str, float] | None = None,
                 shadow: str | None = None, experiment: str | None = None) -> None:
        if not versions:
            raise ValueError(f"endpoint {name!r} has no versions")
        self.name = name
        self.versions = dict(versions)
        self.experiment = experiment or name
        self.weights: dict[str, float] = {}
        self.shadow: str | None = None
        self.set_weights(weights or {})
        self.set_shadow(shadow)

    def set_weights(self, weights: dict[str, float]) -> dict[str, float]:
        try:
            checked = check_weights(weights, list(self.versions))
        except ValueError as exc:
            raise InvalidInput(f"endpoint {self.name!r}: {exc}", param="weights", code="invalid_weights") from None
        self.weights = checked  # one assignment: a concurrent turn sees the old or the new table, never a mix
        return self.effective_weights()

    def set_shadow(self, version: str | None) -> None:
        if version is not None:
            self._require_version(version)
        self.shadow = version

    def effective_weights(self) -> dict[str, float]:
        """Share of new conversations per version (all to the first version when no weights are set)."""
        weights = self.weights or {next(iter(self.versions)): 1.0}
        total = sum(weights.values())
        return {v: w / total for v, w in weights.items()}

    def assign(self, conversation_id: str) -> str:
        weights = self.weights
        if not weights:
            return next(iter(self.versions))
        point = bucket(self.experiment, conversation_id) * sum(weights.values())
        last = ""
        for version, weight in weights.items():
            if weight <= 0:
                continue
            last = version
            if point < weight:
                return version
            point -= weight
        return last  # float rounding at the very top of the range

    def route(self, conversation_id: str, pinned: str | None) -> Route:
        assignment: Assignment
        if pinned is not None:
            version, assignment = self._require_version(pinned), "pinned"
        elif len(self.versions) == 1:
            version, assignment = next(iter(self.versions)), "single"
        else:
            version, assignment = self.assign(conversation_id), "weighted"
        shadow = self.shadow if self.shadow != version else None
        return Route(self.name, version, assignment, self.versions[version],
                     shadow, self.versions[shadow] if shadow else None)

    def _require_version(self, version: str) -> str:
        if version not in self.versions:
            raise NotFound(f"model endpoint {self.name!r} has no version {version!r}; versions are "
                           f"{list(self.versions)}", param="version", code="model_version_not_found")
        return version

    def describe(self) -> dict[str, Any]:
        versions = []
        for version, generator in self.versions.items():
            ready, detail = generator.status()
            versions.append({"version": version, "ready": ready, "detail": detail})
        return {"name": self.name, "versions": versions, "weights": dict(self.weights),
                "effective_weights": self.effective_weights(), "shadow": self.shadow, "experiment": self.experiment}


class ModelRouter:
    def __init__(self, endpoints: dict[str, Endpoint], *, default_endpoint: str = DEFAULT_ENDPOINT,
                 personas: dict[str, str] | None = None) -> None:
        self.endpoints = dict(endpoints)
        self.default_endpoint = default_endpoint
        self.personas = dict(personas or {})
        self.get(default_endpoint)

    @classmethod
    def single(cls, generator: Generator) -> ModelRouter:
        """The router with only the `generation` section's generator (no routing configured)."""
        return cls({DEFAULT_ENDPOINT: Endpoint(DEFAULT_ENDPOINT, {DEFAULT_ENDPOINT: generator})})

    def get(self, name: str) -> Endpoint:
        try:
            return self.endpoints[name]
        except KeyError:
            raise NotFound(f"model endpoint {name!r} not found; endpoints are {sorted(self.endpoints)}",
                           param="endpoint", code="model_endpoint_not_found") from None

    def route(self, conversation_id: str, *, endpoint: str | None = None, version: str | None = None,
              persona: str | None = None) -> Route:
        name = endpoint or (self.personas.get(persona) if persona else None) or self.default_endpoint
        return self.get(name).route(conversation_id, version)

    def describe(self) -> list[dict[str, Any]]:
        return [e.describe() for e in self.endpoints.values()]

    def statuses(self) -> list[ComponentStatus]:
        """Readiness of every configured version besides the `generation` section (reported on its own)."""
        out = []
        for endpoint in self.endpoints.values():
            for version, generator in endpoint.versions.items():
                if endpoint.name == DEFAULT_ENDPOINT:
                    continue
                ready, detail = generator.status()
                out.append(ComponentStatus(f"model:{endpoint.name}/{version}", ready, detail))
        return out

    async def aclose(self, keep: Generator | None = None) -> None:
        """Close every version's backend except `keep` (the generation section's, owned by Services)."""
        seen = {id(keep)}
        for endpoint in self.endpoints.values():
            for generator in endpoint.versions.values():
                if id(generator) not in seen:
                    seen.add(id(generator))
                    await generator.aclose()
