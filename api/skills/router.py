"""HTTP surface of the skills: `GET /v1/skills` lists them, `POST /v1/skills/{name}` runs one.

Body `{"input": {...skill payload...}, "speech_level"?}`; answer `{"skill", "output", "trace"}`. Skill errors reach
the one error body through the error table (`assistant.error_table`): bad input -> 422 (more reviews than the limit
-> 413), unknown skill -> 404, a failing search backend or skills switched off -> 503. `Services.run_skill` admits a
skill whose LM is loaded like a generating turn (one slot of the admission gate for the whole run, after every input
check, so bad input is 4xx even while the gate is full): a full gate is 503 + Retry-After. Validation and the skills'
CPU work (Kiwi, scikit-learn) run on the skills' own worker threads (`limits.skill_workers`, apart from the turns'
`limits.turn_workers`), so the event loop keeps serving other requests and turns keep their threads meanwhile.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from api.deps import ServicesDep

router = APIRouter(prefix="/v1/skills", tags=["skills"])


class SkillRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    input: dict[str, Any]
    speech_level: str | None = Field(None, max_length=16)


class SkillResponse(BaseModel):
    skill: str
    output: dict[str, Any]
    trace: dict[str, Any]


@router.get("")
async def list_skills(services: ServicesDep) -> dict[str, Any]:
    return {"object": "list", "data": services.skills.describe()}


@router.post("/{name}", response_model=SkillResponse)
async def run_skill(name: str, body: SkillRequest, services: ServicesDep) -> SkillResponse:
    result = await services.run_skill(name, body.input, speech_level=body.speech_level)
    return SkillResponse(skill=name, output=result.output, trace=result.trace)
