"""API keys at the HTTP edge: 401 without a valid key when auth is on, 429 + Retry-After over quota, usage stored,
conversations scoped to their key, and auth off by default only on loopback."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from api.app import create_app
from assistant.keys import AuthSettings, KeyStore, auth_required
from assistant.services import Components
from assistant.settings import Settings, SettingsError
from benchmarks.support.live import services_for, settings_with
from tests.api.conftest import assert_error_body


@pytest.fixture
async def guarded(api_settings: Settings, components: Components,
                  database_url: str) -> AsyncIterator[tuple[httpx.AsyncClient, KeyStore]]:
    settings = settings_with(api_settings, auth=AuthSettings(mode="on"))
    with services_for(settings, components, database_url) as services:
        transport = httpx.ASGITransport(app=create_app(services=services))
        async with httpx.AsyncClient(transport=transport, base_url="http://test", timeout=60) as client:
            yield client, KeyStore(services.store.engine)


def _bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


async def test_no_key_or_a_bad_key_is_401_and_health_stays_open(
        guarded: tuple[httpx.AsyncClient, KeyStore]) -> None:
    client, keys = guarded
    assert assert_error_body(await client.get("/v1/models"), 401)["code"] == "missing_api_key"
    assert_error_body(await client.get("/v1/models", headers=_bearer("ka_00000000_" + "x" * 43)), 401)
    assert_error_body(await client.post("/v1/chat", json={"message": "안녕하세요"}), 401)
    assert (await client.get("/health")).status_code == 200
    _, plain = keys.create("app", requests_per_minute=10, tokens_per_day=1000)
    assert (await client.get("/v1/models", headers=_bearer(plain))).status_code == 200
    assert (await client.get("/v1/models", headers={"X-API-Key": plain})).status_code == 200


async def test_revoked_key_is_401(guarded: tuple[httpx.AsyncClient, KeyStore]) -> None:
    client, keys = guarded
    key, plain = keys.create("app", requests_per_minute=10, tokens_per_day=1000)
    keys.revoke(key.id)
    assert_error_body(await client.get("/v1/models", headers=_bearer(plain)), 401)


async def test_request_quota_admits_n_then_429_with_retry_after(guarded: tuple[httpx.AsyncClient, KeyStore]) -> None:
    client, keys = guarded
    _, plain = keys.create("app", requests_per_minute=3, tokens_per_day=1000)
    remaining = []
    for _ in range(3):
        admitted = await client.get("/v1/models", headers=_bearer(plain))
        assert admitted.status_code == 200 and admitted.headers["x-ratelimit-limit"] == "3"
        remaining.append(int(admitted.headers["x-ratelimit-remaining"]))
        assert admitted.headers["x-ratelimit-limit-tokens"] == "1000"
    assert remaining == [2, 1, 0]  # the N-th request is admitted with nothing left; N+1 is refused
    refused = await client.get("/v1/models", headers=_bearer(plain))
    error = assert_error_body(refused, 429)
    assert error["type"] == "rate_limit_error" and error["code"] == "requests_per_minute"
    assert 1 <= int(refused.headers["retry-after"]) <= 60
    assert refused.headers["x-ratelimit-remaining"] == "0" and 1 <= int(refused.headers["x-ratelimit-reset"]) <= 60
    assert refused.headers["x-ratelimit-reset-requests"].endswith("s")


async def test_daily_token_quota_refuses_once_spent(guarded: tuple[httpx.AsyncClient, KeyStore]) -> None:
    client, keys = guarded
    _, plain = keys.create("app", requests_per_minute=100, tokens_per_day=10)
    admitted = keys.admit(plain, "test")
    keys.record_tokens(admitted.usage_id, 4, 6)
    refused = await client.get("/v1/models", headers=_bearer(plain))
    assert assert_error_body(refused, 429)["code"] == "tokens_per_day" and int(refused.headers["retry-after"]) >= 1


async def test_daily_token_quota_admits_while_one_token_is_left(guarded: tuple[httpx.AsyncClient, KeyStore]) -> None:
    client, keys = guarded
    _, plain = keys.create("app", requests_per_minute=100, tokens_per_day=10)
    admitted = keys.admit(plain, "test")
    keys.record_tokens(admitted.usage_id, 4, 5)  # 9 of 10 spent
    assert (await client.get("/v1/models", headers=_bearer(plain))).status_code == 200


async def test_usage_is_stored_per_request_with_tokens_and_conversation(
        guarded: tuple[httpx.AsyncClient, KeyStore]) -> None:
    client, keys = guarded
    key, plain = keys.create("app", requests_per_minute=100, tokens_per_day=100_000)
    body = {"model": "assistant", "messages": [{"role": "user", "content": "안녕하세요"}], "user": "u1"}
    response = await client.post("/v1/chat/completions", json=body, headers=_bearer(plain))
    assert response.status_code == 200, response.text
    await client.get("/v1/models", headers=_bearer(plain))
    usage = keys.usage(key.id)
    assert usage["requests"] == 2
    reported = response.json()["usage"]
    assert usage["prompt_tokens"] == reported["prompt_tokens"]
    assert usage["completion_tokens"] == reported["completion_tokens"]


async def test_a_key_sees_only_its_own_conversations(guarded: tuple[httpx.AsyncClient, KeyStore]) -> None:
    client, keys = guarded
    _, alice = keys.create("alice", requests_per_minute=100, tokens_per_day=100_000)
    _, bob = keys.create("bob", requests_per_minute=100, tokens_per_day=100_000)
    body = {"model": "assistant", "messages": [{"role": "user", "content": "안녕하세요"}]}
    mine = await client.post("/v1/chat/completions", json=body,
                             headers={**_bearer(alice), "X-Conversation-Id": "alice-chat"})
    assert mine.status_code == 200
    theirs = await client.post("/v1/chat/completions", json=body,
                               headers={**_bearer(bob), "X-Conversation-Id": "alice-chat"})
    assert assert_error_body(theirs, 404)["param"] == "conversation_id"
    again = await client.post("/v1/chat/completions", json=body,
                              headers={**_bearer(alice), "X-Conversation-Id": "alice-chat"})
    assert again.json()["assistant"]["turn_index"] == 3
    # The same `user` under two keys is two conversations, never a collision.
    a = await client.post("/v1/chat/completions", json={**body, "user": "u"}, headers=_bearer(alice))
    b = await client.post("/v1/chat/completions", json={**body, "user": "u"}, headers=_bearer(bob))
    assert a.status_code == b.status_code == 200
    assert a.headers["x-conversation-id"] != b.headers["x-conversation-id"]


def test_auth_is_off_by_default_on_loopback_and_required_elsewhere() -> None:
    auto = AuthSettings()
    assert not auth_required(auto, "127.0.0.1") and not auth_required(auto, "::1")
    assert not auth_required(auto, "localhost")
    assert auth_required(auto, "0.0.0.0") and auth_required(auto, "10.1.2.3")
    assert auth_required(AuthSettings(mode="on"), "127.0.0.1")
    assert not auth_required(AuthSettings(mode="off"), "127.0.0.1")


def test_auth_off_on_a_public_bind_refuses_to_start_unless_allowed(api_settings: Settings) -> None:
    public = settings_with(api_settings, auth=AuthSettings(mode="off"), server={"host": "0.0.0.0"})
    with pytest.raises(SettingsError, match="allow_open_non_loopback"):
        create_app(settings=public)
    allowed = settings_with(api_settings, auth=AuthSettings(mode="off", allow_open_non_loopback=True),
                            server={"host": "0.0.0.0"})
    assert create_app(settings=allowed) is not None


async def test_auto_mode_on_a_public_bind_requires_keys(api_settings: Settings, components: Components,
                                                       database_url: str) -> None:
    settings = settings_with(api_settings, server={"host": "0.0.0.0"})
    with services_for(settings, components, database_url) as services:
        app = create_app(services=services)
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client:
            assert_error_body(await client.get("/v1/models"), 401)
            assert (await client.get("/health")).status_code == 200
