"""Routing admin: see endpoints, change A/B weights and the shadow version at runtime, read shadow comparisons.

Changes apply to new routing decisions at once, without a restart, in this process only (each API replica is
told separately; the settings file stays the source for restarts). Guarded by the admin scope (api.app).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query

from api.admin_routing.schemas import EndpointView, RoutingView, ShadowRequest, WeightsRequest
from api.deps import ServicesDep
from api.errors import ERROR_RESPONSES
from api.vocabulary import ROUTING_NAME_PATTERN
from assistant.errors import Unavailable
from assistant.routing import ModelRouter
from assistant.services import Services

router = APIRouter(prefix="/v1/admin/routing", tags=["admin"], responses=ERROR_RESPONSES)
EndpointName = Annotated[str, Path(pattern=ROUTING_NAME_PATTERN, max_length=64)]


def _router(services: Services) -> ModelRouter:
    if services.router is None:
        raise Unavailable("model routing is not set up in this process", code="routing_unavailable")
    return services.router


@router.get("", response_model=RoutingView)
async def describe(services: ServicesDep) -> Any:
    routing = _router(services)
    return {"default_endpoint": routing.default_endpoint, "personas": routing.personas,
            "endpoints": routing.describe(),
            "shadow_in_flight": services.shadow.in_flight if services.shadow is not None else 0}


@router.put("/{endpoint}/weights", response_model=EndpointView)
async def set_weights(endpoint: EndpointName, body: WeightsRequest, services: ServicesDep) -> Any:
    target = _router(services).get(endpoint)
    target.set_weights(body.weights)
    return target.describe()


@router.put("/{endpoint}/shadow", response_model=EndpointView)
async def set_shadow(endpoint: EndpointName, body: ShadowRequest, services: ServicesDep) -> Any:
    target = _router(services).get(endpoint)
    target.set_shadow(body.version)
    return target.describe()


@router.get("/shadow")
async def shadow_comparisons(
    services: ServicesDep,
    endpoint: str | None = Query(None, pattern=ROUTING_NAME_PATTERN, max_length=64),
    limit: int = Query(50, ge=1, le=1000),
) -> dict[str, Any]:
    """The latest live-vs-shadow comparisons kept in memory, newest first."""
    rows = services.shadow.recent(endpoint, limit) if services.shadow is not None else []
    return {"data": rows}
