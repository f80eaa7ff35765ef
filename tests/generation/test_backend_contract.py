"""One contract, every backend that runs on this machine: transformers (tiny model), the OpenAI-compatible
remote backend (local HTTP server) and the DeepSpeed-MII adapter (MII's client over MII's gRPC protocol)."""

from __future__ import annotations

import pytest

from benchmarks.support.tiny_lm import SCRIPT
from generation import GenerationRequest, LMBackend

BACKENDS = ["transformers", "openai", "mii"]


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> LMBackend:
    return request.getfixturevalue({"transformers": "tf_backend", "openai": "openai_backend",
                                    "mii": "mii_backend"}[request.param])


def greedy(text: str, **kw: object) -> GenerationRequest:
    return GenerationRequest(messages=[{"role": "user", "content": text}], temperature=0.0, **kw)  # type: ignore[arg-type]


async def test_backend_reports_ready_and_counts_tokens(backend: LMBackend) -> None:
    ready, detail = backend.status()
    assert ready, detail
    assert backend.count_tokens("안녕하세요 반가워요") > 0
    assert backend.context_window >= 256


async def test_greedy_generation_returns_the_models_reply_with_counts(backend: LMBackend) -> None:
    done = await backend.generate(greedy("날씨 알려줘", max_new_tokens=60))
    assert done.text == SCRIPT["날씨 알려줘"]
    assert done.finish_reason == "stop"
    assert done.completion_tokens > 0 and done.prompt_tokens > 0
    assert done.latency_ms > 0


async def test_stream_deltas_concatenate_to_the_generated_text(backend: LMBackend) -> None:
    request = greedy("자기소개 해 줘", max_new_tokens=60)
    deltas = [d async for d in backend.stream(request)]
    assert len(deltas) > 1
    assert "".join(deltas) == (await backend.generate(request)).text


async def test_max_new_tokens_cuts_with_finish_reason_length(backend: LMBackend) -> None:
    done = await backend.generate(greedy("여행 이야기 해 줘", max_new_tokens=4))
    assert done.finish_reason == "length"
    assert done.completion_tokens <= 4
    assert SCRIPT["여행 이야기 해 줘"].startswith(done.text) and len(done.text) < len(SCRIPT["여행 이야기 해 줘"])


async def test_stop_sequence_ends_the_reply_before_it(backend: LMBackend) -> None:
    done = await backend.generate(greedy("날씨 알려줘", max_new_tokens=60, stop=["산책"]))
    assert done.text == SCRIPT["날씨 알려줘"].split("산책")[0]
    assert "산책" not in done.text
    assert done.finish_reason == "stop"


async def test_any_of_several_stop_sequences_ends_the_reply(backend: LMBackend) -> None:
    done = await backend.generate(greedy("자기소개 해 줘", max_new_tokens=60, stop=["반가", "민지"]))
    assert done.text == SCRIPT["자기소개 해 줘"].split("민지")[0]
