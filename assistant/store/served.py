"""Served-answer log: which stored answers the selector served, to which queries, and the near-misses.

Contract: one row per turn whose selection had a top candidate worth remembering: every served answer (decision
"retrieve") and every "generate" decision whose best candidate scored within `NEAR_MISS_MARGIN` below the threshold.
Rows are written in the same transaction as the turn they explain (`ConversationStore.append_exchange`, through
`Exchange.served`), or alone by `ServedLog.record` (the studio's playground). Counts are derived by grouping, so
they can never disagree with the queries listed for an answer. Migration `0005_served_answers` mirrors the table.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, DateTime, Engine, Float, Index, Integer, String, Text, func, select
from sqlalchemy.orm import Mapped, mapped_column

from assistant.store.engine import writer
from assistant.store.models import Base

# A "generate" decision whose best candidate scored at least threshold - margin is a near-miss worth reviewing;
# a "retrieve" within the margin above the threshold is one too (it nearly generated).
NEAR_MISS_MARGIN = 0.15
MAX_QUERY_CHARS = 500


class ServedAnswerRow(Base):
    __tablename__ = "served_answers"
    __table_args__ = (Index("ix_served_answers_set_record", "response_set", "record_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    response_set: Mapped[str] = mapped_column(String(200))
    record_id: Mapped[str] = mapped_column(String(200))
    query: Mapped[str] = mapped_column(Text)
    score: Mapped[float] = mapped_column(Float)
    threshold: Mapped[float] = mapped_column(Float)
    decision: Mapped[str] = mapped_column(String(16))
    persona_id: Mapped[str | None] = mapped_column(String(128))
    channel: Mapped[str] = mapped_column(String(16))  # "live" (a turn) or "studio" (the playground)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


@dataclass(frozen=True)
class ServedAnswer:
    """What one selection contributes to the log (built by `served_from_selection`)."""

    response_set: str
    record_id: str
    query: str
    score: float
    threshold: float
    decision: str
    persona_id: str | None = None
    channel: str = "live"


def served_from_selection(selection: dict[str, Any], query: str, persona_id: str | None,
                          channel: str = "live") -> ServedAnswer | None:
    """The log row of a selection trace (`Selection.to_dict()`), or None when nothing is worth logging."""
    decision, threshold = selection.get("decision"), float(selection.get("threshold") or 0.0)
    top = selection.get("hit") or next(iter(selection.get("candidates") or []), None)
    if top is None or decision not in ("retrieve", "generate"):
        return None
    score = float((selection.get("score") if decision == "retrieve" else top.get("score")) or 0.0)
    if decision == "generate" and score < threshold - NEAR_MISS_MARGIN:
        return None
    return ServedAnswer(str(top.get("response_set") or selection.get("response_set") or ""), str(top["id"]),
                        query[:MAX_QUERY_CHARS], score, threshold, str(decision), persona_id, channel)


def insert_served(conn: Connection, served: ServedAnswer, now: datetime) -> None:
    conn.execute(ServedAnswerRow.__table__.insert().values(
        response_set=served.response_set, record_id=served.record_id, query=served.query, score=served.score,
        threshold=served.threshold, decision=served.decision, persona_id=served.persona_id, channel=served.channel,
        created_at=now))


class ServedLog:
    """Reads (and playground writes) of the served-answer log, on the conversation store's engine."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._writer = writer(engine)

    async def record(self, served: ServedAnswer) -> None:
        await asyncio.to_thread(self._record, served)

    def _record(self, served: ServedAnswer) -> None:
        with self._writer.begin() as conn:
            insert_served(conn, served, datetime.now(UTC))

    def counts(self, response_set: str) -> dict[str, int]:
        """Record id -> times served (decision "retrieve")."""
        table = ServedAnswerRow.__table__
        with self.engine.connect() as conn:
            rows = conn.execute(select(table.c.record_id, func.count()).where(
                table.c.response_set == response_set, table.c.decision == "retrieve").group_by(table.c.record_id))
            return {str(r[0]): int(r[1]) for r in rows}

    def queries(self, response_set: str, record_id: str, limit: int = 20) -> list[dict[str, Any]]:
        """The latest queries that reached one answer (served or near-missed), newest first."""
        table = ServedAnswerRow.__table__
        with self.engine.connect() as conn:
            rows = conn.execute(select(table).where(
                table.c.response_set == response_set, table.c.record_id == record_id,
            ).order_by(table.c.id.desc()).limit(limit))
            return [_row(r) for r in rows]

    def near_misses(self, response_set: str, limit: int = 50) -> list[dict[str, Any]]:
        """Queries that scored within the margin of the threshold, on either side, newest first."""
        table = ServedAnswerRow.__table__
        close = func.abs(table.c.score - table.c.threshold) <= NEAR_MISS_MARGIN
        with self.engine.connect() as conn:
            rows = conn.execute(select(table).where(table.c.response_set == response_set, close)
                                .order_by(table.c.id.desc()).limit(limit))
            return [_row(r) for r in rows]


def _row(row: Any) -> dict[str, Any]:
    return {"record_id": row.record_id, "query": row.query, "score": round(row.score, 4),
            "threshold": round(row.threshold, 4), "decision": row.decision, "persona": row.persona_id,
            "channel": row.channel, "at": row.created_at.isoformat() if row.created_at else None}
