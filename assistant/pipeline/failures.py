"""A turn's scope: the request deadline, the conversation's lock, and the failed turn stored before it is released.

Contract: `turn_scope(store, limit_s, req, conversation_id)` holds the conversation's lock under a deadline of
`limit_s` and yields `(deadline, progress)`: the turn's clock, started once the lock is held, and the last stage result
it reached (`assistant.pipeline.stages.TurnProgress`). A leaf package's exception leaves the scope as its
`assistant.errors` error (`assistant.error_table`), so what is stored and what the client gets are decided on the same
error. A turn is never lost once its conversation is loaded: when the reply fails with a server error (no LM loaded,
LM error, timeout; not a capacity refusal, which asks the client to resend), the user message, its rewrite and the
dialogue state update are stored as a failed user turn (`error_code`), still under the lock, and the error carries the
conversation id. Later turns resolve context from it; the LM prompt leaves failed turns out, since they have no reply
and their content already lives in the state. A retry is a new turn (there are no idempotency keys). A busy lock is a
503 `conversation_busy` and a deadline a 504 `turn_timeout`.
With a `drain` (`assistant.shutdown.TurnDrain`), the scope is an in-flight turn of the process: refused with 503
`shutting_down` once shutdown has begun, and when shutdown cancels it, its failed turn is stored like any server
error and it raises 503 `shutting_down` instead of the cancellation (a turn still waiting for its conversation's lock
has loaded nothing, so nothing is stored for it).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from typing import Any

from assistant.error_table import LEAF_ERRORS, to_assistant_error
from assistant.errors import AssistantError, Busy, Timeout
from assistant.pipeline.stages import Rewritten, TurnProgress
from assistant.pipeline.types import TurnRequest
from assistant.shutdown import TurnDrain
from assistant.store import ConversationStore, FailedTurn, LockTimeout, StoreBusy

log = logging.getLogger(__name__)


@contextlib.asynccontextmanager
async def turn_scope(store: ConversationStore, limit_s: float, req: TurnRequest, conversation_id: str,
                     drain: TurnDrain | None = None) -> AsyncIterator[tuple[asyncio.Timeout, TurnProgress]]:
    """Hold the conversation's lock under the request deadline; store a failed turn before the lock is released."""
    stored = False
    deadline = asyncio.timeout(limit_s)
    try:
        with drain.admit() if drain is not None else contextlib.nullcontext():
            async with deadline, store.lock(conversation_id):
                progress = TurnProgress()
                try:
                    yield deadline, progress
                except BaseException as raised:
                    exc = _as_error(raised, drain)
                    stored = await _fail(store, req, conversation_id, progress, exc, deadline, limit_s)
                    if exc is raised:
                        raise
                    raise exc from raised
    except (LockTimeout, StoreBusy) as exc:
        raise Busy(str(exc), retry_after=1.0, param="conversation_id", code="conversation_busy") from None
    except asyncio.CancelledError:
        if drain is None or not drain.stopped_by_shutdown():
            raise
        _uncancel()  # shut down while waiting for the lock: nothing was loaded, so nothing is stored
        raise drain.shutting_down_error() from None
    except TimeoutError:
        if not deadline.expired():  # a leaf's own TimeoutError is not our deadline
            raise
        timeout = Timeout(f"the turn took longer than {limit_s:g} s", code="turn_timeout")
        timeout.conversation_id = conversation_id if stored else None
        raise timeout from None


def _as_error(raised: BaseException, drain: TurnDrain | None) -> BaseException:
    """The error a turn fails with: a leaf's as its table row, the drain's cancellation as 503 `shutting_down`."""
    if isinstance(raised, LEAF_ERRORS):
        return to_assistant_error(raised)
    if isinstance(raised, asyncio.CancelledError) and drain is not None and drain.stopped_by_shutdown():
        _uncancel()  # as asyncio.timeout does for its own cancellation: the task goes on to store and report
        return drain.shutting_down_error()
    return raised


def _uncancel() -> None:
    task = asyncio.current_task()
    if task is not None:
        task.uncancel()


async def _fail(store: ConversationStore, req: TurnRequest, conversation_id: str, progress: TurnProgress,
                exc: BaseException, deadline: asyncio.Timeout, limit_s: float) -> bool:
    """Store the failed turn `exc` makes (if any), still under the lock; True when it was stored."""
    error = _failure(exc, deadline, limit_s)
    if not deadline.expired():  # as when storing a reply: a deadline firing mid-write would lose the error
        deadline.reschedule(None)
    stored = await _store_failure(store, req, conversation_id, progress, error)
    if stored and isinstance(exc, AssistantError):
        exc.conversation_id = conversation_id
    return stored


async def _store_failure(store: ConversationStore, req: TurnRequest, conversation_id: str, progress: TurnProgress,
                         error: dict[str, Any] | None) -> bool:
    """Store the user turn of a failed turn; False when the failure is not stored (or storing it failed)."""
    reached = progress.reached
    if error is None or reached is None:  # a client error, a refusal, or nothing resolved yet
        return False
    loaded = reached.loaded if isinstance(reached, Rewritten) else reached
    rewrite = reached.rewrite if isinstance(reached, Rewritten) else None
    failed = FailedTurn(
        persona_id=loaded.persona.id, user_text=req.message, error_code=error["code"],
        rewrite=rewrite.standalone if rewrite is not None else None,
        state=rewrite.state.to_dict() if rewrite is not None else None,
        trace={"error": error, "rewrite": rewrite.to_dict() if rewrite is not None else None,
               "latency_ms": progress.clock.timings()},
        latency_ms=progress.clock.total_ms(), request_id=req.request_id, owner=req.owner,
        reuse_user=req.reuse_user_turn,
    )
    try:
        await store.append_failed(conversation_id, failed)
    except Exception:  # the client must still get the turn's own error, not the store's
        log.warning("could not store the failed turn of conversation %s", conversation_id, exc_info=True)
        return False
    return True


def _failure(exc: BaseException, deadline: asyncio.Timeout, limit_s: float) -> dict[str, Any] | None:
    """The error to store with a failed turn, or None when this exception does not make one."""
    if isinstance(exc, asyncio.CancelledError) and deadline.expired():
        return {"status": Timeout.status_code, "type": Timeout.error_type, "code": "turn_timeout",
                "message": f"the turn took longer than {limit_s:g} s"}
    # Client errors (4xx) refuse the request itself; Busy asks the client to resend, which would store it twice.
    if isinstance(exc, AssistantError) and exc.status_code >= 500 and not isinstance(exc, Busy):
        return {"status": exc.status_code, "type": exc.error_type, "code": exc.code or exc.error_type,
                "message": exc.message}
    return None

