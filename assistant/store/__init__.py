"""Conversation store (SQLAlchemy 2.x + Alembic): SQLite file in WAL mode by default, PostgreSQL via DATABASE_URL."""

from assistant.store.engine import make_engine
from assistant.store.locks import LockTimeout
from assistant.store.served import ServedAnswer, ServedLog, served_from_selection
from assistant.store.settings import LOCK_TIMEOUT_S, StoreSettings
from assistant.store.store import (
    Appended,
    Conversation,
    ConversationStore,
    Exchange,
    FailedTurn,
    StoreBusy,
    Turn,
)


def open_store(url: str, settings: StoreSettings | None = None, *, lock_timeout_s: float = LOCK_TIMEOUT_S,
               migrate: bool | None = None) -> ConversationStore:
    """The store at `url` with `settings` (None: the defaults); `migrate` None: `settings.migrate_on_start`."""
    settings = settings if settings is not None else StoreSettings()
    store = ConversationStore(make_engine(url, settings), lock_timeout_s=lock_timeout_s)
    if settings.migrate_on_start if migrate is None else migrate:
        store.migrate()
    return store


__all__ = [
    "Appended", "Conversation", "ConversationStore", "Exchange", "FailedTurn", "LockTimeout", "ServedAnswer",
    "ServedLog", "StoreBusy", "StoreSettings", "Turn", "open_store", "served_from_selection",
]
