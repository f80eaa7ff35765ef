"""GET /v1/conversations/{id}: a conversation's turns (paged) and its current dialogue state.

A user turn whose reply failed has `failed: true` and `error_code` (its trace holds the error); no assistant turn
follows it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel

from api.auth import CallerDep
from api.deps import ServicesDep
from api.errors import ERROR_RESPONSES
from api.vocabulary import CONVERSATION_ID_MAX_CHARS
from assistant.errors import NotFound

router = APIRouter(tags=["conversations"])


class TurnOut(BaseModel):
    index: int
    role: str
    text: str
    rewrite: str | None
    source: str | None
    selection: dict[str, Any] | None
    trace: dict[str, Any] | None
    latency_ms: float | None
    created_at: datetime
    failed: bool = False
    error_code: str | None = None


class ConversationOut(BaseModel):
    id: str
    persona: str
    turn_count: int
    state: dict[str, Any] | None
    created_at: datetime
    updated_at: datetime
    turns: list[TurnOut]


@router.get("/v1/conversations/{conversation_id}", response_model=ConversationOut, responses=ERROR_RESPONSES)
async def get_conversation(
    services: ServicesDep,
    caller: CallerDep,
    conversation_id: str = Path(min_length=1, max_length=CONVERSATION_ID_MAX_CHARS),
    offset: int = Query(0, ge=0, le=10_000_000),
    limit: int = Query(100, ge=1, le=10_000),
) -> Any:
    conversation = await services.store.get(conversation_id)
    # Another key's conversation is reported exactly like a missing one.
    if conversation is None or (caller.owner is not None and conversation.owner != caller.owner):
        raise NotFound(f"conversation {conversation_id!r} not found", param="conversation_id")
    turns = await services.store.turns(conversation_id, offset, min(limit, services.settings.limits.max_page_size))
    return ConversationOut(
        id=conversation.id,
        persona=conversation.persona_id,
        turn_count=conversation.turn_count,
        state=conversation.state,
        created_at=conversation.created_at,
        updated_at=conversation.updated_at,
        turns=[
            TurnOut(index=t.idx, role=t.role, text=t.text, rewrite=t.rewrite, source=t.source, selection=t.scores,
                    trace=t.trace, latency_ms=t.latency_ms, created_at=t.created_at, failed=t.failed,
                    error_code=t.error_code)
            for t in turns
        ],
    )
