"""The OpenAI-compatible backend against a real local HTTP server: request mapping, retries with backoff on
503 and connection errors, the circuit breaker, and error mapping."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from benchmarks.support.tiny_lm import SCRIPT
from generation import GenerationBusy, GenerationRequest, GenerationUnavailable, InvalidGenerationRequest
from generation.config import OpenAIBackendConfig
from generation.openai_backend import OpenAIBackend
from tests.support.server_env import free_port


def ask(text: str, **kw: Any) -> GenerationRequest:
    params: dict[str, Any] = {"temperature": 0.0, "max_new_tokens": 60, **kw}
    return GenerationRequest(messages=[{"role": "user", "content": text}], **params)


def test_request_body_maps_decoding_parameters() -> None:
    backend = OpenAIBackend(OpenAIBackendConfig(base_url="http://x/v1"), model="m")
    body = backend.body(GenerationRequest(messages=[{"role": "user", "content": "hi"}], temperature=0.5, top_p=0.8,
                                          top_k=20, stop=["a", "b", "c", "d", "e"], seed=7, max_new_tokens=9))
    assert body["max_tokens"] == 9 and body["temperature"] == 0.5 and body["top_p"] == 0.8
    assert body["stop"] == ["a", "b", "c", "d"] and body["seed"] == 7 and body["top_k"] == 20
    assert body["stream"] is True
    greedy = backend.body(ask("hi"))
    assert greedy["temperature"] == 0.0 and "top_k" not in greedy
    strict_backend = OpenAIBackend(OpenAIBackendConfig(base_url="http://x/v1", send_extra_params=False), model="m")
    strict = strict_backend.body(ask("hi", top_k=5))
    assert "top_k" not in strict and "repetition_penalty" not in strict


async def test_503_answers_are_retried_until_the_server_recovers(openai_server: Any) -> None:
    backend = OpenAIBackend(OpenAIBackendConfig(base_url=openai_server.base_url, max_retries=3, backoff_s=0.01),
                            model="tiny")
    openai_server.fail_next(2, 503)
    done = await backend.generate(ask("날씨 알려줘"))
    assert done.text == SCRIPT["날씨 알려줘"]
    assert backend.attempts == 3
    assert backend.status()[0]


async def test_retries_are_bounded_and_end_in_unavailable(openai_server: Any) -> None:
    backend = OpenAIBackend(OpenAIBackendConfig(base_url=openai_server.base_url, max_retries=1, backoff_s=0.01,
                                                breaker_failures=10), model="tiny")
    openai_server.fail_next(5, 503)
    with pytest.raises(GenerationUnavailable, match="503"):
        await backend.generate(ask("날씨 알려줘"))
    assert backend.attempts == 2
    openai_server.fail_next(0)


async def test_connection_errors_open_the_circuit_and_mark_the_backend_unready() -> None:
    backend = OpenAIBackend(OpenAIBackendConfig(base_url=f"http://127.0.0.1:{free_port()}/v1", max_retries=5,
                                                backoff_s=0.0, breaker_failures=2, breaker_reset_s=60), model="tiny")
    with pytest.raises(GenerationUnavailable, match="ConnectError"):
        await backend.generate(ask("안녕"))
    assert backend.attempts == 2  # the breaker stopped the retries
    ready, detail = backend.status()
    assert not ready and "2 times in a row" in detail
    with pytest.raises(GenerationUnavailable):
        await backend.generate(ask("안녕"))
    assert backend.attempts == 2  # refused without a call


async def test_half_open_circuit_closes_after_a_success(openai_server: Any) -> None:
    backend = OpenAIBackend(OpenAIBackendConfig(base_url=openai_server.base_url, max_retries=0, breaker_failures=1,
                                                breaker_reset_s=0.2), model="tiny")
    openai_server.fail_next(1, 503)
    with pytest.raises(GenerationUnavailable):
        await backend.generate(ask("날씨 알려줘"))
    assert not backend.status()[0]
    await asyncio.sleep(0.25)
    assert backend.breaker.state == "half-open"
    assert (await backend.generate(ask("날씨 알려줘"))).text == SCRIPT["날씨 알려줘"]
    assert backend.breaker.state == "closed"


async def test_429_is_busy_and_422_is_an_invalid_request(openai_server: Any) -> None:
    backend = OpenAIBackend(OpenAIBackendConfig(base_url=openai_server.base_url, max_retries=2, backoff_s=0.01),
                            model="tiny")
    openai_server.fail_next(1, 429)
    with pytest.raises(GenerationBusy):
        await backend.generate(ask("안녕"))
    openai_server.fail_next(1, 422)
    with pytest.raises(InvalidGenerationRequest, match="422"):
        await backend.generate(ask("안녕"))
    assert backend.attempts == 2  # neither is retried


async def test_500_is_the_lm_failing_not_an_invalid_request(openai_server: Any) -> None:
    backend = OpenAIBackend(OpenAIBackendConfig(base_url=openai_server.base_url, max_retries=2, backoff_s=0.01),
                            model="tiny")
    openai_server.fail_next(1, 500)
    with pytest.raises(GenerationUnavailable, match="HTTP 500"):
        await backend.generate(ask("안녕"))
    assert backend.attempts == 1  # not retried: only 502-504 are


async def test_server_receives_the_mapped_request(openai_server: Any, openai_backend: OpenAIBackend) -> None:
    await openai_backend.generate(ask("자기소개 해 줘", stop=["반가"], seed=3))
    body = openai_server.state["bodies"][-1]
    assert body["messages"] == [{"role": "user", "content": "자기소개 해 줘"}]
    assert body["stop"] == ["반가"] and body["seed"] == 3 and body["model"] == "tiny-korean"


async def test_usage_from_the_server_is_reported(openai_backend: OpenAIBackend) -> None:
    done = await openai_backend.generate(ask("날씨 알려줘"))
    assert done.prompt_tokens > 0 and done.completion_tokens > 0
