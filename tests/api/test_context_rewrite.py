"""POST /v1/context/rewrite on the real app: context injection as a service, with its own limits."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from api.app import create_app
from assistant.services import Components, assemble
from assistant.settings import Settings, load_settings
from assistant.store import open_store

MAX_CHARS = 30
HISTORY = [{"role": "user", "text": "내일 서울 날씨 어때?"}, {"role": "assistant", "text": "맑아요."}]


@pytest.fixture
async def context_client(api_settings: Settings, components: Components,
                         database_url: str) -> AsyncIterator[httpx.AsyncClient]:
    settings = load_settings(data_dir=api_settings.data_dir, limits={"max_message_chars": MAX_CHARS},
                             dst={"api_max_history_turns": 3, "api_max_turn_chars": 40})
    store = open_store(database_url, lock_timeout_s=settings.limits.lock_timeout_s)
    services = assemble(settings, store, components)
    transport = httpx.ASGITransport(app=create_app(services=services))
    async with httpx.AsyncClient(transport=transport, base_url="http://test", timeout=60) as client:
        yield client
    store.close()


async def post(client: httpx.AsyncClient, body: dict[str, Any]) -> httpx.Response:
    return await client.post("/v1/context/rewrite", json=body)


async def test_rewrite_returns_standalone_state_and_resolutions(context_client: httpx.AsyncClient) -> None:
    res = await post(context_client, {"history": HISTORY, "utterance": "부산은?"})
    assert res.status_code == 200, res.text
    body = res.json()
    assert body["rewrite"] == "내일 부산 날씨 어때?"
    assert body["resolutions"][0] == {"span": "부산", "antecedent": "서울", "kind": "place",
                                      "rule": "ellipsis.replace-place"}
    assert "일반-장소-부산" in [f"{k}-{v}" for k, v in body["state"]["slots"].items()]


async def test_returned_state_can_be_sent_back_instead_of_history(context_client: httpx.AsyncClient) -> None:
    first = (await post(context_client, {"history": HISTORY, "utterance": "부산은?"})).json()
    res = await post(context_client, {"utterance": "모레는?", "state": first["state"]})
    assert res.json()["rewrite"] == "모레 부산 날씨 어때?"


async def test_utterance_limit_holds_at_n_and_n_plus_1(context_client: httpx.AsyncClient) -> None:
    assert (await post(context_client, {"utterance": "가" * MAX_CHARS})).status_code == 200
    res = await post(context_client, {"utterance": "가" * (MAX_CHARS + 1)})
    assert res.status_code == 422 and res.json()["error"]["param"] == "utterance"


async def test_history_count_and_length_limits_hold_at_n_and_n_plus_1(context_client: httpx.AsyncClient) -> None:
    turn = {"role": "user", "text": "가" * 40}
    assert (await post(context_client, {"history": [turn] * 3, "utterance": "안녕"})).status_code == 200
    res = await post(context_client, {"history": [turn] * 4, "utterance": "안녕"})
    assert res.status_code == 422 and res.json()["error"]["param"] == "history"
    long_turn = {"role": "user", "text": "가" * 41}
    res = await post(context_client, {"history": [long_turn], "utterance": "안녕"})
    assert res.status_code == 422 and res.json()["error"]["param"] == "history[0].text"


@pytest.mark.parametrize("body", [{"utterance": "   "}, {"utterance": "안녕", "state": {"entities": "nope"}}])
async def test_bad_input_is_a_422_error_body(context_client: httpx.AsyncClient, body: dict) -> None:
    res = await post(context_client, body)
    assert res.status_code == 422 and res.json()["error"]["type"] == "invalid_request_error"


@pytest.mark.parametrize(
    "body",
    [{"utterance": "안녕", "extra": 1}, {"history": [{"role": "system", "text": "x"}], "utterance": "안녕"}, {}],
)
async def test_schema_violations_are_refused(context_client: httpx.AsyncClient, body: dict) -> None:
    assert (await post(context_client, body)).status_code == 422
