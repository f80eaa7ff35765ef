"""The event loop stays responsive while a turn computes: context injection of a message at the length limit takes
a long time on real components (Kiwi analysis, rules, state tracking), and `/health` must answer meanwhile.

Before the stages ran on worker threads, the loop was blocked for the whole rewrite: no `/health` answer came for as
long as the rewrite took.
"""

from __future__ import annotations

import asyncio
import dataclasses
import itertools
import time
import uuid

import httpx

from api.app import create_app
from assistant.sections.dst import DstSettings
from assistant.services import Components
from assistant.settings import LimitsSettings, Settings
from assistant.wiring.dst import build_dst
from tests.api.apis_support import services_for, settings_with

MESSAGE_CHARS = 60_000
SENTENCE = "토요일 저녁 7시에 강남역 근처에서 친구를 만나기로 했는데 그때 비가 올까요? "


async def test_health_answers_while_a_turn_rewrites_a_message_at_the_length_limit(
        api_settings: Settings, components: Components, database_url: str) -> None:
    settings = settings_with(api_settings, limits=LimitsSettings(max_message_chars=MESSAGE_CHARS),
                             dst=DstSettings(max_rewrite_chars=MESSAGE_CHARS, max_turn_chars=MESSAGE_CHARS))
    dst, _ = build_dst(settings, None)
    # A text of its own: dst caches analyses, and a text seen before (the other store's run) is analysed at once.
    message = (uuid.uuid4().hex + SENTENCE * (MESSAGE_CHARS // len(SENTENCE) + 1))[:MESSAGE_CHARS]
    with services_for(settings, dataclasses.replace(components, dst=dst), database_url) as services:
        transport = httpx.ASGITransport(app=create_app(services=services))
        async with httpx.AsyncClient(transport=transport, base_url="http://test", timeout=120) as client:
            turn = asyncio.create_task(client.post("/v1/chat", json={"conversation_id": "long-1", "message": message}))
            answered = [time.perf_counter()]  # when each /health answer arrived
            while not turn.done():
                assert (await client.get("/health")).status_code == 200
                answered.append(time.perf_counter())
                await asyncio.sleep(0.01)
            response = await turn
            # No LM here: the turn needs generation and fails after its rewrite; the failed turn keeps its timings.
            assert response.status_code == 503, response.text
            [stored] = (await client.get("/v1/conversations/long-1")).json()["turns"]
    rewrite_ms = stored["trace"]["latency_ms"]["rewrite"]
    assert rewrite_ms >= 200, f"the rewrite took {rewrite_ms:.0f} ms: too fast to show anything"
    # The longest stretch without a /health answer: a blocked loop stretches one to the whole rewrite.
    longest_ms = max(b - a for a, b in itertools.pairwise(answered)) * 1000
    assert longest_ms < rewrite_ms / 4, (longest_ms, rewrite_ms, len(answered))
