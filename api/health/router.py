"""GET /health (liveness: the process answers) and GET /ready (what is loaded, with reasons)."""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from api.deps import ServicesDep

router = APIRouter(tags=["health"])


@router.get("/health")
async def health() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/ready")
async def ready(services: ServicesDep) -> Any:
    statuses = await asyncio.to_thread(services.readiness)
    components = {s.name: {"ready": s.ready, "detail": s.detail} for s in statuses}
    store_ok = components.get("store", {}).get("ready", False)
    degraded = [s.name for s in statuses if not s.ready]
    body = {"status": "ready" if not degraded else ("degraded" if store_ok else "unavailable"),
            "components": components}
    return JSONResponse(body, status_code=200 if store_ok else 503)
