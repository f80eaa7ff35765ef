"""Skills run on threads of their own (`limits.skill_workers`): a long review summary in progress does not hold the
threads that turns' stages need. Before, skills shared the turns' threads, so a few review requests stalled every
turn (each holding its conversation's lock) until the analyses ended."""

from __future__ import annotations

import asyncio
import time

import httpx

from api.app import create_app
from assistant.services import Components
from assistant.settings import LimitsSettings, Settings
from benchmarks.support.live import services_for, settings_with
from tests.api.test_loop_responsive import korean_reviews


async def test_a_turn_completes_promptly_while_a_skill_analyses_thousands_of_reviews(
        api_settings: Settings, components: Components, database_url: str) -> None:
    settings = settings_with(api_settings, limits=LimitsSettings(turn_workers=1, skill_workers=1))
    body = {"input": {"item": "한산: 용의 출현", "reviews": korean_reviews(4_000, seed=11)}}
    with services_for(settings, components, database_url) as services:
        transport = httpx.ASGITransport(app=create_app(services=services))
        async with httpx.AsyncClient(transport=transport, base_url="http://test", timeout=120) as client:
            skill = asyncio.create_task(client.post("/v1/skills/summarize-reviews", json=body))
            await asyncio.sleep(0.3)  # the skill's checks and analysis are under way on its one thread
            assert not skill.done()
            started = time.perf_counter()
            turn = await client.post("/v1/chat", json={"message": "안녕하세요"})
            turn_ms = (time.perf_counter() - started) * 1000
            turn_done_first = not skill.done()
            response = await skill
    assert turn.status_code == 200 and turn.json()["source"] == "retrieve", turn.text
    assert response.status_code == 200, response.text
    analysis_ms = response.json()["trace"]["timings_ms"]["extractive"]
    assert analysis_ms >= 500, f"the analysis took {analysis_ms:.0f} ms: too fast to show anything"
    # On shared threads the turn waited for the whole analysis; on its own it is done while the skill still runs.
    assert turn_done_first and turn_ms < analysis_ms / 2, (turn_ms, analysis_ms)
