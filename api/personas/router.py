"""Routes of the personas surface; HTTP only, the registry does the work.

`PUT /v1/personas/{id}` takes a persona document (the `persona` object that GET returns; `version` in it is
ignored, the server assigns current + 1) and an optional `If-Match: <version>` header for optimistic
concurrency. `POST /v1/personas/import` takes the raw card bytes (JSON or PNG) as the request body.
Reads are on `router` (chat scope), writes (put, delete, import) on `admin_router` (admin scope; see api.app).
Registry errors reach the client through the one error table (`api.errors`).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Header, Path, Query, Request, Response
from fastapi.concurrency import run_in_threadpool

from api.deps import ServicesDep
from api.personas.schemas import PersonaDetail, PersonaList, PersonaSummary
from api.vocabulary import PERSONA_ID_MAX_CHARS, PERSONA_ID_PATTERN
from assistant.errors import InvalidInput
from assistant.exports import Persona, PersonaRegistry, card_png, persona_to_card

router = APIRouter(prefix="/v1/personas", tags=["personas"])
admin_router = APIRouter(prefix="/v1/personas", tags=["personas"])

PersonaIdPath = Annotated[str, Path(pattern=PERSONA_ID_PATTERN, max_length=PERSONA_ID_MAX_CHARS,
                                     description="persona id")]


def _source(registry: PersonaRegistry, persona_id: str) -> Literal["bundled", "custom"]:
    return "custom" if registry.is_writable(persona_id) else "bundled"


def _detail(registry: PersonaRegistry, persona: Persona) -> PersonaDetail:
    return PersonaDetail(
        id=persona.id,
        source=_source(registry, persona.id),
        versions=registry.versions(persona.id),
        persona=persona.document(),
    )


@router.get("", response_model=PersonaList)
def list_personas(services: ServicesDep) -> PersonaList:
    registry: PersonaRegistry = services.personas
    data = [
        PersonaSummary(
            id=p.id, name=p.name, version=p.version, speech_level=p.speech_level, description=p.description,
            greeting=p.greeting, tags=list(p.tags), source=_source(registry, p.id),
        )
        for p in registry.list()
    ]
    return PersonaList(default=registry.default_id, data=data, errors=registry.errors())


@router.get("/{persona_id}", response_model=PersonaDetail)
def get_persona(persona_id: PersonaIdPath, services: ServicesDep, response: Response) -> PersonaDetail:
    """The persona document; the `ETag` header is its version, for `If-Match` on PUT."""
    registry: PersonaRegistry = services.personas
    detail = _detail(registry, registry.get(persona_id))
    response.headers["ETag"] = f'"{detail.persona["version"]}"'
    return detail


@router.get("/{persona_id}/versions/{version}", response_model=PersonaDetail)
def get_persona_version(
    persona_id: PersonaIdPath, version: Annotated[int, Path(ge=1)], services: ServicesDep
) -> PersonaDetail:
    """An archived version (PUT it back to roll back)."""
    registry: PersonaRegistry = services.personas
    return _detail(registry, registry.get_version(persona_id, version))


@admin_router.put("/{persona_id}", response_model=PersonaDetail)
def put_persona(
    persona_id: PersonaIdPath,
    document: Annotated[dict[str, Any], Body(description="persona document, see docs/personas.md")],
    services: ServicesDep,
    response: Response,
    if_match: Annotated[str | None, Header(max_length=20)] = None,
) -> PersonaDetail:
    registry: PersonaRegistry = services.personas
    expected = None
    if if_match is not None:
        value = if_match.strip().strip('"')
        if not value.isdigit():
            raise InvalidInput("If-Match must be the persona version number", param="If-Match")
        expected = int(value)
    detail = _detail(registry, registry.put(persona_id, document, expected_version=expected))
    response.headers["ETag"] = f'"{detail.persona["version"]}"'
    return detail


@admin_router.delete("/{persona_id}", status_code=204)
def delete_persona(persona_id: PersonaIdPath, services: ServicesDep) -> Response:
    services.personas.delete(persona_id)
    return Response(status_code=204)


@admin_router.post("/import", response_model=PersonaDetail, status_code=201)
async def import_card(
    request: Request,
    services: ServicesDep,
    persona_id: Annotated[str | None,
                          Query(alias="id", pattern=PERSONA_ID_PATTERN, max_length=PERSONA_ID_MAX_CHARS)] = None,
    overwrite: bool = False,
    speech_level: Literal["해요체", "합쇼체", "반말"] | None = None,
    response_set: Annotated[str | None, Query(min_length=1, max_length=200)] = None,
) -> PersonaDetail:
    """Import a Character Card V2/V3: the body is the card JSON or a PNG with a `chara`/`ccv3` chunk."""
    registry: PersonaRegistry = services.personas
    data = await request.body()
    if not data:
        raise InvalidInput("the request body must be a Character Card (JSON or PNG)", param="body")
    persona = await run_in_threadpool(
        services.import_card, data, persona_id=persona_id, overwrite=overwrite, speech_level=speech_level,
        response_set=response_set,
    )
    return await run_in_threadpool(_detail, registry, persona)


@router.get("/{persona_id}/export", response_model=None)
def export_card(
    persona_id: PersonaIdPath,
    services: ServicesDep,
    spec: Literal["v2", "v3"] = "v2",
    png: bool = False,
) -> Response | dict[str, Any]:
    """The persona as a Character Card (JSON), or as a PNG carrying both V2 and V3 cards."""
    persona = services.personas.get(persona_id)
    if png:
        headers = {"Content-Disposition": f'attachment; filename="{persona.id}.png"'}
        return Response(card_png(persona), media_type="image/png", headers=headers)
    return persona_to_card(persona, spec=spec)
