"""Graceful shutdown of turns (`assistant.shutdown`), through the real app and the OpenAI-compatible backend.

Once the drain begins, a new turn is refused with 503 `shutting_down` and `Retry-After` and stores nothing; a turn
that finishes within the grace period is answered as usual; a turn still running after it is cancelled: a streamed
one ends with an `error` event (`shutting_down`), a blocking one gets the error body, and both have their user
message stored as a failed turn. (`tests/reliability/test_battery.py` sends the real SIGTERM to a server process.)
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest

from api.app import create_app
from assistant.services import Components, Services
from assistant.settings import Settings
from benchmarks.support.live import GENERATE, LiveServer, remote_generator, services_for
from tests.api.conftest import assert_error_body
from tests.support.scripted_lm import build_app


@pytest.fixture(scope="module")
def scripted_lm() -> Iterator[LiveServer]:
    with LiveServer(build_app()) as server:
        yield server


@pytest.fixture
async def long_lm(api_settings: Settings, components: Components, database_url: str,
                  scripted_lm: LiveServer) -> AsyncIterator[tuple[httpx.AsyncClient, Services]]:
    """The app whose LM streams one token every 0.1 s for 10 s (model `drip-100`)."""
    generator = remote_generator(f"{scripted_lm.url}/v1", "drip-100")
    with services_for(api_settings, components, database_url, generator) as services:
        transport = httpx.ASGITransport(app=create_app(services=services))
        async with httpx.AsyncClient(transport=transport, base_url="http://test", timeout=60) as client:
            yield client, services


async def started(services: Services, request: Any) -> asyncio.Task[httpx.Response]:
    task = asyncio.ensure_future(request)
    for _ in range(600):
        if services.pipeline.drain.in_flight:
            await asyncio.sleep(0.3)  # a few tokens in
            return task
        await asyncio.sleep(0.01)
    raise AssertionError("the turn never started")


async def failed_turns(client: httpx.AsyncClient, cid: str) -> list[dict[str, Any]]:
    turns = (await client.get(f"/v1/conversations/{cid}")).json()["turns"]
    return [t for t in turns if t["failed"]]


async def test_a_streamed_turn_past_the_grace_ends_with_a_shutting_down_event_and_is_stored_failed(
        long_lm: tuple[httpx.AsyncClient, Services]) -> None:
    client, services = long_lm
    body = {"message": GENERATE[0], "stream": True, "conversation_id": "drain-stream"}
    turn = await started(services, client.post("/v1/chat", json=body))
    assert await services.pipeline.drain.drain(grace_s=0.2) == 1
    response = await turn
    assert response.status_code == 200
    events = [line for line in response.text.split("\n\n") if line]
    assert events[0].startswith("event: rewrite") and events[-1].startswith("event: error")
    error = json.loads(events[-1].split("data: ", 1)[1])
    assert error["error"]["code"] == "shutting_down" and error["conversation_id"] == "drain-stream"
    [failed] = await failed_turns(client, "drain-stream")
    assert failed["text"] == GENERATE[0] and failed["error_code"] == "shutting_down"


async def test_a_blocking_turn_past_the_grace_gets_503_shutting_down_and_is_stored_failed(
        long_lm: tuple[httpx.AsyncClient, Services]) -> None:
    client, services = long_lm
    turn = await started(services, client.post("/v1/chat", json={"message": GENERATE[1],
                                                                  "conversation_id": "drain-block"}))
    await services.pipeline.drain.drain(grace_s=0.1)
    response = await turn
    error = assert_error_body(response, 503)
    assert error["code"] == "shutting_down" and response.headers["x-conversation-id"] == "drain-block"
    assert response.headers["x-request-id"]
    assert [t["error_code"] for t in await failed_turns(client, "drain-block")] == ["shutting_down"]


async def test_an_openai_stream_past_the_grace_ends_with_an_error_chunk_then_done(
        long_lm: tuple[httpx.AsyncClient, Services]) -> None:
    client, services = long_lm
    body = {"model": "assistant", "stream": True, "messages": [{"role": "user", "content": GENERATE[0]}]}
    turn = await started(services, client.post("/v1/chat/completions", json=body,
                                               headers={"X-Conversation-Id": "drain-oai"}))
    await services.pipeline.drain.drain(grace_s=0.1)
    chunks = [c.removeprefix("data: ") for c in (await turn).text.split("\n\n") if c]
    assert chunks[-1] == "[DONE]" and json.loads(chunks[-2])["error"]["code"] == "shutting_down"
    assert len(await failed_turns(client, "drain-oai")) == 1


async def test_once_draining_a_new_turn_is_refused_with_retry_after_and_stores_nothing(
        long_lm: tuple[httpx.AsyncClient, Services]) -> None:
    client, services = long_lm
    assert await services.pipeline.drain.drain(grace_s=1.0) == 0  # nothing in flight: returns at once
    for body in ({"message": "안녕하세요", "conversation_id": "late"},
                 {"message": "안녕하세요", "conversation_id": "late", "stream": True}):
        response = await client.post("/v1/chat", json=body)
        error = assert_error_body(response, 503)
        assert error["code"] == "shutting_down" and response.headers["retry-after"] == "1"
    assert (await client.get("/v1/conversations/late")).status_code == 404


async def test_a_turn_that_ends_within_the_grace_is_answered(api_settings: Settings, components: Components,
                                                             database_url: str, scripted_lm: LiveServer) -> None:
    generator = remote_generator(f"{scripted_lm.url}/v1", "drip-5")  # 0.5 s
    with services_for(api_settings, components, database_url, generator) as services:
        transport = httpx.ASGITransport(app=create_app(services=services))
        async with httpx.AsyncClient(transport=transport, base_url="http://test", timeout=60) as client:
            turn = await started(services, client.post("/v1/chat", json={"message": GENERATE[0]}))
            assert await services.pipeline.drain.drain(grace_s=10) == 0
            response = await turn
            assert response.status_code == 200 and "토큰4" in response.json()["reply"]
