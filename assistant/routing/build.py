"""Build the ModelRouter from the `routing` settings section (one Generator per configured version).

A version whose model cannot load still gets its Generator: it reports not-ready (readiness lists it as
`model:<endpoint>/<version>`) and a turn routed to it gets a 503, exactly like the `generation` section.
"""

from __future__ import annotations

from assistant.routing.router import Endpoint, ModelRouter
from assistant.routing.settings import DEFAULT_ENDPOINT, RoutingSettings
from generation import GenerationConfig, Generator, build_generator


def build_router(routing: RoutingSettings, generation: Generator) -> ModelRouter:
    """`generation` is the `generation` section's Generator: endpoint `default`, shared, never rebuilt."""
    if not routing.endpoints:
        return ModelRouter.single(generation)
    endpoints = {DEFAULT_ENDPOINT: Endpoint(DEFAULT_ENDPOINT, {DEFAULT_ENDPOINT: generation})}
    for name, spec in routing.endpoints.items():
        versions = {version: _generator(config, generation) for version, config in spec.versions.items()}
        endpoints[name] = Endpoint(name, versions, weights=spec.weights, shadow=spec.shadow,
                                   experiment=spec.experiment)
    return ModelRouter(endpoints, default_endpoint=routing.default_endpoint or DEFAULT_ENDPOINT,
                       personas=routing.personas)


def _generator(config: GenerationConfig, section: Generator) -> Generator:
    built = build_generator(config)
    # One Kiwi analyser for every version: it is the same language model of Korean, and each costs seconds to
    # load and over a hundred MB to hold.
    speech = getattr(section, "speech", None)
    if speech is not None:
        built.speech = speech
    return built
