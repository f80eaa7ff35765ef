"""Failed turns are never lost: the user message of a turn that fails with a server error is stored, marked failed,
its context carries over to the next turn, and the client still gets the same error body."""

from __future__ import annotations

import httpx
import pytest

from api.app import create_app
from assistant.services import Components, Services
from assistant.settings import LimitsSettings, Settings
from benchmarks.support.chat_server import ChatServer
from benchmarks.support.live import GENERATE, remote_generator, services_for, settings_with
from tests.api.conftest import assert_error_body

WEATHER = "토요일 저녁 7시 강남역 날씨 알려줘"
FOLLOW_UP = "그때 비 와?"

STRICT = {"X-Fallback": "off"}  # these tests are about the failure itself: no fallback reply


async def _conversation(client: httpx.AsyncClient, cid: str) -> dict:
    response = await client.get(f"/v1/conversations/{cid}")
    assert response.status_code == 200, response.text
    return response.json()


@pytest.mark.parametrize("stream", [False, True], ids=["json", "sse"])
async def test_turn_without_a_model_is_503_and_its_message_is_stored_as_failed(
        client: httpx.AsyncClient, stream: bool) -> None:
    response = await client.post("/v1/chat", headers=STRICT, json={"message": GENERATE[0], "stream": stream})
    error = assert_error_body(response, 503)
    assert error["code"] == "generation_unavailable"
    cid = response.headers["x-conversation-id"]  # a new conversation: the client learns its id from the header
    conversation = await _conversation(client, cid)
    assert conversation["turn_count"] == 1
    [turn] = conversation["turns"]
    assert turn["role"] == "user" and turn["text"] == GENERATE[0] and turn["rewrite"]
    assert turn["failed"] is True and turn["error_code"] == "generation_unavailable"
    assert turn["trace"]["error"]["status"] == 503


async def test_context_of_a_failed_turn_carries_over_to_the_next_turn(client: httpx.AsyncClient) -> None:
    cid = "failed-context-1"
    first = await client.post("/v1/chat", headers=STRICT, json={"conversation_id": cid, "message": WEATHER})
    assert_error_body(first, 503)
    second = await client.post("/v1/chat", headers=STRICT,
                                           json={"conversation_id": cid, "message": FOLLOW_UP})
    # No model is loaded and a weather question is not in the response set: it fails too, and is stored as well.
    assert assert_error_body(second, 503)["code"] == "generation_unavailable"
    turns = (await _conversation(client, cid))["turns"]
    assert [t["text"] for t in turns if t["role"] == "user"] == [WEATHER, FOLLOW_UP]
    assert [t["index"] for t in turns] == list(range(len(turns)))
    assert "토요일 저녁 7시" in turns[1]["rewrite"], turns[1]["rewrite"]


async def test_failed_turn_stays_out_of_the_lm_prompt_but_its_context_reaches_it(
        api_settings: Settings, components: Components, database_url: str, chat_server: ChatServer) -> None:
    cid = "failed-then-answered"
    with services_for(api_settings, components, database_url, remote_generator(chat_server.base_url, "fail")) as \
            services:
        async with _client(services) as client:
            failed = await client.post("/v1/chat", headers=STRICT, json={"conversation_id": cid, "message": WEATHER})
            assert assert_error_body(failed, 503)["code"] == "generation_unavailable"
    with services_for(api_settings, components, database_url, remote_generator(chat_server.base_url, "echo-답")) as \
            services:
        async with _client(services) as client:
            answered = await client.post("/v1/chat", headers=STRICT,
                                           json={"conversation_id": cid, "message": FOLLOW_UP})
            assert answered.status_code == 200, answered.text
            turns = (await _conversation(client, cid))["turns"]
    assert [(t["role"], t["failed"]) for t in turns] == [("user", True), ("user", False), ("assistant", False)]
    prompt = chat_server.bodies[-1]["messages"]
    assert all(m["content"] != WEATHER for m in prompt)  # no reply: not replayed as a dangling user message
    assert prompt[-1]["role"] == "user" and "토요일 저녁 7시" in prompt[-1]["content"]


async def test_timed_out_turn_is_504_and_stored_as_failed(
        api_settings: Settings, components: Components, database_url: str, chat_server: ChatServer) -> None:
    settings = settings_with(api_settings, limits=LimitsSettings(request_timeout_s=1.0))
    with services_for(settings, components, database_url, remote_generator(chat_server.base_url, "slow-5")) as \
            services:
        async with _client(services) as client:
            response = await client.post("/v1/chat", headers=STRICT,
                                         json={"conversation_id": "slow-1", "message": GENERATE[1]})
            assert assert_error_body(response, 504)["code"] in ("turn_timeout", "generation_timeout")
            assert response.headers["x-conversation-id"] == "slow-1"
            [turn] = (await _conversation(client, "slow-1"))["turns"]
    assert turn["failed"] and turn["error_code"] in ("turn_timeout", "generation_timeout")


async def test_client_errors_store_nothing(client: httpx.AsyncClient) -> None:
    response = await client.post("/v1/chat", headers=STRICT,
                                 json={"conversation_id": "bad-persona", "persona": "nobody", "message": WEATHER})
    assert_error_body(response, 404)
    assert "x-conversation-id" not in response.headers
    assert (await client.get("/v1/conversations/bad-persona")).status_code == 404


def _client(services: Services) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=create_app(services=services)),
                             base_url="http://test", timeout=60)
