"""A skill run hands its input checks and its CPU stages (Kiwi, scikit-learn) to the caller's `offload`, so a
server's event loop stays free while they compute; the answer is the one an inline run gives, and bad input is
refused from the checks, before the skill runs."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from typing import Any

import pytest

from generation.skills import SkillInputError

REVIEWS = [
    {"id": "a1", "text": "배터리가 오래가서 정말 좋아요. 음질도 훌륭해요", "rating": 5},
    {"id": "a2", "text": "음질이 깨끗하고 배터리 만족합니다", "rating": 5},
    {"id": "a3", "text": "블루투스 연결이 자꾸 끊겨서 불편해요 실망", "rating": 1},
    {"id": "a4", "text": "연결 끊김이 심하고 케이스가 별로예요", "rating": 2},
]


class ThreadOffload:
    """Runs each call on a worker thread (like the server's StageWorkers) and records what ran where."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, int]] = []

    async def __call__(self, fn: Callable[..., Any], *args: Any) -> Any:
        def call() -> Any:
            self.calls.append((getattr(fn, "__name__", repr(fn)), threading.get_ident()))
            return fn(*args)

        return await asyncio.to_thread(call)

    def names(self) -> list[str]:
        return [name for name, _ in self.calls]

    def off_the_loop(self) -> bool:
        return all(thread != threading.get_ident() for _, thread in self.calls)


@pytest.mark.parametrize(("skill", "payload", "stages"), [
    ("summarize-reviews", {"item": "무선 이어폰", "reviews": REVIEWS, "rating_max": 5}, ["_checked", "analyse"]),
    ("rewrite-null-query", {"query": "내일 부산 습도가 어느 정도니"}, ["_checked", "rules"]),
])
async def test_checks_and_cpu_stages_run_through_the_offload_with_the_inline_answer(registry, skill, payload, stages):
    offload = ThreadOffload()
    offloaded = await registry.run(skill, payload, speech_level="합쇼체", offload=offload)
    inline = await registry.run(skill, payload, speech_level="합쇼체")
    assert offload.names() == stages and offload.off_the_loop()
    assert offloaded.output == inline.output


@pytest.mark.parametrize(("skill", "payload", "param"), [
    ("rewrite-null-query", {"query": "   "}, "query"),
    ("rewrite-null-query", {"query": "weather tomorrow"}, "query"),
    ("summarize-reviews", {"reviews": [{"text": "great sound", "rating": 5}]}, "reviews"),
])
async def test_bad_input_is_refused_by_the_checks_before_the_skill_runs(registry, skill, payload, param):
    offload = ThreadOffload()
    with pytest.raises(SkillInputError) as refused:
        await registry.run(skill, payload, offload=offload)
    assert refused.value.param == param
    assert offload.names() == ["_checked"]  # no CPU stage (and no generation slot) was asked for
