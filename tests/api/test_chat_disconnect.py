"""/v1/chat against a real uvicorn server: a client that hangs up cancels its turn, so the generation slot frees at
once, whether the turn was streamed or not (the same policy as the OpenAI surface, `api.vocabulary`)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator

import httpx
import pytest

from api.app import create_app
from assistant.admission import Admission, AdmissionSettings
from assistant.services import Components
from assistant.settings import Settings
from benchmarks.support.chat_server import ChatServer
from benchmarks.support.live import GENERATE, LiveServer, remote_generator, services_for, settings_with


@pytest.fixture(scope="module")
def chat_server() -> Iterator[ChatServer]:
    server = ChatServer().start()
    yield server
    server.stop()


async def _until(admission: Admission, in_flight: int) -> int:
    for _ in range(400):
        if admission.in_flight == in_flight:
            break
        await asyncio.sleep(0.025)
    return admission.in_flight


@pytest.mark.parametrize("stream", [False, True], ids=["blocking", "streamed"])
async def test_a_chat_client_that_disconnects_cancels_its_turn_and_frees_the_slot(
        api_settings: Settings, components: Components, database_url: str, chat_server: ChatServer,
        stream: bool) -> None:
    settings = settings_with(api_settings, admission=AdmissionSettings(max_in_flight=1, max_queue=0))
    with services_for(settings, components, database_url, remote_generator(chat_server.base_url, "slow-30")) as \
            services, LiveServer(create_app(services=services)) as server:
        admission = services.pipeline.admission
        body = {"message": GENERATE[0], "stream": stream}
        async with httpx.AsyncClient(base_url=server.url, timeout=30) as http:
            hung_up = asyncio.ensure_future(http.post("/v1/chat", json=body))
            assert await _until(admission, 1) == 1, "the 30 s generation holds the only slot"
            hung_up.cancel()  # the client goes away mid-turn
            with contextlib.suppress(asyncio.CancelledError):
                await hung_up
            assert await _until(admission, 0) == 0
            async with http.stream("POST", "/v1/chat", json={**body, "stream": True}) as again:
                assert again.status_code == 200, "the freed slot admits the next generation"
