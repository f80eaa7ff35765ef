"""Model routing: named LM endpoints with versions, sticky weighted A/B, shadow traffic, runtime weights."""

from assistant.routing.build import build_router
from assistant.routing.context import Pins, pins
from assistant.routing.router import Endpoint, ModelRouter, Route, bucket
from assistant.routing.settings import DEFAULT_ENDPOINT, EndpointSettings, RoutingSettings, ShadowSettings
from assistant.routing.shadow import ShadowRunner

__all__ = [
    "DEFAULT_ENDPOINT",
    "Endpoint",
    "EndpointSettings",
    "ModelRouter",
    "Pins",
    "Route",
    "RoutingSettings",
    "ShadowRunner",
    "ShadowSettings",
    "bucket",
    "build_router",
    "pins",
]
