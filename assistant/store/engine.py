"""Engine creation: SQLite in WAL mode with writer transactions that lock up front, or PostgreSQL via psycopg 3."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url

from assistant.store.settings import StoreSettings

WRITE_OPTION = "assistant_write"


def writer(engine: Engine) -> Engine:
    """The same engine (same pool), marked so that its SQLite transactions begin IMMEDIATE."""
    return engine.execution_options(**{WRITE_OPTION: True})


def make_engine(url: str, settings: StoreSettings | None = None) -> Engine:
    """An engine for `url`, pooled and (SQLite) waiting as `settings` say (None: the defaults)."""
    settings = settings if settings is not None else StoreSettings()
    pool_size, sqlite_busy_timeout_s = settings.pool_size, settings.sqlite_busy_timeout_s
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url,
            connect_args={"timeout": sqlite_busy_timeout_s, "check_same_thread": False},
            pool_size=pool_size,
            max_overflow=pool_size,
        )
        _configure_sqlite(engine, sqlite_busy_timeout_s)
        return engine
    # Each turn in flight holds one connection for its conversation lock (PostgreSQL advisory lock) and briefly a
    # second for reads and the write; a pool that stays exhausted for pool_timeout becomes a 503, not a hang.
    return create_engine(url, pool_size=pool_size, max_overflow=2 * pool_size, pool_timeout=10, pool_pre_ping=True)


def _configure_sqlite(engine: Engine, busy_timeout_s: float) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the driver, decide when transactions begin (see the "begin" hook below).
        dbapi_conn.isolation_level = None
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        # FULL: an acknowledged turn survives power loss too, not only a killed process.
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_s * 1000)}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        # Writers take the write lock at BEGIN (IMMEDIATE), so two writers never deadlock upgrading a read
        # lock; readers begin DEFERRED and, in WAL mode, never wait for a writer.
        immediate = conn.get_execution_options().get(WRITE_OPTION, False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")
