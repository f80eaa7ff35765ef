"""POST /v1/context/rewrite: stateless context injection for speakers and other backends (HTTP only).

A malformed `state` is dst's to refuse: 422 `invalid_context` through the one error table (`api.errors`).
"""

from __future__ import annotations

from fastapi import APIRouter

from api.context.schemas import RewriteRequest, RewriteResponse
from api.deps import ServicesDep
from api.vocabulary import check_message
from assistant.errors import InvalidInput

router = APIRouter(tags=["context"])


@router.post("/v1/context/rewrite", response_model=RewriteResponse)
async def rewrite(body: RewriteRequest, services: ServicesDep) -> RewriteResponse:
    settings = services.settings
    check_message(body.utterance, settings, param="utterance", what="utterance")
    max_turns = settings.dst.api_max_history_turns
    if len(body.history) > max_turns:
        raise InvalidInput(f"history has {len(body.history)} entries; the limit is {max_turns}",
                           param="history", code="history_too_long")
    max_chars = settings.dst.api_max_turn_chars
    for i, turn in enumerate(body.history):
        if len(turn.text) > max_chars:
            raise InvalidInput(f"history[{i}].text has {len(turn.text)} characters; the limit is {max_chars}",
                               param=f"history[{i}].text", code="turn_too_long")
    rw = await services.pipeline.rewrite_context([(t.role, t.text) for t in body.history], body.utterance,
                                                 body.state)
    return RewriteResponse(
        rewrite=rw.standalone,
        state=rw.state.to_dict(),
        resolutions=[r.to_dict() for r in rw.resolutions],
        strategy=rw.strategy,
        confident=rw.confident,
        truncated=rw.truncated,
    )
