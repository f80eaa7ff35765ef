"""Admin routes for response sets: add, delete and page through records while serving.

HTTP only: `services.retrieval` does the work (journal + index rebuild + atomic swap, in a worker thread
because rebuilding is CPU work); changes take effect for the next turn and survive restarts. Its errors reach the
client through the one error table (`api.errors`).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, status
from fastapi.concurrency import run_in_threadpool

from api.admin.schemas import (
    AddedResponses,
    AddResponses,
    DeletedResponse,
    ResponseOut,
    ResponsePage,
)
from api.deps import ServicesDep
from api.vocabulary import RECORD_ID_PATTERN, SET_PATTERN
from assistant.errors import InvalidInput, PayloadTooLarge
from assistant.exports import ResponseRecord

router = APIRouter(prefix="/v1/admin/responses", tags=["admin"])

SetPath = Annotated[str, Path(pattern=SET_PATTERN, description="response set name")]
IdPath = Annotated[str, Path(pattern=RECORD_ID_PATTERN, description="record id")]


def _out(record: ResponseRecord) -> ResponseOut:
    return ResponseOut(**record.to_dict())


@router.post("", status_code=status.HTTP_201_CREATED, response_model=AddedResponses)
async def add_responses(body: AddResponses, services: ServicesDep) -> AddedResponses:
    limit = services.settings.retrieval.admin_max_records
    if len(body.records) > limit:
        raise PayloadTooLarge(f"at most {limit} records per request, got {len(body.records)}",
                              param="records", code="too_many_records")
    raws = [r.model_dump(exclude_none=True) for r in body.records]
    added = await run_in_threadpool(services.retrieval.add_responses, body.set, raws, create=body.create)
    total, _ = services.retrieval.list_responses(body.set, offset=0, limit=0)
    return AddedResponses(set=body.set, added=[_out(r) for r in added], total=total)


@router.delete("/{set_name}/{record_id}", response_model=DeletedResponse)
async def delete_response(set_name: SetPath, record_id: IdPath, services: ServicesDep) -> DeletedResponse:
    removed = await run_in_threadpool(services.retrieval.remove_response, set_name, record_id)
    total, _ = services.retrieval.list_responses(set_name, offset=0, limit=0)
    return DeletedResponse(set=set_name, deleted=_out(removed), total=total)


@router.get("/{set_name}", response_model=ResponsePage)
def list_responses(set_name: SetPath, services: ServicesDep, offset: Annotated[int, Query(ge=0)] = 0,
                   limit: Annotated[int | None, Query(ge=1, description="default: min(50, page max)")] = None
                   ) -> ResponsePage:
    page_max = services.settings.retrieval.admin_page_max
    limit = min(50, page_max) if limit is None else limit
    if limit > page_max:
        raise InvalidInput(f"limit must be at most {page_max}", param="limit", code="page_too_large")
    total, records = services.retrieval.list_responses(set_name, offset=offset, limit=limit)
    return ResponsePage(set=set_name, total=total, offset=offset, limit=limit, data=[_out(r) for r in records])
