"""Build the ModelRouter from the `routing` settings section (one Generator per configured version).

A version whose model cannot load still gets its Generator: it reports not-ready (readiness lists it as
`model:<endpoint>/<version>`) and a turn routed to it gets a 503, exactly like the `generation` section.
"""

from __future__ import annotations

from assistant.routing.router import Endpoint, ModelRouter
from assistant.routing.settings import DEFAULT_ENDPOINT, RoutingSettings
from generation import Generator, build_generator


def build_router(routing: RoutingSettings, generation: Generator) -> ModelRouter:
    """`generation` is the `generation` section's Generator: endpoint `default`, shared, never rebuilt."""
    if not routing.endpoints:
        return ModelRouter.single(generation)
    endpoints = {DEFAULT_ENDPOINT: Endpoint(DEFAULT_ENDPOINT, {DEFAULT_ENDPOINT: generation})}
    for name, spec in routing.endpoints.items():
        versions = {version: build_generator(config) for version, config in spec.versions.items()}
        endpoints[name] = Endpoint(name, versions, weights=spec.weights, shadow=spec.shadow,
                                   experiment=spec.experiment)
    return ModelRouter(endpoints, default_endpoint=routing.default_endpoint or DEFAULT_ENDPOINT,
                       personas=routing.personas)
