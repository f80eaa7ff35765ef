"""GET /metrics: the Prometheus text exposition of this process's series (see assistant.metrics)."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response

from api.deps import ServicesDep

router = APIRouter(tags=["metrics"])


@router.get("/metrics", response_class=Response,
            responses={200: {"content": {"text/plain": {}}, "description": "Prometheus text format"}})
async def metrics(services: ServicesDep) -> Response:
    if services.metrics is None:
        return Response(b"", media_type="text/plain")
    return Response(services.metrics.render(), media_type=services.metrics.content_type)
