"""How a turn ends, as data: its outcome for the metrics, the reply of a plan that needs no LM, client-held turns.

Contract: `count_turn(metrics)` wraps one whole turn (outside its lock and deadline, so it sees the error the client
gets) and counts it once in `assistant_turns_total{source,outcome}`: `ok` (stored with a reply; `source` is the
reply's: retrieve, generate or fallback), `failed` (a server error: the failed user turn is stored), `refused` (a
client error or a capacity refusal: nothing stored), `cancelled` (the client went away); `source` is `none` for a
turn that ended without a reply. `direct_reply(plan)` is the reply of a retrieved or fallback plan.
`client_turns(history, limit)` turns a client-held history into the last `limit` turns the stages read.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from assistant.errors import AssistantError, Busy
from assistant.pipeline.stages import FallbackReply, Reply, RetrievedReply
from assistant.pipeline.types import TurnResult
from assistant.store import Turn


@dataclass
class Counted:
    result: TurnResult | None = None


def outcome_of(exc: BaseException | None) -> str:
    if exc is None:
        return "ok"
    if isinstance(exc, asyncio.CancelledError):
        return "cancelled"
    if isinstance(exc, AssistantError) and exc.status_code >= 500 and not isinstance(exc, Busy):
        return "failed"
    return "refused"


@contextlib.contextmanager
def count_turn(metrics: Any) -> Iterator[Counted]:
    counted = Counted()
    try:
        yield counted
    except BaseException as exc:
        if metrics is not None:
            metrics.turns.labels("none", outcome_of(exc)).inc()
        raise
    if metrics is not None:
        metrics.turns.labels(counted.result.source if counted.result else "none", "ok").inc()


def direct_reply(plan: RetrievedReply | FallbackReply) -> Reply:
    return Reply(plan.text, "retrieve") if isinstance(plan, RetrievedReply) else Reply.fallback(plan)


def client_turns(history: tuple[tuple[str, str], ...], limit: int) -> tuple[Turn, ...]:
    now = datetime.now(UTC)
    kept = history[-limit:] if limit else ()
    return tuple(Turn(idx=i, role=role, text=text, rewrite=None, source="client", scores=None, trace=None,
                      latency_ms=None, created_at=now) for i, (role, text) in enumerate(kept))
