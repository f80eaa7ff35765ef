"""Migration 0003 (key scopes) on SQLite and, with TEST_DATABASE_URL, PostgreSQL: upgrading a 0002 database keeps
every key and usage row, gives keys that existed before full access (`chat admin`, the documented rule), and leaves
`chat` as the column default; downgrading drops the column and nothing else."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, inspect, text

from assistant.keys import KeyStore
from assistant.store import make_engine
from assistant.store.migrate import alembic_config, current_revision, upgrade

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)


@pytest.fixture
def empty_engine(empty_database: str) -> Iterator[Engine]:
    engine = make_engine(empty_database)
    yield engine
    engine.dispose()


def _old_key(engine: Engine, key_id: str) -> None:
    """A key and one usage row as revision 0002 wrote them (no scopes column yet)."""
    with engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO api_keys (id, name, key_hash, requests_per_minute, tokens_per_day, created_at) "
            "VALUES (:id, :name, :hash, 60, 1000, :now)"), {"id": key_id, "name": f"old {key_id}",
                                                          "hash": key_id * 8, "now": NOW})
        conn.execute(text(
            "INSERT INTO api_usage (key_id, created_at, day, endpoint, prompt_tokens, completion_tokens) "
            "VALUES (:id, :now, '2026-11-21', 'GET /v1/models', 3, 4)"), {"id": key_id, "now": NOW})


def _downgrade(engine: Engine, revision: str) -> None:
    cfg = alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, revision)


def test_upgrade_from_0002_gives_existing_keys_full_access_and_new_keys_chat(empty_engine: Engine) -> None:
    upgrade(empty_engine, "0002")
    _old_key(empty_engine, "0000aaaa")
    _old_key(empty_engine, "0000bbbb")
    upgrade(empty_engine)
    assert current_revision(empty_engine) == ScriptDirectory.from_config(alembic_config()).get_current_head()
    keys = KeyStore(empty_engine)
    assert {k.id: k.scopes for k in keys.list()} == {"0000aaaa": ("chat", "admin"), "0000bbbb": ("chat", "admin")}
    assert keys.usage("0000aaaa", "2026-11-21") == {"requests": 1, "prompt_tokens": 3, "completion_tokens": 4}
    fresh, _ = keys.create("new", requests_per_minute=1, tokens_per_day=1)
    assert fresh.scopes == ("chat",)
    # A writer that leaves the column out gets the least privilege, never admin.
    with empty_engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO api_keys (id, name, key_hash, requests_per_minute, tokens_per_day, created_at) "
            "VALUES ('0000cccc', 'raw', :hash, 1, 1, :now)"), {"hash": "c" * 64, "now": NOW})
        assert conn.execute(text("SELECT scopes FROM api_keys WHERE id = '0000cccc'")).scalar_one() == "chat"


def test_downgrade_to_0002_drops_only_the_scopes_column(empty_engine: Engine) -> None:
    upgrade(empty_engine, "0002")
    _old_key(empty_engine, "0000aaaa")
    upgrade(empty_engine)
    _downgrade(empty_engine, "0002")
    assert current_revision(empty_engine) == "0002"
    assert "scopes" not in {c["name"] for c in inspect(empty_engine).get_columns("api_keys")}
    with empty_engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM api_keys")).scalar_one() == 1
        # On SQLite a table rebuild would have cascaded into the usage rows (foreign keys are on).
        assert conn.execute(text("SELECT count(*) FROM api_usage")).scalar_one() == 1
    upgrade(empty_engine)
    assert KeyStore(empty_engine).list()[0].scopes == ("chat", "admin")
