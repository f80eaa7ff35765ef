"""The official `openai` client against a real uvicorn server: a Korean chat with a bundled persona, streamed and
not; the stream's concatenated deltas equal the stored reply; a full gate refuses a plain request with 503 and
Retry-After; a client that disconnects frees its generation slot."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import httpx
import openai
import pytest

from api.app import create_app
from assistant.admission import AdmissionSettings
from assistant.services import Components, Services
from assistant.settings import Settings
from benchmarks.support.chat_server import ChatServer
from benchmarks.support.live import GENERATE, LiveServer, remote_generator, services_for, settings_with


@pytest.fixture(scope="module")
def chat_server() -> Iterator[ChatServer]:
    server = ChatServer().start()
    yield server
    server.stop()


@pytest.fixture
def live(api_settings: Settings, components: Components, database_url: str,
         chat_server: ChatServer) -> Iterator[tuple[str, Services]]:
    settings = settings_with(api_settings, admission=AdmissionSettings(max_in_flight=2, max_queue=2))
    generator = remote_generator(chat_server.base_url, "echo-답")
    with services_for(settings, components, database_url, generator) as services, \
            LiveServer(create_app(services=services)) as server:
        yield server.url, services


async def _stored_reply(services: Services, conversation_id: str) -> str:
    turns = await services.store.turns(conversation_id)
    return turns[-1].text


@pytest.mark.parametrize("message", ["안녕하세요", GENERATE[0]], ids=["retrieved", "generated"])
async def test_openai_client_chats_in_korean_streamed_and_not(live: tuple[str, Services], message: str) -> None:
    url, services = live
    client = openai.AsyncOpenAI(base_url=f"{url}/v1", api_key="unused-on-loopback", max_retries=0)
    models = await client.models.list()
    assert "assistant" in [m.id for m in models.data]

    raw = await client.chat.completions.with_raw_response.create(
        model="assistant", messages=[{"role": "user", "content": message}], user="client-test")
    completion = raw.parse()
    reply = completion.choices[0].message.content
    assert reply and reply == await _stored_reply(services, raw.headers["x-conversation-id"])
    assert completion.usage is not None and completion.usage.total_tokens >= 0

    stream = await client.chat.completions.create(
        model="assistant", messages=[{"role": "user", "content": message}], stream=True,
        stream_options={"include_usage": True}, user="client-test-stream")
    deltas, roles, finish = [], [], None
    async for chunk in stream:
        for choice in chunk.choices:
            roles.append(choice.delta.role)
            deltas.append(choice.delta.content or "")
            finish = choice.finish_reason or finish
    assert roles[0] == "assistant" and finish == "stop"
    cid = stream.response.headers["x-conversation-id"]
    assert "".join(deltas) == await _stored_reply(services, cid)


async def test_client_disconnect_cancels_the_generation_and_frees_its_slot(
        api_settings: Settings, components: Components, database_url: str, chat_server: ChatServer) -> None:
    settings = settings_with(api_settings, admission=AdmissionSettings(max_in_flight=1, max_queue=0))
    with services_for(settings, components, database_url, remote_generator(chat_server.base_url, "slow-30")) as \
            services, LiveServer(create_app(services=services)) as server:
        admission = services.pipeline.admission
        body = {"model": "assistant", "messages": [{"role": "user", "content": GENERATE[0]}], "stream": True}
        async with httpx.AsyncClient(base_url=server.url, timeout=30) as http:
            async with http.stream("POST", "/v1/chat/completions", json=body) as response:
                assert response.status_code == 200
                lines = response.aiter_lines()  # kept referenced: a collected line iterator closes the stream
                async for line in lines:
                    if line.startswith("data: "):
                        break  # the role chunk: the slot is held, the 30 s generation has begun
                assert admission.in_flight == 1
                # Other messages: the same ones are the same client-held conversation, which waits for its lock.
                other = {**body, "stream": False, "messages": [{"role": "user", "content": GENERATE[1]}]}
                busy = await http.post("/v1/chat/completions", json=other)
                assert busy.status_code == 503 and busy.headers["retry-after"] == "1", busy.text
                assert busy.json()["error"]["type"] == "overloaded_error"
            for _ in range(200):  # the stream is closed: the server notices and cancels
                if admission.in_flight == 0:
                    break
                await asyncio.sleep(0.025)
            assert admission.in_flight == 0
            async with http.stream("POST", "/v1/chat/completions", json=body) as again:
                assert again.status_code == 200, "the freed slot admits the next generation"
