"""The event loop stays responsive while a request computes, and `/health` answers meanwhile:
- a turn: context injection of a message at the length limit takes a long time on real components (Kiwi analysis,
  rules, state tracking);
- a skill: summarising thousands of reviews (Kiwi keyphrases, TF-IDF, k-means) takes seconds.
Before these ran on worker threads, the loop was blocked for the whole computation: no `/health` answer came for as
long as it took.
"""

from __future__ import annotations

import asyncio
import dataclasses
import gc
import itertools
import random
import time
import uuid
from collections.abc import Iterator

import httpx
import pytest

from api.app import create_app
from assistant.sections.dst import DstSettings
from assistant.services import Components
from assistant.settings import LimitsSettings, Settings
from assistant.wiring.dst import build_dst
from benchmarks.support.live import services_for, settings_with

MESSAGE_CHARS = 16_000  # long enough that the rewrite takes seconds (about 30 s at 60,000 on 2 cores)
REVIEWS = 4_000
# No stored answer fits it (the bundled set has one for rain, which the e5 selector would retrieve), so the turn needs
# the LM, which is not loaded: the 503 comes after the whole rewrite and selection.
SENTENCE = "토요일 저녁 7시에 강남역 근처에서 친구를 만나기로 했는데 그때 거기 주차장이 넓은지 알려 줄래요? "


@pytest.fixture(autouse=True)
def frozen_heap() -> Iterator[None]:
    """A full garbage collection stops every thread for ~0.5 s over this session's heap (models and indexes of every
    earlier test); that is not the loop waiting on the work under test, so the old heap is left out of collections."""
    gc.collect()
    gc.freeze()
    yield
    gc.unfreeze()


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
            turn = asyncio.create_task(client.post("/v1/chat", json={"conversation_id": "long-1", "message": message},
                                                   headers={"X-Fallback": "off"}))
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


# Sentences of real reviews' kinds: each generated review joins two of one polarity and one of any.
PRAISE = ["배우들의 연기가 정말 훌륭해서 끝까지 몰입했어요", "음악이 장면마다 잘 어울리고 감동적이었어요",
          "영상미가 뛰어나서 극장에서 보길 잘했다는 생각이 들었어요", "가족과 함께 보기 좋은 따뜻한 이야기였어요",
          "주인공의 성장 과정이 설득력 있게 그려졌어요", "액션 장면의 연출이 시원하고 박진감이 넘쳤어요"]
COMPLAINTS = ["스토리가 너무 뻔하고 지루해서 중간에 졸았어요", "결말이 허무하고 개연성이 부족했어요",
              "상영 시간이 길어서 후반부가 늘어졌어요", "대사가 어색하고 유치해서 집중이 안 됐어요",
              "광고에 비해 내용이 빈약해서 실망했어요", "편집이 산만해서 인물 관계를 따라가기 어려웠어요"]
SO_SO = ["그럭저럭 볼 만했지만 다시 볼 것 같지는 않아요", "기대했던 것보다는 평범한 수준이었어요",
         "조연들의 분량이 조금 아쉬웠어요", "특별히 좋지도 나쁘지도 않은 영화였어요"]


def korean_reviews(count: int, seed: int = 7) -> list[dict]:
    rng = random.Random(seed)
    kinds = [(PRAISE, (8, 10)), (PRAISE, (8, 10)), (COMPLAINTS, (1, 4)), (SO_SO, (5, 7))]
    reviews = []
    for i in range(count):
        pool, (low, high) = rng.choice(kinds)
        text = " ".join(rng.sample(pool, 2)) + ". " + rng.choice(PRAISE + COMPLAINTS + SO_SO) + "."
        reviews.append({"id": f"r{i}", "text": text, "rating": rng.randint(low, high)})
    return reviews


async def test_health_answers_while_a_skill_summarises_thousands_of_reviews(services) -> None:
    body = {"input": {"item": "한산: 용의 출현", "reviews": korean_reviews(REVIEWS)}}
    transport = httpx.ASGITransport(app=create_app(services=services))
    async with httpx.AsyncClient(transport=transport, base_url="http://test", timeout=120) as client:
        run = asyncio.create_task(client.post("/v1/skills/summarize-reviews", json=body))
        answered = [time.perf_counter()]
        while not run.done():
            assert (await client.get("/health")).status_code == 200
            answered.append(time.perf_counter())
            await asyncio.sleep(0.01)
        response = await run
    assert response.status_code == 200, response.text
    trace = response.json()["trace"]
    assert trace["used"] == REVIEWS and response.json()["output"]["pros"]
    analysis_ms = trace["timings_ms"]["extractive"]
    assert analysis_ms >= 500, f"the analysis took {analysis_ms:.0f} ms: too fast to show anything"
    longest_ms = max(b - a for a, b in itertools.pairwise(answered)) * 1000
    assert longest_ms < analysis_ms / 4, (longest_ms, analysis_ms, len(answered))
