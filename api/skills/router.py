"""HTTP surface of the skills: `GET /v1/skills` lists them, `POST /v1/skills/{name}` runs one.

Body `{"input": {...skill payload...}, "speech_level"?}`; answer `{"skill", "output", "trace"}`. Skill errors map
to the one error body: bad input -> 422 (more reviews than the limit -> 413), unknown skill -> 404, a failing
search backend or skills switched off -> 503. A skill whose LM is loaded is admitted like a generating turn (one
slot of the admission gate for the whole run, after every input check, so bad input is 4xx even while the gate is
full): a full gate is 503 + Retry-After. Validation and the skills' CPU work (Kiwi, scikit-learn) run on the skills'
own worker threads (`limits.skill_workers`, apart from the turns' `limits.turn_workers`), so the event loop keeps
serving other requests and turns keep their threads meanwhile.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from api.deps import ServicesDep
from assistant.errors import Unavailable
from assistant.wiring.skills import lm_ready
from generation.skills import SkillRegistry

router = APIRouter(prefix="/v1/skills", tags=["skills"])


class SkillRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    input: dict[str, Any]
    speech_level: str | None = Field(None, max_length=16)


class SkillResponse(BaseModel):
    skill: str
    output: dict[str, Any]
    trace: dict[str, Any]


def _registry(services: Any) -> SkillRegistry:
    registry = getattr(services, "skills", None)
    if registry is None:
        raise Unavailable("skills are not configured on this server", code="skills_unavailable")
    return registry


@router.get("")
async def list_skills(services: ServicesDep) -> dict[str, Any]:
    return {"object": "list", "data": _registry(services).describe()}


@router.post("/{name}", response_model=SkillResponse)
async def run_skill(name: str, body: SkillRequest, services: ServicesDep) -> SkillResponse:
    registry = _registry(services)
    admit = services.pipeline.admission.slot if lm_ready(registry) else None
    result = await registry.run(name, body.input, speech_level=body.speech_level, admit=admit,
                                offload=services.skill_workers.run)
    return SkillResponse(skill=name, output=result.output, trace=result.trace)
