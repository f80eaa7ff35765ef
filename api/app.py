"""FastAPI app factory: middleware, the one error body, and every surface's router over one Services."""

from __future__ import annotations

import gc
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import Depends, FastAPI

from api.admin.router import router as admin_router
from api.admin_routing.router import router as admin_routing_router
from api.auth import admin_scope, chat_scope
from api.chat.router import router as chat_router
from api.context.router import router as context_router
from api.conversations.router import router as conversations_router
from api.docs import install_docs
from api.errors import install_error_handlers
from api.health.router import router as health_router
from api.hygiene import InputHygieneMiddleware
from api.limits import BodyLimitMiddleware
from api.metrics.middleware import ServingMiddleware
from api.metrics.router import router as metrics_router
from api.openai.completions import router as completions_router
from api.openai.router import router as openai_router
from api.personas.router import admin_router as personas_admin_router
from api.personas.router import router as personas_router
from api.skills.router import router as skills_router
from api.speaker.alexa import router as alexa_router
from api.speaker.clova import router as clova_router
from api.studio.router import admin_router as studio_admin_router
from api.studio.router import page_router as studio_page_router
from api.studio.router import router as studio_router
from assistant.keys import check_exposure
from assistant.logs import adopt_library_loggers, configure_logging
from assistant.services import Services, build_services
from assistant.settings import Settings, SettingsError, load_settings

log = logging.getLogger(__name__)


def create_app(settings: Settings | None = None, services: Services | None = None) -> FastAPI:
    """Build the app. With `services` given (tests), the caller owns their lifetime."""
    settings = services.settings if services is not None else (settings or load_settings())
    if (exposed := check_exposure(settings.auth, settings.server.host)) is not None:
        raise SettingsError(exposed)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if services is not None:
            app.state.services = services
            yield
            return
        if settings.server.log_format == "json":
            configure_logging(settings.server.log_level, "json")
        built = build_services(settings)
        if settings.server.log_format == "json":
            adopt_library_loggers()  # libraries imported while building (DeepSpeed, faiss) may add handlers
        app.state.services = built
        # Models, indexes and Kiwi leave ~10^5 long-lived objects; a full collection walking them pauses every
        # thread for hundreds of ms (measured in tests/api/test_loop_responsive.py). Freeze them out of the GC.
        gc.collect()
        gc.freeze()
        for status in built.readiness():
            log.info("ready check: %s %s (%s)", status.name, "ok" if status.ready else "NOT READY", status.detail)
        try:
            yield
        finally:
            if built.shadow is not None:
                await built.shadow.drain(timeout_s=1.0)  # within the shutdown budget (grace + 5 s)
            if built.router is not None:
                await built.router.aclose(keep=built.generation)  # the section generator is shared with dst, skills
            built.close()

    app = FastAPI(
        title="Korean assistant",
        version="0.1.0",
        description="Korean-first conversational assistant: context injection, response selection, persona chat.",
        lifespan=lifespan,
        docs_url=None,  # served from packaged assets instead of a CDN (api.docs)
        redoc_url=None,
    )
    install_docs(app)
    if services is not None:
        app.state.services = services
    # Innermost: the hygiene rule reads the body BodyLimitMiddleware bounded, on the path ServingMiddleware resolved.
    app.add_middleware(InputHygieneMiddleware, max_json_depth=settings.limits.max_json_depth)
    app.add_middleware(ServingMiddleware)  # inside BodyLimitMiddleware, which sets the request id it logs
    app.add_middleware(
        BodyLimitMiddleware,
        max_body_bytes=settings.limits.max_body_bytes,
        # Character Cards arrive as PNG images, far larger than any chat request.
        per_prefix={
            "/v1/personas/import": settings.personas.max_card_bytes,
            "/v1/studio/cards/": settings.personas.max_card_bytes,
            "/v1/skills/": settings.limits.max_skill_body_bytes,
        },
    )
    install_error_handlers(app)
    _include_routers(app)
    return app


def _include_routers(app: FastAPI) -> None:
    for router in (health_router, metrics_router, clova_router, alexa_router, studio_page_router):
        app.include_router(router)
    # API keys, quotas and scopes (api.auth); speaker surfaces authenticate by platform signature instead.
    for router in (chat_router, conversations_router, context_router, personas_router, skills_router,
                   openai_router, completions_router, studio_router):
        app.include_router(router, dependencies=[Depends(chat_scope)])
    for router in (admin_router, admin_routing_router, personas_admin_router, studio_admin_router):
        app.include_router(router, dependencies=[Depends(admin_scope)])
