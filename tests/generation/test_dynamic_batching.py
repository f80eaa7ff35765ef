"""Dynamic batching on the transformers backend: concurrency is served in shared forward passes, greedy
decoding stays deterministic inside a batch, and a full queue answers busy at once."""

from __future__ import annotations

import asyncio
import time

import pytest

from benchmarks.support.tiny_lm import SCRIPT
from generation import GenerationBusy, GenerationRequest, GenerationTimeout
from generation.transformers_backend import TransformersBackend


def request(text: str, **kw: object) -> GenerationRequest:
    return GenerationRequest(messages=[{"role": "user", "content": text}], temperature=0.0,
                             repetition_penalty=1.0, **kw)  # type: ignore[arg-type]


PROMPTS = [f"{word} 이야기 해 줘" for word in ("여행", "음식", "날씨", "영화")] * 4


async def test_sixteen_concurrent_requests_use_fewer_forward_passes_than_sequential(
        tf_backend: TransformersBackend) -> None:
    before = tf_backend.forward_passes
    for text in PROMPTS:
        await tf_backend.generate(request(text, max_new_tokens=8))
    sequential = tf_backend.forward_passes - before

    before, batches = tf_backend.forward_passes, tf_backend.batcher.batches  # type: ignore[union-attr]
    results = await asyncio.gather(*[tf_backend.generate(request(t, max_new_tokens=8)) for t in PROMPTS])
    concurrent = tf_backend.forward_passes - before
    assert all(r.completion_tokens >= 1 for r in results)
    assert tf_backend.batcher.batches - batches < len(PROMPTS)  # type: ignore[union-attr]
    assert concurrent < sequential / 2


async def test_batched_rows_match_their_unbatched_greedy_output(tf_backend: TransformersBackend) -> None:
    prompts = list(SCRIPT)
    alone = [(await tf_backend.generate(request(p, max_new_tokens=40))).text for p in prompts]
    together = await asyncio.gather(*[tf_backend.generate(request(p, max_new_tokens=40)) for p in prompts])
    assert [r.text for r in together] == alone


async def test_greedy_is_deterministic_across_four_concurrent_identical_requests(
        tf_backend: TransformersBackend) -> None:
    results = await asyncio.gather(*[tf_backend.generate(request("안녕하세요 오늘 뭐 해요?", max_new_tokens=24))
                                     for _ in range(4)])
    assert len({r.text for r in results}) == 1
    assert results[0].text


async def test_each_row_keeps_its_own_max_new_tokens_inside_a_batch(tf_backend: TransformersBackend) -> None:
    short, long = await asyncio.gather(tf_backend.generate(request("여행 이야기 해 줘", max_new_tokens=3)),
                                       tf_backend.generate(request("여행 이야기 해 줘", max_new_tokens=12)))
    assert short.completion_tokens == 3 and short.finish_reason == "length"
    assert long.completion_tokens == 12


async def test_full_queue_answers_busy_without_waiting(tiny_lm_path: object) -> None:
    backend = TransformersBackend(str(tiny_lm_path), device="cpu", max_batch_size=1, batch_wait_ms=0,
                                  max_queue=2)
    backend.load()
    try:
        tasks = [asyncio.create_task(backend.generate(request("여행 이야기 해 줘", max_new_tokens=40)))
                 for _ in range(8)]
        started = time.monotonic()
        outcomes = await asyncio.gather(*tasks, return_exceptions=True)
        busy = [o for o in outcomes if isinstance(o, GenerationBusy)]
        assert busy, "a queue of 2 must refuse some of 8 simultaneous requests"
        assert all(b.retry_after > 0 for b in busy)
        assert len(busy) < 8
        assert time.monotonic() - started < 30
    finally:
        backend.batcher.close()  # type: ignore[union-attr]


async def test_timeout_raises_and_frees_the_row(tf_backend: TransformersBackend) -> None:
    with pytest.raises(GenerationTimeout):
        await tf_backend.generate(request("여행 이야기 해 줘", max_new_tokens=400, timeout_s=0.001))
    done = await tf_backend.generate(request("날씨 알려줘", max_new_tokens=60))
    assert done.text == SCRIPT["날씨 알려줘"]


async def test_closing_a_stream_cancels_its_row(tf_backend: TransformersBackend) -> None:
    before = tf_backend.forward_passes
    stream = tf_backend.stream(GenerationRequest(messages=[{"role": "user", "content": "음식 이야기"}],
                                                 max_new_tokens=400, temperature=1.0, seed=1))
    first = await stream.__anext__()
    await stream.aclose()
    assert first
    await asyncio.sleep(0.3)
    assert tf_backend.forward_passes - before < 400
