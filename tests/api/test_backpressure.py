"""Backpressure at the HTTP edge: 100 concurrent streaming requests against 4 generation slots and a queue of 16.

The LM is the product's OpenAI-compatible backend on a local server that takes 30 s per reply, so every slot is
still held when the last request arrives: exactly 20 are admitted (4 generating + 16 queued, each answered once a
slot frees), the other 80 are refused with 503, Retry-After and the error body, while the slots are still held.
Admitted clients hang up after the first chunk; that cancels their generation and passes the slot on.
Runs on SQLite only: on PostgreSQL every turn in progress holds a pooled connection for its conversation's advisory
lock, so 100 concurrent turns need a pool of 100 (see benchmarks/RESULTS.md).
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from api.app import create_app
from assistant.admission import AdmissionSettings
from assistant.services import Components
from assistant.settings import Settings
from benchmarks.support.chat_server import ChatServer
from benchmarks.support.live import GENERATE, LiveServer, remote_generator, services_for, settings_with

SLOTS, QUEUE, CLIENTS = 4, 16, 100


@pytest.fixture(scope="module")
def chat_server() -> Iterator[ChatServer]:
    server = ChatServer().start()
    yield server
    server.stop()


async def test_100_streams_against_4_slots_and_16_queued_admit_20_and_refuse_80_with_retry_after(
        api_settings: Settings, components: Components, tmp_path: Path, chat_server: ChatServer) -> None:
    database_url = f"sqlite:///{tmp_path / 'store.db'}"
    settings = settings_with(api_settings, admission=AdmissionSettings(
        max_in_flight=SLOTS, max_queue=QUEUE, queue_timeout_s=120, retry_after_s=2))
    with services_for(settings, components, database_url, remote_generator(chat_server.base_url, "slow-30")) as \
            services, LiveServer(create_app(services=services)) as server:
        admission = services.pipeline.admission
        release = asyncio.Event()
        refusals_done_while_held: list[bool] = []

        async def one(http: httpx.AsyncClient, n: int) -> tuple[int, dict | None, str | None]:
            body = {"model": "assistant", "stream": True,
                    "messages": [{"role": "user", "content": f"{GENERATE[n % 2]} ({n})"}]}
            async with http.stream("POST", "/v1/chat/completions", json=body) as response:
                if response.status_code != 200:
                    await response.aread()
                    refusals_done_while_held.append(not release.is_set())
                    return response.status_code, response.json(), response.headers.get("retry-after")
                lines = response.aiter_lines()  # kept referenced: a collected line iterator closes the stream
                async for line in lines:
                    if line.startswith("data: "):
                        break
                await release.wait()
                return 200, None, None  # leaving the block hangs up mid-generation

        limits = httpx.Limits(max_connections=CLIENTS + 10, max_keepalive_connections=0)
        async with httpx.AsyncClient(base_url=server.url, timeout=120, limits=limits) as http:
            tasks = [asyncio.create_task(one(http, n)) for n in range(CLIENTS)]
            for _ in range(2400):
                if admission.in_flight + admission.queued + admission.refused >= CLIENTS:
                    break
                await asyncio.sleep(0.025)
            assert (admission.in_flight, admission.queued, admission.refused) == (SLOTS, QUEUE, CLIENTS - 20)
            assert (await http.get("/health", timeout=5)).status_code == 200, "liveness answers under load"
            for _ in range(400):  # the refused clients finish reading their 503s, while all 20 are still held
                if sum(t.done() for t in tasks) >= CLIENTS - 20:
                    break
                await asyncio.sleep(0.025)
            assert admission.in_flight == SLOTS and admission.queued == QUEUE
            release.set()
            results = await asyncio.gather(*tasks)

        statuses = sorted(r[0] for r in results)
        assert statuses.count(200) == 20 and statuses.count(503) == 80, statuses
        for status, body, retry_after in results:
            if status == 503:
                assert retry_after == "2" and body is not None
                assert body["error"]["type"] == "overloaded_error" and body["error"]["code"] == "overloaded"
        assert sum(refusals_done_while_held) == 80, "every refusal came while all slots were still held"
        assert admission.peak == 20 and admission.admitted == 20
        for _ in range(400):
            if admission.in_flight == 0:
                break
            await asyncio.sleep(0.025)
        assert admission.in_flight == 0 and admission.queued == 0
