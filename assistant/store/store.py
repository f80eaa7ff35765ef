"""The conversation store: conversations, their turns and dialogue-state snapshots.

Contract:
- `lock(conversation_id)` serialises whole turns of one conversation in arrival order, in one process
  (asyncio) and, on PostgreSQL, across processes (session advisory lock held on a dedicated connection).
- `append_exchange` writes the user turn, the assistant turn, the new state and its snapshot in ONE transaction,
  so an acknowledged turn is durable and turn indices stay contiguous (also enforced by a unique constraint).
- `append_failed` writes the user turn of a turn whose reply failed, marked with its error code, with the new state
  and its snapshot, in one transaction: the next index follows it, so indices stay contiguous and no assistant
  turn follows a failed one.
- `reuse_user=True` (client-held conversations, `Exchange` and `FailedTurn`): when the conversation's last user turn
  already holds the same text (a resent message, a swipe), it is not written again: only the new reply is added
  after the conversation's last turn (so a client-held conversation is its message once and every reply generated
  for it), and a failed attempt adds nothing.
- Blocking database work runs on the store's own thread pool; the event loop never waits on SQL.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine, func, select, text
from sqlalchemy.exc import DBAPIError, OperationalError, SQLAlchemyError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from assistant.readiness import ComponentStatus
from assistant.store.engine import writer
from assistant.store.locks import ConversationLocks, LockTimeout
from assistant.store.migrate import upgrade
from assistant.store.models import ConversationRow, StateSnapshotRow, TurnRow
from assistant.store.served import ServedAnswer, insert_served
from assistant.store.settings import LOCK_TIMEOUT_S

T = TypeVar("T")


class StoreBusy(RuntimeError):
    """The connection pool stayed exhausted for its whole timeout (more turns in flight than connections)."""


@dataclass(frozen=True)
class Turn:
    idx: int
    role: str
    text: str
    rewrite: str | None
    source: str | None
    scores: dict[str, Any] | None
    trace: dict[str, Any] | None
    latency_ms: float | None
    created_at: datetime
    error_code: str | None = None  # set on a user turn whose reply failed

    @property
    def failed(self) -> bool:
        return self.error_code is not None


@dataclass(frozen=True)
class Conversation:
    id: str
    persona_id: str
    owner: str | None
    turn_count: int
    state: dict[str, Any] | None
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class Exchange:
    """One user message and the assistant's reply, with the trace that explains the reply."""

    persona_id: str
    user_text: str
    reply: str
    rewrite: str | None
    source: str
    state: dict[str, Any] | None
    scores: dict[str, Any] | None = None
    trace: dict[str, Any] | None = None
    latency_ms: float | None = None
    request_id: str | None = None
    owner: str | None = None
    reuse_user: bool = False
    served: ServedAnswer | None = None  # the served-answer log row, written in the turn's transaction


@dataclass(frozen=True)
class FailedTurn:
    """A user message whose reply failed: stored so that its context carries over, marked with the error code."""

    persona_id: str
    user_text: str
    error_code: str
    rewrite: str | None = None
    state: dict[str, Any] | None = None  # None keeps the conversation's state
    trace: dict[str, Any] | None = None
    latency_ms: float | None = None
    request_id: str | None = None
    owner: str | None = None
    reuse_user: bool = False


@dataclass(frozen=True)
class Appended:
    user_idx: int
    assistant_idx: int
    created_at: datetime


