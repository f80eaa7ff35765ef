"""Streamed turns: the deadline counts our work, not the client's reading, but a client that stops reading is bounded
by the idle limit; a turn that fails after the 200 still tells a new conversation its id, when one was stored."""

from __future__ import annotations

import asyncio
import json
import time
import uuid

import httpx
import pytest
from fastapi import FastAPI
from fastapi.responses import JSONResponse

from api.app import create_app
from assistant.errors import Timeout
from assistant.pipeline import TurnRequest
from assistant.services import Components, Services
from assistant.settings import LimitsSettings, Settings
from benchmarks.support.chat_server import ChatServer
from benchmarks.support.live import GENERATE, LiveServer, remote_generator, services_for, settings_with

DEADLINE_S = 1.0


def _events(text: str) -> list[tuple[str, dict]]:
    out = []
    for block in text.strip().split("\n\n"):
        lines = dict(line.split(": ", 1) for line in block.splitlines())
        out.append((lines["event"], json.loads(lines["data"])))
    return out


async def test_slow_reader_does_not_use_up_the_turn_deadline(
        api_settings: Settings, components: Components, database_url: str) -> None:
    settings = settings_with(api_settings, limits=LimitsSettings(request_timeout_s=DEADLINE_S))
    with services_for(settings, components, database_url) as services:
        seen = []
        async for event in services.pipeline.stream(TurnRequest(message="안녕하세요", conversation_id="slow-reader")):
            seen.append(event["event"])
            await asyncio.sleep(0.6 * DEADLINE_S)  # reading rewrite, selection and delta: 1.8 deadlines in all
        stored = await services.store.history("slow-reader", 10)
    assert seen == ["rewrite", "selection", "delta", "done"]
    assert [t.role for t in stored] == ["user", "assistant"]


async def test_slow_generation_after_the_200_times_out_as_an_error_event(
        api_settings: Settings, components: Components, database_url: str, chat_server: ChatServer) -> None:
    """Our own work still has the deadline; the web server reads events from another task than the request's, and
    the timeout must still end the turn with an error event (not a cut connection) and a stored failed turn."""
    settings = settings_with(api_settings, limits=LimitsSettings(request_timeout_s=DEADLINE_S))
    with services_for(settings, components, database_url, remote_generator(chat_server.base_url, "slow-5")) as \
            services:
        async with _client(services) as client:
            response = await client.post("/v1/chat", json={"message": GENERATE[0], "stream": True})
            assert response.status_code == 200, response.text
            cid = response.headers["x-conversation-id"]
            turns = (await client.get(f"/v1/conversations/{cid}")).json()["turns"]
    events = _events(response.text)
    assert [name for name, _ in events] == ["rewrite", "selection", "error"]
    assert events[-1][1]["error"]["code"] == "turn_timeout" and events[-1][1]["conversation_id"] == cid
    assert [(t["role"], t["error_code"]) for t in turns] == [("user", "turn_timeout")]


async def test_failure_after_the_200_names_the_new_conversation(
        api_settings: Settings, components: Components, database_url: str, chat_server: ChatServer) -> None:
    with services_for(api_settings, components, database_url, remote_generator(chat_server.base_url, "fail")) as \
            services:
        async with _client(services) as client:
            response = await client.post("/v1/chat", json={"message": GENERATE[0], "stream": True},
                                         headers={"X-Fallback": "off"})
            assert response.status_code == 200, response.text
            cid = response.headers["x-conversation-id"]
            events = _events(response.text)
            turns = (await client.get(f"/v1/conversations/{cid}")).json()["turns"]
    assert [name for name, _ in events] == ["rewrite", "selection", "error"]
    error = events[-1][1]
    assert error["conversation_id"] == cid
    assert set(error["error"]) == {"message", "type", "param", "code"}
    assert [(t["role"], t["failed"]) for t in turns] == [("user", True)]
    assert turns[0]["error_code"] == error["error"]["code"]


async def test_streamed_turn_keeps_the_conversation_id_it_was_given(
        client: httpx.AsyncClient) -> None:
    response = await client.post("/v1/chat", json={"conversation_id": "given-1", "message": "안녕하세요",
                                                   "stream": True})
    assert response.status_code == 200 and response.headers["x-conversation-id"] == "given-1"
    done = dict(_events(response.text))["done"]
    assert done["conversation_id"] == "given-1"


def _client(services: Services) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=create_app(services=services)),
                             base_url="http://test", timeout=60)


IDLE_S = 0.5


