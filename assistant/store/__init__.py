"""Conversation store (SQLAlchemy 2.x + Alembic): SQLite file in WAL mode by default, PostgreSQL via DATABASE_URL."""

from assistant.store.engine import make_engine
from assistant.store.locks import LockTimeout
from assistant.store.served import ServedAnswer, ServedLog, served_from_selection
from assistant.store.store import (
    Appended,
    Conversation,
    ConversationStore,
    Exchange,
    FailedTurn,
    StoreBusy,
    Turn,
)


def open_store(url: str, *, pool_size: int = 10, sqlite_busy_timeout_s: float = 30.0,
               lock_timeout_s: float = 30.0, migrate: bool = True) -> ConversationStore:
    engine = make_engine(url, pool_size=pool_size, sqlite_busy_timeout_s=sqlite_busy_timeout_s)
    store = ConversationStore(engine, lock_timeout_s=lock_timeout_s)
    if migrate:
        store.migrate()
    return store


__all__ = [
    "Appended", "Conversation", "ConversationStore", "Exchange", "FailedTurn", "LockTimeout", "ServedAnswer",
    "ServedLog", "StoreBusy", "Turn", "open_store", "served_from_selection",
]
