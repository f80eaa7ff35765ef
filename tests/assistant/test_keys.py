"""The key store on SQLite and PostgreSQL: hashed keys, scopes, revocation, per-minute and daily-token quotas at N and
N+1."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import inspect, select

from assistant.keys import KeyStore, QuotaExceeded, Unauthorized, hash_key
from assistant.keys.errors import KeyNotFound
from assistant.keys.models import ApiKeyRow
from assistant.store import open_store
from assistant.store.migrate import current_revision

NOON = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)


@pytest.fixture
def keys(database_url: str) -> Iterator[KeyStore]:
    store = open_store(database_url)
    yield KeyStore(store.engine)
    store.close()


def test_migration_0002_creates_the_key_tables(keys: KeyStore) -> None:
    assert current_revision(keys.engine) is not None
    assert {"api_keys", "api_usage"} <= set(inspect(keys.engine).get_table_names())


def test_only_the_hash_of_a_key_is_stored(keys: KeyStore) -> None:
    key, plain = keys.create("frontend", requests_per_minute=5, tokens_per_day=100)
    with keys.engine.connect() as conn:
        table = ApiKeyRow.__table__
        stored = conn.execute(select(table).where(table.c.id == key.id)).mappings().one()
    assert plain.startswith(f"ka_{key.id}_") and plain not in str(dict(stored))
    assert stored["key_hash"] == hash_key(plain)
    assert keys.admit(plain, "GET /v1/models", NOON).key_id == key.id


def test_unknown_malformed_and_revoked_keys_are_unauthorized(keys: KeyStore) -> None:
    key, plain = keys.create("app", requests_per_minute=5, tokens_per_day=100)
    with pytest.raises(Unauthorized):
        keys.admit("sk-not-a-key", "x", NOON)
    with pytest.raises(Unauthorized):
        keys.admit(plain[:-1] + ("A" if plain[-1] != "A" else "B"), "x", NOON)
    assert keys.revoke(key.id).revoked_at is not None
    with pytest.raises(Unauthorized):
        keys.admit(plain, "x", NOON)
    with pytest.raises(KeyNotFound):
        keys.revoke("00000000")


def test_request_quota_admits_n_per_minute_and_refuses_the_next_with_the_wait(keys: KeyStore) -> None:
    _, plain = keys.create("app", requests_per_minute=3, tokens_per_day=10_000)
    for second in range(3):
        keys.admit(plain, "x", NOON + timedelta(seconds=second * 10))
    with pytest.raises(QuotaExceeded) as refused:
        keys.admit(plain, "x", NOON + timedelta(seconds=30))
    assert refused.value.status_code == 429 and refused.value.retry_after == pytest.approx(30, abs=0.01)
    # The first request leaves the window 60 s after it came: one more is admitted, then refused again.
    keys.admit(plain, "x", NOON + timedelta(seconds=60.5))
    with pytest.raises(QuotaExceeded):
        keys.admit(plain, "x", NOON + timedelta(seconds=61))


def test_daily_token_quota_admits_below_n_refuses_at_n_until_midnight(keys: KeyStore) -> None:
    key, plain = keys.create("app", requests_per_minute=100, tokens_per_day=50)
    first = keys.admit(plain, "x", NOON)
    keys.record_tokens(first.usage_id, 20, 29, "c1")
    keys.admit(plain, "x", NOON + timedelta(seconds=1))  # 49 used: still under 50
    second = keys.admit(plain, "x", NOON + timedelta(seconds=2))
    keys.record_tokens(second.usage_id, 0, 1)  # 50 used
    with pytest.raises(QuotaExceeded) as refused:
        keys.admit(plain, "x", NOON + timedelta(seconds=3))
    assert refused.value.code == "tokens_per_day"
    assert refused.value.retry_after == pytest.approx(12 * 3600 - 3, abs=1)
    keys.admit(plain, "x", NOON + timedelta(hours=12))  # a new UTC day
    usage = keys.usage(key.id, "2026-11-21")
    assert usage == {"requests": 3, "prompt_tokens": 20, "completion_tokens": 30}


def test_keys_are_listed_without_secrets_in_creation_order(keys: KeyStore) -> None:
    a, _ = keys.create("a", requests_per_minute=1, tokens_per_day=1)
    b, _ = keys.create("b", requests_per_minute=2, tokens_per_day=2)
    assert [k.id for k in keys.list() if k.id in (a.id, b.id)] == [a.id, b.id]  # PostgreSQL: shared schema
    assert not hasattr(keys.list()[0], "key_hash")


@pytest.mark.parametrize("rpm, tokens", [(0, 10), (10, 0)])
def test_quotas_must_be_positive(keys: KeyStore, rpm: int, tokens: int) -> None:
    with pytest.raises(ValueError):
        keys.create("x", requests_per_minute=rpm, tokens_per_day=tokens)


def test_a_new_key_has_chat_scope_only_unless_asked(keys: KeyStore) -> None:
    plain_key, plain = keys.create("frontend", requests_per_minute=5, tokens_per_day=100)
    assert plain_key.scopes == ("chat",) and keys.admit(plain, "test").scopes == ("chat",)
    # Canonical order and no duplicates, whatever the caller passed.
    operator, secret = keys.create("ops", requests_per_minute=5, tokens_per_day=100,
                                   scopes=["admin", "chat", "admin"])
    assert operator.scopes == ("chat", "admin") and keys.admit(secret, "test").scopes == ("chat", "admin")
    assert {k.id: k.scopes for k in keys.list()}[operator.id] == ("chat", "admin")


@pytest.mark.parametrize("scopes", [[], ["root"], ["chat", "everything"]])
def test_unknown_or_no_scopes_are_refused(keys: KeyStore, scopes: list[str]) -> None:
    with pytest.raises(ValueError, match="scope"):
        keys.create("x", requests_per_minute=1, tokens_per_day=1, scopes=scopes)
    key, _ = keys.create("y", requests_per_minute=1, tokens_per_day=1)
    with pytest.raises(ValueError, match="scope"):
        keys.set_scopes(key.id, scopes)


def test_set_scopes_replaces_them_for_the_next_request(keys: KeyStore) -> None:
    key, plain = keys.create("legacy", requests_per_minute=5, tokens_per_day=100, scopes=["chat", "admin"])
    assert keys.set_scopes(key.id, ["chat"]).scopes == ("chat",)
    assert keys.admit(plain, "test").scopes == ("chat",)
    with pytest.raises(KeyNotFound):
        keys.set_scopes("ffffffff", ["chat"])