async def test_a_reader_that_stops_reading_gives_back_lock_and_slot_after_the_idle_limit(
        api_settings: Settings, components: Components, database_url: str, chat_server: ChatServer) -> None:
    settings = settings_with(api_settings, limits=LimitsSettings(stream_idle_timeout_s=IDLE_S, lock_timeout_s=10))
    with services_for(settings, components, database_url, remote_generator(chat_server.base_url, "echo-응답")) as \
            services:
        events = services.pipeline.stream(TurnRequest(message=GENERATE[0], conversation_id="stalled"))
        assert (await anext(events))["event"] == "rewrite"  # then the client keeps the connection but stops reading
        started = time.monotonic()
        # The next turn of the same conversation waits for the lock: it gets it once the idle limit ends the turn.
        later = await services.pipeline.run(TurnRequest(message=GENERATE[1], conversation_id="stalled"))
        waited = time.monotonic() - started
        in_flight = services.pipeline.admission.in_flight
        with pytest.raises(Timeout) as caught:
            async for _ in events:  # the reader comes back: what was handed over, then the error
                pass
        stored = await services.store.history("stalled", 10)
    assert caught.value.code == "slow_reader" and caught.value.status_code == 504
    assert later.source == "generate" and IDLE_S <= waited < IDLE_S + 5
    assert in_flight == 0
    assert [(t.role, t.error_code) for t in stored] == [("user", "slow_reader"), ("user", None), ("assistant", None)]


async def test_a_reader_taking_each_event_within_the_idle_limit_gets_the_whole_turn(
        api_settings: Settings, components: Components, database_url: str, chat_server: ChatServer) -> None:
    settings = settings_with(api_settings, limits=LimitsSettings(stream_idle_timeout_s=IDLE_S))
    with services_for(settings, components, database_url, remote_generator(chat_server.base_url, "echo-응답")) as \
            services:
        seen = []
        async for event in services.pipeline.stream(TurnRequest(message=GENERATE[0], conversation_id="steady")):
            seen.append(event["event"])
            await asyncio.sleep(0.5 * IDLE_S)
        stored = await services.store.history("steady", 10)
    assert seen[:2] == ["rewrite", "selection"] and seen[-1] == "done" and "delta" in seen
    assert [(t.role, t.error_code) for t in stored] == [("user", None), ("assistant", None)]


async def test_client_error_after_the_200_names_no_conversation_that_was_never_stored(
        api_settings: Settings, components: Components, database_url: str) -> None:
    with LiveServer(_rejecting_lm()) as lm, \
            services_for(api_settings, components, database_url, remote_generator(lm.url + "/v1", "any")) as services:
        async with _client(services) as client:
            fresh = await client.post("/v1/chat", json={"message": GENERATE[0], "stream": True})
            given = await client.post("/v1/chat", json={"message": GENERATE[0], "stream": True,
                                                        "conversation_id": "named-by-client"})
            cid = fresh.headers["x-conversation-id"]
            lookup = await client.get(f"/v1/conversations/{cid}")
    assert fresh.status_code == 200 and given.status_code == 200
    fresh_error, given_error = _events(fresh.text)[-1], _events(given.text)[-1]
    assert fresh_error[0] == "error" and fresh_error[1]["error"]["code"] == "invalid_generation_request"
    assert "conversation_id" not in fresh_error[1] and lookup.status_code == 404
    assert given_error[0] == "error" and given_error[1]["conversation_id"] == "named-by-client"


def _rejecting_lm() -> FastAPI:
    """An OpenAI-compatible server that refuses every request as malformed (HTTP 400)."""
    app = FastAPI()

    @app.post("/v1/chat/completions")
    async def complete() -> JSONResponse:
        return JSONResponse({"error": {"message": "bad request", "type": "invalid_request_error"}}, status_code=400)

    return app


async def test_openai_stream_failure_names_the_conversation_in_its_error_chunk(
        api_settings: Settings, components: Components, database_url: str, chat_server: ChatServer) -> None:
    with services_for(api_settings, components, database_url, remote_generator(chat_server.base_url, "fail")) as \
            services:
        async with _client(services) as client:
            # a client-held conversation's id derives from its messages and `user`: a user of its own keeps this
            # conversation apart from any other test's with the same first message in the session's PostgreSQL schema
            response = await client.post("/v1/chat/completions", headers={"X-Fallback": "off"}, json={
                "model": "assistant", "stream": True, "user": f"stream-failure-{uuid.uuid4().hex}",
                "messages": [{"role": "user", "content": GENERATE[0]}]})
            assert response.status_code == 200, response.text
            cid = response.headers["x-conversation-id"]
            chunks = [json.loads(line[6:]) for line in response.text.splitlines()
                      if line.startswith("data: ") and line != "data: [DONE]"]
            turns = (await client.get(f"/v1/conversations/{cid}")).json()["turns"]
    error = next(c for c in chunks if "error" in c)
    assert error["conversation_id"] == cid and set(error["error"]) == {"message", "type", "param", "code"}
    assert [(t["role"], t["failed"]) for t in turns] == [("user", True)]
