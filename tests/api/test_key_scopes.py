"""Key scopes at the HTTP edge. Routes are enumerated from the app itself (its OpenAPI operations), so a route
added later is covered without touching this file: every /v1 route needs exactly one scope, everything under
/v1/admin and the persona writes need `admin`, a chat key gets 403 `insufficient_scope` there, an admin key gets
through, an admin-only key cannot chat, and with auth off every route stays open."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI

from api.app import create_app
from api.auth import Caller, admin_scope, chat_scope
from assistant.keys import AuthSettings, Forbidden, KeyStore
from assistant.services import Components
from assistant.settings import Settings
from benchmarks.support.live import services_for, settings_with
from tests.api.conftest import assert_error_body

# Speaker platforms authenticate by request signature, not by key.
SIGNATURE_AUTH = {"/v1/speaker/clova", "/v1/speaker/alexa"}
PERSONA_WRITES = {("PUT", "/v1/personas/{persona_id}"), ("DELETE", "/v1/personas/{persona_id}"),
                  ("POST", "/v1/personas/import")}
STUDIO_WRITES = {("PUT", "/v1/studio/personas/{persona_id}"), ("POST", "/v1/studio/personas/{persona_id}/revert"),
                 ("POST", "/v1/studio/checks"), ("POST", "/v1/studio/answers/{set_name}"),
                 ("PUT", "/v1/studio/answers/{set_name}/{record_id}"),
                 ("DELETE", "/v1/studio/answers/{set_name}/{record_id}")}
UNLIMITED = {"requests_per_minute": 10_000, "tokens_per_day": 10**9}


def _operations(app: FastAPI) -> list[tuple[str, str]]:
    """(method, path template) of every keyed /v1 operation the app serves."""
    return sorted((method.upper(), path) for path, item in app.openapi()["paths"].items()
                  if path.startswith("/v1/") and path not in SIGNATURE_AUTH for method in item)


def _admin_operations(app: FastAPI) -> list[tuple[str, str]]:
    return [(m, p) for m, p in _operations(app)
            if p.startswith("/v1/admin") or (m, p) in PERSONA_WRITES or (m, p) in STUDIO_WRITES]


def _concrete(path: str) -> str:
    # Any value reaches the scope check: it runs before path, query and body validation.
    return re.sub(r"\{[^}]+\}", "x", path)


def _bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def _insufficient_scope(response: httpx.Response) -> bool:
    if response.status_code != 403:
        return False
    error = assert_error_body(response, 403)
    return (error["type"], error["code"]) == ("permission_error", "insufficient_scope")


@pytest.fixture
async def guarded(api_settings: Settings, components: Components,
                  database_url: str) -> AsyncIterator[tuple[httpx.AsyncClient, KeyStore, FastAPI]]:
    settings = settings_with(api_settings, auth=AuthSettings(mode="on"))
    with services_for(settings, components, database_url) as services:
        app = create_app(services=services)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test", timeout=60) as client:
            yield client, KeyStore(services.store.engine), app


async def test_every_v1_route_needs_exactly_one_scope(
        guarded: tuple[httpx.AsyncClient, KeyStore, FastAPI]) -> None:
    client, keys, app = guarded
    _, chat = keys.create("frontend", **UNLIMITED)
    _, admin = keys.create("ops-script", scopes=["admin"], **UNLIMITED)
    _, both = keys.create("operator", scopes=["chat", "admin"], **UNLIMITED)
    operations = _operations(app)
    assert len(operations) >= 20 and set(_admin_operations(app)) >= PERSONA_WRITES
    for method, path in operations:
        url = _concrete(path)
        refused = {name for name, key in (("chat", chat), ("admin", admin))
                   if _insufficient_scope(await client.request(method, url, headers=_bearer(key)))}
        expected = {"chat"} if (method, path) in _admin_operations(app) else {"admin"}
        assert refused == expected, f"{method} {path}: refused for {refused}, expected only for {expected}"
        allowed = await client.request(method, url, headers=_bearer(both))
        assert allowed.status_code not in (401, 403), (method, path, allowed.text)


async def test_a_chat_key_gets_403_on_every_admin_route(
        guarded: tuple[httpx.AsyncClient, KeyStore, FastAPI]) -> None:
    client, keys, app = guarded
    _, chat = keys.create("frontend", **UNLIMITED)
    admin_operations = _admin_operations(app)
    assert ("GET", "/v1/admin/routing") in admin_operations and ("POST", "/v1/admin/responses") in admin_operations
    for method, path in admin_operations:
        error = assert_error_body(await client.request(method, _concrete(path), headers=_bearer(chat)), 403)
        assert error["code"] == "insufficient_scope" and "admin" in error["message"], (method, path)


async def test_an_admin_key_manages_responses_and_personas(
        guarded: tuple[httpx.AsyncClient, KeyStore, FastAPI]) -> None:
    client, keys, _ = guarded
    _, admin = keys.create("operator", scopes=["admin"], **UNLIMITED)
    _, chat = keys.create("frontend", **UNLIMITED)
    listing = await client.get("/v1/admin/responses/default", params={"limit": 1}, headers=_bearer(admin))
    assert listing.status_code == 200, listing.text
    friend = (await client.get("/v1/personas/friend", headers=_bearer(chat))).json()["persona"]
    document = friend | {"id": "scope-test", "name": "스코프"}
    assert assert_error_body(await client.put("/v1/personas/scope-test", json=document, headers=_bearer(chat)),
                             403)["code"] == "insufficient_scope"
    put = await client.put("/v1/personas/scope-test", json=document, headers=_bearer(admin))
    assert put.status_code == 200, put.text
    assert (await client.delete("/v1/personas/scope-test", headers=_bearer(admin))).status_code == 204


async def test_an_admin_only_key_cannot_chat_and_a_chat_key_can(
        guarded: tuple[httpx.AsyncClient, KeyStore, FastAPI]) -> None:
    client, keys, _ = guarded
    _, admin_only = keys.create("ops-script", scopes=["admin"], **UNLIMITED)
    _, chat = keys.create("frontend", **UNLIMITED)
    for path in ("/v1/models", "/v1/personas", "/v1/skills"):
        assert assert_error_body(await client.get(path, headers=_bearer(admin_only)), 403)["code"] == \
            "insufficient_scope"
        assert (await client.get(path, headers=_bearer(chat))).status_code == 200, path
    # The pinned-chat path is rewritten to /v1/chat by middleware, so it needs `chat` too.
    pinned = await client.post("/v1/models/default/chat", json={"message": "안녕"}, headers=_bearer(admin_only))
    assert assert_error_body(pinned, 403)["code"] == "insufficient_scope"


async def test_narrowing_a_key_takes_effect_on_its_next_request_and_refusals_are_counted(
        guarded: tuple[httpx.AsyncClient, KeyStore, FastAPI]) -> None:
    client, keys, _ = guarded
    key, plain = keys.create("legacy", scopes=["chat", "admin"], **UNLIMITED)
    assert (await client.get("/v1/admin/responses/default", headers=_bearer(plain))).status_code == 200
    keys.set_scopes(key.id, ["chat"])
    assert_error_body(await client.get("/v1/admin/responses/default", headers=_bearer(plain)), 403)
    assert (await client.get("/v1/models", headers=_bearer(plain))).status_code == 200
    # The refused request was admitted first: it counts against the quota and is in the usage record.
    assert keys.usage(key.id)["requests"] == 3


async def test_a_missing_key_on_an_admin_route_is_still_401(
        guarded: tuple[httpx.AsyncClient, KeyStore, FastAPI]) -> None:
    client, _, _ = guarded
    assert assert_error_body(await client.get("/v1/admin/routing"), 401)["code"] == "missing_api_key"


async def test_with_auth_off_admin_routes_stay_open_without_a_key(
        api_settings: Settings, components: Components, database_url: str) -> None:
    settings = settings_with(api_settings, auth=AuthSettings(mode="auto"))  # loopback host: auth off
    with services_for(settings, components, database_url) as services:
        app = create_app(services=services)
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client:
            for method, path in _operations(app):
                response = await client.request(method, _concrete(path))
                assert response.status_code not in (401, 403), (method, path, response.text)
            assert (await client.get("/v1/admin/responses/default")).status_code == 200


@pytest.mark.parametrize("guard", [chat_scope, admin_scope])
async def test_a_caller_built_without_scopes_has_none_and_every_scope_guard_refuses_it(guard) -> None:
    caller = Caller("key-1", 7)
    assert caller.scopes == frozenset()
    with pytest.raises(Forbidden) as refused:
        await guard(caller)
    assert refused.value.code == "insufficient_scope" and "none" in refused.value.message
