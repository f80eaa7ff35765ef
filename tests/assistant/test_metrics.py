"""Prometheus series: named as documented, fed from real Generator traces, one registry per Metrics object."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest

from assistant.metrics import STAGES, Metrics
from benchmarks.support.chat_server import ChatServer
from generation import GenerationConfig, GenerationRequest, Generator, build_generator


@pytest.fixture(scope="module")
def server() -> Iterator[ChatServer]:
    server = ChatServer().start()
    yield server
    server.stop()


def _generator(server: ChatServer, model: str) -> Generator:
    return build_generator(GenerationConfig.model_validate({"backend": "openai", "max_regenerations": 1, "openai": {
        "base_url": server.base_url, "model": model, "max_retries": 0}}))


def _exposition(metrics: Metrics) -> str:
    return metrics.render().decode()


def test_every_stage_histogram_is_exported_before_the_first_turn() -> None:
    text = _exposition(Metrics())
    for stage in STAGES:
        assert f'assistant_stage_duration_seconds_count{{stage="{stage}"}} 0.0' in text


def test_stage_observation_feeds_stage_latency() -> None:
    metrics = Metrics()
    metrics.observe_stages({"rewrite": 1.5, "select": 2.0, "generate": 120.0, "store": 3.0})
    metrics.observe_stages({"rewrite": 1.0, "select": 2.0, "store": 3.0})
    sample = metrics.registry.get_sample_value
    assert sample("assistant_stage_duration_seconds_count", {"stage": "rewrite"}) == 2
    assert sample("assistant_stage_duration_seconds_sum", {"stage": "generate"}) == pytest.approx(0.12)


async def test_generation_trace_counts_tokens_and_filter_hits(server: ChatServer) -> None:
    metrics = Metrics()
    generator = _generator(server, "echo-bot")
    completion = await generator.generate(GenerationRequest(
        messages=[{"role": "user", "content": "제 번호 010-2345-6789로 연락 주세요"}], temperature=0.0,
        banned_phrases=["연락 주세요"]))
    metrics.observe_generation("chat", "v1", {"prompt_tokens": completion.prompt_tokens,
                                              "completion_tokens": completion.completion_tokens, **completion.trace})
    sample = metrics.registry.get_sample_value
    assert sample("assistant_generation_tokens_total", {"endpoint": "chat", "version": "v1", "kind": "prompt"}) == 1
    assert sample("assistant_generation_tokens_total",
                  {"endpoint": "chat", "version": "v1", "kind": "completion"}) == completion.completion_tokens > 0
    assert sample("assistant_filter_hits_total", {"stage": "input_pii", "kind": "전화번호"}) == 1
    # The echoed reply holds the banned phrase on every attempt (1 + max_regenerations), then it is refused.
    assert sample("assistant_filter_hits_total", {"stage": "output", "kind": "banned_phrase"}) == 2
    assert completion.finish_reason == "filtered"


async def test_queue_depth_counts_calls_in_flight_and_returns_to_zero(server: ChatServer) -> None:
    metrics = Metrics()
    generator = _generator(server, "slow-0.3")
    request = GenerationRequest(messages=[{"role": "user", "content": "천천히 답해 줘"}], temperature=0.0)

    async def call() -> None:
        with metrics.in_queue("chat", "v2"):
            await generator.generate(request)

    tasks = [asyncio.create_task(call()) for _ in range(3)]
    await asyncio.sleep(0.1)
    depth = {"endpoint": "chat", "version": "v2"}
    assert metrics.registry.get_sample_value("assistant_generation_queue_depth", depth) == 3
    await asyncio.gather(*tasks)
    assert metrics.registry.get_sample_value("assistant_generation_queue_depth", depth) == 0


def test_two_metrics_objects_never_share_series() -> None:
    first, second = Metrics(), Metrics()
    first.selector_decisions.labels("generate").inc()
    assert second.registry.get_sample_value("assistant_selector_decisions_total", {"decision": "generate"}) is None
