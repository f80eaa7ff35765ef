"""Shadow traffic against real HTTP endpoints: a failing or slow shadow never changes the live reply or its latency.

The live and shadow versions are real `Generator`s over the product's OpenAI-compatible backend, talking over a
socket to a local OpenAI-compatible server (benchmarks/support/chat_server.py) that echoes, sleeps or fails.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant.metrics import Metrics
from assistant.routing import ModelRouter, RoutingSettings, ShadowRunner, ShadowSettings, build_router
from benchmarks.support.chat_server import ChatServer
from generation import GenerationConfig, GenerationRequest, build_generator

SLOW_S = 1.5


@pytest.fixture(scope="module")
def server() -> Iterator[ChatServer]:
    server = ChatServer().start()
    yield server
    server.stop()


def _version(server: ChatServer, model: str) -> dict:
    return {"backend": "openai", "openai": {"base_url": server.base_url, "model": model, "max_retries": 0,
                                            "breaker_failures": 1000}}


@pytest.fixture(scope="module")
def router(server: ChatServer) -> ModelRouter:
    settings = RoutingSettings.model_validate({"default_endpoint": "chat", "endpoints": {"chat": {"versions": {
        "live": _version(server, "echo-live"), "fail": _version(server, "fail"),
        "slow": _version(server, f"slow-{SLOW_S}")}}}})
    section = build_generator(GenerationConfig.model_validate(_version(server, "echo-section")))
    return build_router(settings, section)


def _request(text: str) -> GenerationRequest:
    return GenerationRequest(messages=[{"role": "user", "content": text}], max_new_tokens=32, temperature=0.0)


async def _live_turn(router: ModelRouter, shadow: ShadowRunner, conversation: str, text: str) -> tuple[str, int]:
    """What the pipeline does for the LM part of a turn: route, generate, then hand the shadow its copy.

    Returns the reply and how many shadow comparisons were recorded when the turn returned.
    """
    route = router.route(conversation, version="live")
    request = _request(text)
    completion = await route.generator.generate(request)
    shadow.launch(route, request, live_reply=completion.text, live_ms=completion.latency_ms,
                  conversation_id=conversation)
    return completion.text, len(shadow.recent("chat"))


@pytest.mark.parametrize(("candidate", "deadline_s"), [("fail", 10.0), ("slow", 0.5)])
async def test_failing_or_slow_shadow_changes_neither_reply_nor_latency(
    router: ModelRouter, server: ChatServer, candidate: str, deadline_s: float, tmp_path: Path
) -> None:
    metrics = Metrics()
    shadow = ShadowRunner(ShadowSettings(timeout_s=deadline_s), tmp_path, metrics)
    chat = router.get("chat")
    messages = [f"오늘 {i}번째 질문이에요" for i in range(4)]

    chat.set_shadow(None)
    baseline = [await _live_turn(router, shadow, f"c{i}", m) for i, m in enumerate(messages)]
    chat.set_shadow(candidate)
    shadowed = [await _live_turn(router, shadow, f"c{i}", m) for i, m in enumerate(messages)]
    chat.set_shadow(None)

    assert [r for r, _ in shadowed] == [r for r, _ in baseline] == [f"live: {m}" for m in messages]
    # Latency is checked without a clock (a loaded machine stalls any turn now and then): every turn returned
    # before its own shadow call had an outcome, so no turn waited for its shadow, failing or slow.
    assert all(recorded <= i for i, (_, recorded) in enumerate(shadowed))
    await shadow.drain(timeout_s=15)
    outcomes = [r["outcome"] for r in shadow.recent("chat")]
    assert outcomes == ["error" if candidate == "fail" else "timeout"] * len(messages)
    assert metrics.registry.get_sample_value(
        "assistant_shadow_requests_total",
        {"endpoint": "chat", "version": candidate, "outcome": outcomes[0]}) == len(messages)


async def test_shadow_reply_is_stored_next_to_the_live_one_and_never_returned(
    router: ModelRouter, server: ChatServer, tmp_path: Path
) -> None:
    shadow = ShadowRunner(ShadowSettings(timeout_s=5), tmp_path)
    chat = router.get("chat")
    chat.set_shadow("slow")
    try:
        reply, _ = await _live_turn(router, shadow, "kept", "부산 날씨 어때?")
    finally:
        chat.set_shadow(None)
    assert reply == "live: 부산 날씨 어때?"
    await shadow.drain(timeout_s=10)
    [record] = shadow.recent("chat")
    assert record["live_reply"] == reply and record["shadow_reply"] == "slow: 부산 날씨 어때?"
    assert (record["live_version"], record["shadow_version"], record["outcome"]) == ("live", "slow", "ok")
    assert record["shadow_ms"] >= SLOW_S * 1000 * 0.9
    [line] = (tmp_path / "chat.jsonl").read_text(encoding="utf-8").splitlines()
    assert json.loads(line)["shadow_reply"] == record["shadow_reply"]


async def test_shadow_calls_beyond_max_concurrent_are_dropped_not_queued(
    router: ModelRouter, server: ChatServer, tmp_path: Path
) -> None:
    limit = 2
    metrics = Metrics()
    shadow = ShadowRunner(ShadowSettings(timeout_s=0.3, max_concurrent=limit, write_jsonl=False), None, metrics)
    chat = router.get("chat")
    chat.set_shadow("slow")
    try:
        route = router.route("c", version="live")
    finally:
        chat.set_shadow(None)
    started = [shadow.launch(route, _request("질문"), live_reply="r", live_ms=1.0, conversation_id=f"c{i}")
               for i in range(limit + 1)]
    assert started == [True] * limit + [False]
    assert shadow.in_flight == limit
    await shadow.drain(timeout_s=5)
    assert shadow.in_flight == 0
    sample = metrics.registry.get_sample_value
    assert sample("assistant_shadow_requests_total", {"endpoint": "chat", "version": "slow",
                                                      "outcome": "dropped"}) == 1
    assert sample("assistant_shadow_requests_total", {"endpoint": "chat", "version": "slow",
                                                      "outcome": "timeout"}) == limit


async def test_route_without_shadow_launches_nothing(router: ModelRouter, tmp_path: Path) -> None:
    shadow = ShadowRunner(ShadowSettings(), tmp_path)
    route = router.route("c", version="live")
    assert route.shadow is None
    assert shadow.launch(route, _request("질문"), live_reply="r", live_ms=1.0, conversation_id="c") is False
    assert shadow.in_flight == 0 and not (tmp_path / "chat.jsonl").exists()
