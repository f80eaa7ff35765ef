"""Routes of the studio: the page (`GET /studio`, packaged assets, no CDN) and its JSON endpoints (`/v1/studio`).

HTTP only: `Services.studio()` (assistant.studio) does the work. The page and its assets are public (they hold no
data); every data endpoint is guarded like the rest of the API (api.app): reading and trying on `router` need the
`chat` scope, writing on `admin_router` (save, revert, checks, stored answers) needs `admin`. The page sends the
key the user types in as `X-API-Key`. Errors leave as the one error body (`api.errors`).
"""

from __future__ import annotations

from pathlib import Path as FilePath
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse

from api.deps import ServicesDep
from api.studio.schemas import (
    AnswerBody,
    CheckBody,
    CheckSaveBody,
    CompareBody,
    QueryBody,
    RevertBody,
    SaveBody,
    TryBody,
)
from api.vocabulary import RECORD_ID_PATTERN, SET_PATTERN
from assistant.errors import InvalidInput
from assistant.keys import auth_required

STATIC = FilePath(__file__).parent / "static"
page_router = APIRouter(include_in_schema=False)
router = APIRouter(prefix="/v1/studio", tags=["studio"])
admin_router = APIRouter(prefix="/v1/studio", tags=["studio"])

PersonaPath = Annotated[str, Path(pattern=r"^[a-z0-9][a-z0-9_-]{0,63}$")]
SetPath = Annotated[str, Path(pattern=SET_PATTERN)]
IdPath = Annotated[str, Path(pattern=RECORD_ID_PATTERN)]
ASSETS = {name: "text/javascript" for name in ("studio.js", "api.js", "editor.js", "playground.js", "compare.js",
                                                "answers.js", "cards.js")} | {"studio.css": "text/css"}


@page_router.get("/studio")
async def page() -> FileResponse:
    return FileResponse(STATIC / "index.html", media_type="text/html", headers={"Cache-Control": "no-cache"})


@page_router.get("/studio/assets/{name}")
async def asset(name: str) -> FileResponse:
    if name not in ASSETS:
        raise InvalidInput(f"no studio asset {name!r}", param="name")
    return FileResponse(STATIC / name, media_type=ASSETS[name], headers={"Cache-Control": "no-cache"})


@router.get("/info")
def info(services: ServicesDep) -> dict[str, Any]:
    ready, detail = services.generation.status()
    settings = services.settings
    return {
        "lm": {"ready": ready, "detail": detail},
        "auth": auth_required(settings.auth, settings.server.host),
        "default": services.personas.default_id,
        "personas": [{"id": p.id, "name": p.name, "version": p.version} for p in services.personas.list()],
        "response_sets": services.retrieval.response_sets,
    }


@router.post("/check")
async def check(body: CheckBody, services: ServicesDep) -> dict[str, Any]:
    """Validate the editor's persona as the loader does (422 never: the error is the answer)."""
    return await run_in_threadpool(services.studio().check, body.persona.source())


@router.get("/personas/{persona_id}")
async def load(persona_id: PersonaPath, services: ServicesDep,
               version: Annotated[int | None, Query(ge=1)] = None) -> dict[str, Any]:
    return await run_in_threadpool(services.studio().load, persona_id, version)


@router.get("/personas/{persona_id}/diff")
async def diff(persona_id: PersonaPath, services: ServicesDep, old: Annotated[int, Query(ge=1)],
               new: Annotated[int, Query(ge=1)]) -> dict[str, Any]:
    return {"diff": await run_in_threadpool(services.studio().diff, persona_id, old, new)}


@admin_router.put("/personas/{persona_id}")
async def save(persona_id: PersonaPath, body: SaveBody, services: ServicesDep) -> dict[str, Any]:
    if body.persona.id != persona_id:
        raise InvalidInput("the body's persona id differs from the URL's", param="persona.id")
    return await run_in_threadpool(services.studio().save, body.persona.source(), body.expected_version)


@admin_router.post("/personas/{persona_id}/revert")
async def revert(persona_id: PersonaPath, body: RevertBody, services: ServicesDep) -> dict[str, Any]:
    return await run_in_threadpool(services.studio().revert, persona_id, body.version)


@router.post("/try")
async def try_turn(body: TryBody, services: ServicesDep) -> dict[str, Any]:
    """One explained turn of the editor's persona; nothing is stored but the served-answer log."""
    history = [(t.role, t.text) for t in body.history]
    return await services.studio().try_turn(body.persona.source(), history, body.message)


@router.post("/compare")
async def compare(body: CompareBody, services: ServicesDep) -> dict[str, Any]:
    return await services.studio().compare(body.left.source(), body.right.source(), body.messages)


@router.get("/checks")
def checks(services: ServicesDep) -> dict[str, Any]:
    return {"data": services.studio().checks()}


@admin_router.post("/checks", status_code=201)
async def save_check(body: CheckSaveBody, services: ServicesDep) -> dict[str, Any]:
    return await services.studio().save_check(body.name, body.persona.source(), body.messages)


@router.get("/answers/{set_name}")
async def answers(set_name: SetPath, services: ServicesDep, offset: Annotated[int, Query(ge=0)] = 0,
                  limit: Annotated[int, Query(ge=1, le=500)] = 100) -> dict[str, Any]:
    return await run_in_threadpool(services.studio().answers, set_name, offset, limit)


@router.get("/answers/{set_name}/near-misses")
async def near_misses(set_name: SetPath, services: ServicesDep) -> dict[str, Any]:
    return {"data": await run_in_threadpool(services.studio().near_misses, set_name)}


@router.get("/answers/{set_name}/{record_id}/queries")
async def answer_queries(set_name: SetPath, record_id: IdPath, services: ServicesDep) -> dict[str, Any]:
    return {"data": await run_in_threadpool(services.studio().answer_queries, set_name, record_id)}


@router.post("/answers/{set_name}/try")
async def try_query(set_name: SetPath, body: QueryBody, services: ServicesDep) -> dict[str, Any]:
    return await run_in_threadpool(services.studio().try_query, set_name, body.query)


@admin_router.post("/answers/{set_name}", status_code=201)
async def add_answer(set_name: SetPath, body: AnswerBody, services: ServicesDep) -> dict[str, Any]:
    return await run_in_threadpool(services.studio().add_answer, set_name, body.model_dump(exclude_none=True))


@admin_router.put("/answers/{set_name}/{record_id}")
async def update_answer(set_name: SetPath, record_id: IdPath, body: AnswerBody,
                        services: ServicesDep) -> dict[str, Any]:
    raw = body.model_dump(exclude_none=True)
    return await run_in_threadpool(services.studio().update_answer, set_name, record_id, raw)


@admin_router.delete("/answers/{set_name}/{record_id}")
async def remove_answer(set_name: SetPath, record_id: IdPath, services: ServicesDep) -> dict[str, Any]:
    return await run_in_threadpool(services.studio().remove_answer, set_name, record_id)


@router.post("/cards/preview")
async def card_preview(request: Request, services: ServicesDep) -> dict[str, Any]:
    """What a Character Card (JSON or PNG body) would become as a persona, and what maps where; saves nothing."""
    data = await request.body()
    if not data:
        raise InvalidInput("the request body must be a Character Card (JSON or PNG)", param="body")
    return await run_in_threadpool(services.studio().card_preview, data)