@dataclass
class ConversationStore:
    engine: Engine
    lock_timeout_s: float = LOCK_TIMEOUT_S
    _locks: ConversationLocks = field(default_factory=ConversationLocks)
    _pool: ThreadPoolExecutor = field(init=False)
    _writer: Engine = field(init=False)

    def __post_init__(self) -> None:
        self._writer = writer(self.engine)
        size = self.engine.pool.size() if hasattr(self.engine.pool, "size") else 8
        self._pool = ThreadPoolExecutor(max_workers=max(4, 2 * size), thread_name_prefix="store")

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def migrate(self) -> None:
        upgrade(self.engine)

    async def _run(self, fn: Callable[..., T], *args: Any) -> T:
        try:
            return await asyncio.get_running_loop().run_in_executor(self._pool, fn, *args)
        except PoolTimeout:
            raise StoreBusy("every database connection is in use; retry shortly") from None
        except OperationalError as exc:
            # SQLite's "database is locked" after the busy timeout, or a database that went away.
            raise StoreBusy(f"the conversation store is busy or unreachable: {exc.orig}") from None

    # -- locking ---------------------------------------------------------------------------------------------
    @asynccontextmanager
    async def lock(self, conversation_id: str) -> AsyncIterator[None]:
        async with self._locks.hold(conversation_id, self.lock_timeout_s):
            if self.dialect != "postgresql":
                yield
                return
            conn = await self._acquire_pg_lock(conversation_id)
            try:
                yield
            finally:
                await self._run(self._pg_unlock, conn, conversation_id)

    async def _acquire_pg_lock(self, conversation_id: str) -> Connection:
        future = asyncio.get_running_loop().run_in_executor(self._pool, self._pg_lock, conversation_id)
        try:
            return await asyncio.shield(future)
        except asyncio.CancelledError:
            # The worker thread may still be granted the lock: release it when it is, or the conversation would
            # stay locked in every process and the connection would leak.
            def release(done: asyncio.Future[Connection]) -> None:
                if not done.cancelled() and done.exception() is None:
                    self._pool.submit(self._pg_unlock, done.result(), conversation_id)

            future.add_done_callback(release)
            raise
        except PoolTimeout:
            raise StoreBusy("every database connection is in use; retry shortly") from None

    def _pg_lock(self, conversation_id: str) -> Connection:
        conn = self.engine.connect()
        try:
            conn.execute(text(f"SET lock_timeout = {int(self.lock_timeout_s * 1000)}"))
            conn.execute(text("SELECT pg_advisory_lock(:k)"), {"k": _lock_key(conversation_id)})
            conn.commit()
        except DBAPIError as exc:
            conn.close()
            raise LockTimeout(f"conversation {conversation_id!r} is busy in another process") from exc
        return conn

    def _pg_unlock(self, conn: Connection, conversation_id: str) -> None:
        try:
            conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": _lock_key(conversation_id)})
            conn.execute(text("RESET lock_timeout"))  # the connection goes back to the pool for other work
            conn.commit()
        finally:
            conn.close()

    # -- reads -----------------------------------------------------------------------------------------------
    async def get(self, conversation_id: str) -> Conversation | None:
        return await self._run(self._get, conversation_id)

    def _get(self, conversation_id: str) -> Conversation | None:
        with self.engine.connect() as conn:
            row = conn.execute(
                select(ConversationRow.__table__).where(ConversationRow.id == conversation_id)
            ).mappings().first()
        if row is None:
            return None
        return Conversation(**{**row, "created_at": _utc(row["created_at"]), "updated_at": _utc(row["updated_at"])})

    async def history(self, conversation_id: str, last: int) -> list[Turn]:
        """The last `last` turns, oldest first."""
        return await self._run(self._history, conversation_id, last)

    def _history(self, conversation_id: str, last: int) -> list[Turn]:
        if last <= 0:
            return []
        table = TurnRow.__table__
        query = (
            select(table).where(table.c.conversation_id == conversation_id).order_by(table.c.idx.desc()).limit(last)
        )
        with self.engine.connect() as conn:
            rows = conn.execute(query).mappings().all()
        return [_turn(r) for r in reversed(rows)]

    async def turns(self, conversation_id: str, offset: int = 0, limit: int = 200) -> list[Turn]:
        return await self._run(self._turns, conversation_id, offset, limit)

    def _turns(self, conversation_id: str, offset: int, limit: int) -> list[Turn]:
        table = TurnRow.__table__
        query = (
            select(table)
            .where(table.c.conversation_id == conversation_id, table.c.idx >= offset)
            .order_by(table.c.idx)
            .limit(limit)
        )
        with self.engine.connect() as conn:
            return [_turn(r) for r in conn.execute(query).mappings().all()]

    # -- writes ----------------------------------------------------------------------------------------------
    async def append_exchange(self, conversation_id: str, exchange: Exchange) -> Appended:
        return await self._run(self._append, conversation_id, exchange)

    def _append(self, conversation_id: str, ex: Exchange) -> Appended:
        now = datetime.now(UTC)
        with self._writer.begin() as conn:
            if ex.served is not None:
                insert_served(conn, ex.served, now)
            user_idx = self._same_user_turn(conn, conversation_id, ex.user_text) if ex.reuse_user else None
            if user_idx is not None:
                return self._append_reply(conn, conversation_id, ex, user_idx, now)
            count = self._advance(conn, conversation_id, 2, ex.persona_id, ex.owner, ex.state, now, keep_state=False)
            common = {"conversation_id": conversation_id, "request_id": ex.request_id, "created_at": now,
                      "error_code": None}
            conn.execute(
                TurnRow.__table__.insert(),
                [
                    {**common, "idx": count, "role": "user", "text": ex.user_text, "rewrite": ex.rewrite,
                     "source": None, "scores": None, "trace": None, "latency_ms": None},
                    {**common, "idx": count + 1, "role": "assistant", "text": ex.reply, "rewrite": None,
                     "source": ex.source, "scores": ex.scores, "trace": ex.trace, "latency_ms": ex.latency_ms},
                ],
            )
            if ex.state is not None:
                conn.execute(
                    StateSnapshotRow.__table__.insert().values(
                        conversation_id=conversation_id, turn_idx=count + 1, state=ex.state, created_at=now
                    )
                )
        return Appended(user_idx=count, assistant_idx=count + 1, created_at=now)

    def _same_user_turn(self, conn: Connection, conversation_id: str, text: str) -> int | None:
        """The index of the conversation's last user turn when it holds `text`, else None."""
        table = TurnRow.__table__
        row = conn.execute(select(table.c.idx, table.c.text).where(
            table.c.conversation_id == conversation_id, table.c.role == "user").order_by(table.c.idx.desc()).limit(1)
        ).first()
        return int(row.idx) if row is not None and row.text == text else None

    def _append_reply(self, conn: Connection, conversation_id: str, ex: Exchange, user_idx: int,
                      now: datetime) -> Appended:
        idx = self._advance(conn, conversation_id, 1, ex.persona_id, ex.owner, ex.state, now, keep_state=False)
        conn.execute(TurnRow.__table__.insert().values(
            conversation_id=conversation_id, idx=idx, role="assistant", text=ex.reply, rewrite=None, source=ex.source,
            scores=ex.scores, trace=ex.trace, latency_ms=ex.latency_ms, request_id=ex.request_id, created_at=now,
            error_code=None))
        if ex.state is not None:
            conn.execute(StateSnapshotRow.__table__.insert().values(
                conversation_id=conversation_id, turn_idx=idx, state=ex.state, created_at=now))
        return Appended(user_idx=user_idx, assistant_idx=idx, created_at=now)

    async def append_failed(self, conversation_id: str, failed: FailedTurn) -> int:
        """Store the user turn of a failed turn; returns its index."""
        return await self._run(self._append_failed, conversation_id, failed)

    def _append_failed(self, conversation_id: str, failed: FailedTurn) -> int:
        now = datetime.now(UTC)
        with self._writer.begin() as conn:
            same = self._same_user_turn(conn, conversation_id, failed.user_text) if failed.reuse_user else None
            if same is not None:
                return same  # the message is stored already; the failed attempt adds nothing
            idx = self._advance(conn, conversation_id, 1, failed.persona_id, failed.owner, failed.state, now,
                                keep_state=failed.state is None)
            conn.execute(
                TurnRow.__table__.insert().values(
                    conversation_id=conversation_id, idx=idx, role="user", text=failed.user_text,
                    rewrite=failed.rewrite, source=None, scores=None, trace=failed.trace,
                    latency_ms=failed.latency_ms, request_id=failed.request_id, created_at=now,
                    error_code=failed.error_code,
                )
            )
            if failed.state is not None:
                conn.execute(
                    StateSnapshotRow.__table__.insert().values(
                        conversation_id=conversation_id, turn_idx=idx, state=failed.state, created_at=now
                    )
                )
        return idx

    def _advance(self, conn: Connection, conversation_id: str, added: int, persona_id: str, owner: str | None,
                 state: dict[str, Any] | None, now: datetime, *, keep_state: bool) -> int:
        """Reserve `added` turn indices (creating the conversation if new); returns the first one."""
        conv = ConversationRow.__table__
        query = select(conv.c.turn_count).where(conv.c.id == conversation_id)
        if self.dialect == "postgresql":
            query = query.with_for_update()
        count = conn.execute(query).scalar()
        if count is None:
            conn.execute(
                conv.insert().values(
                    id=conversation_id, persona_id=persona_id, owner=owner, turn_count=added,
                    state=state, created_at=now, updated_at=now,
                )
            )
            return 0
        values: dict[str, Any] = {"turn_count": count + added, "persona_id": persona_id, "updated_at": now}
        if not keep_state:
            values["state"] = state
        conn.execute(conv.update().where(conv.c.id == conversation_id).values(**values))
        return int(count)

    async def delete(self, conversation_id: str) -> bool:
        return await self._run(self._delete, conversation_id)

    def _delete(self, conversation_id: str) -> bool:
        with self._writer.begin() as conn:
            for table in (StateSnapshotRow.__table__, TurnRow.__table__):
                conn.execute(table.delete().where(table.c.conversation_id == conversation_id))
            conv = ConversationRow.__table__
            return conn.execute(conv.delete().where(conv.c.id == conversation_id)).rowcount > 0

    # -- health ----------------------------------------------------------------------------------------------
    def status(self) -> ComponentStatus:
        try:
            with self.engine.connect() as conn:
                conn.execute(select(func.count()).select_from(ConversationRow.__table__)).scalar()
        except SQLAlchemyError as exc:
            return ComponentStatus("store", False, f"{self.dialect} not usable: {type(exc).__name__}: {exc}"[:500])
        return ComponentStatus("store", True, f"{self.dialect} ({self.engine.url.render_as_string()})")

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
        self.engine.dispose()


def _turn(row: Any) -> Turn:
    return Turn(
        idx=row["idx"], role=row["role"], text=row["text"], rewrite=row["rewrite"], source=row["source"],
        scores=row["scores"], trace=row["trace"], latency_ms=row["latency_ms"], created_at=_utc(row["created_at"]),
        error_code=row["error_code"],
    )


def _utc(moment: datetime) -> datetime:
    # SQLite hands back naive datetimes; everything is written in UTC.
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _lock_key(conversation_id: str) -> int:
    return int.from_bytes(hashlib.blake2b(conversation_id.encode(), digest_size=8).digest(), "big", signed=True)
