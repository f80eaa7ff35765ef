"""Continuous batching on the transformers backend: requests join and leave the running batch at every step,
share forward passes whatever their sampling parameters, keep their own limits, stops, seeds, deadlines and
cancellation, and a full queue answers busy at once. No test here measures time; benchmarks do."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest

from benchmarks.support.tiny_lm import SCRIPT
from generation import GenerationBusy, GenerationConfig, GenerationRequest, GenerationTimeout
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

    before = tf_backend.forward_passes
    results = await asyncio.gather(*[tf_backend.generate(request(t, max_new_tokens=8)) for t in PROMPTS])
    concurrent = tf_backend.forward_passes - before
    assert all(r.completion_tokens >= 1 for r in results)
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


async def test_a_short_request_joins_a_running_long_one_and_finishes_first(
        random_backend: TransformersBackend) -> None:
    long_events = random_backend.events(request("여행 이야기 해 줘", max_new_tokens=300))
    first = await anext(long_events)  # the long request is decoding now
    long_task = asyncio.ensure_future(_drain(long_events))
    short = await random_backend.generate(request("날씨 알려줘", max_new_tokens=4))
    assert first.text and short.completion_tokens == 4
    assert not long_task.done(), "the short request waited for the long one instead of joining its batch"
    long_tokens = await long_task
    assert long_tokens == 300


async def _drain(events: object) -> int:
    tokens = 0
    async for event in events:  # type: ignore[attr-defined]
        tokens = event.completion_tokens or tokens
    return tokens


async def test_greedy_and_sampled_requests_with_different_parameters_share_forward_passes(
        random_lm_path: Path) -> None:
    # A 50 ms batch window: with none, a loaded machine may start the first request before the others are queued,
    # and each late one then costs a prefill pass of its own (seen once at 20 passes against 19).
    backend = TransformersBackend(GenerationConfig(model=str(random_lm_path), device="cpu", max_batch_size=16,
                                                   batch_wait_ms=50))
    backend.load()
    mixed = [request("여행 이야기 해 줘", max_new_tokens=16),
             GenerationRequest(messages=[{"role": "user", "content": "음식 이야기"}], max_new_tokens=16,
                               temperature=0.7, top_p=0.9, seed=1),
             GenerationRequest(messages=[{"role": "user", "content": "영화 이야기"}], max_new_tokens=16,
                               temperature=1.3, top_k=20, repetition_penalty=1.3, seed=2),
             GenerationRequest(messages=[{"role": "user", "content": "날씨 이야기"}], max_new_tokens=16,
                               temperature=0.5)]
    try:
        before = backend.forward_passes
        done = await asyncio.gather(*[backend.generate(r) for r in mixed])
        assert [d.completion_tokens for d in done] == [16] * 4
        # One batch: a prefill pass or two, then about one pass per token, not one set of passes per parameter set.
        assert backend.forward_passes - before <= 16 + 3
    finally:
        await backend.aclose()


async def test_a_seeded_sample_is_the_same_alone_and_among_other_requests(
        random_backend: TransformersBackend) -> None:
    seeded = GenerationRequest(messages=[{"role": "user", "content": "음식 이야기"}], max_new_tokens=20,
                               temperature=1.0, seed=1234)
    alone = (await random_backend.generate(seeded)).text
    others = [GenerationRequest(messages=[{"role": "user", "content": f"{i}번째 이야기"}], max_new_tokens=20,
                                temperature=1.0) for i in range(3)]
    together = await asyncio.gather(random_backend.generate(seeded), *[random_backend.generate(r) for r in others])
    assert together[0].text == alone


async def test_a_stop_string_ends_only_its_own_row(tf_backend: TransformersBackend) -> None:
    stopped, full = await asyncio.gather(
        tf_backend.generate(request("날씨 알려줘", max_new_tokens=60, stop=["산책"])),
        tf_backend.generate(request("날씨 알려줘", max_new_tokens=60)))
    assert stopped.text == SCRIPT["날씨 알려줘"].split("산책")[0] and stopped.finish_reason == "stop"
    assert full.text == SCRIPT["날씨 알려줘"]


async def test_a_prompt_read_in_chunks_gives_the_same_reply_as_read_whole(tiny_lm_path: object) -> None:
    chunked = TransformersBackend(GenerationConfig(model=str(tiny_lm_path), device="cpu", batch_wait_ms=0,
                                                   prefill_chunk_tokens=3, prefix_cache_mb=0))
    chunked.load()
    try:
        for prompt, reply in SCRIPT.items():
            assert (await chunked.generate(request(prompt, max_new_tokens=60))).text == reply
    finally:
        chunked.batcher.close()  # type: ignore[union-attr]


async def test_full_queue_answers_busy_without_waiting(tiny_lm_path: object) -> None:
    backend = TransformersBackend(GenerationConfig(model=str(tiny_lm_path), device="cpu", max_batch_size=1,
                                                   batch_wait_ms=0, max_queue=2))
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


async def test_a_deadline_passing_mid_reply_drops_the_row_and_spares_its_batch_mate(
        random_backend: TransformersBackend) -> None:
    async def doomed() -> None:
        await random_backend.generate(request("여행 이야기 해 줘", max_new_tokens=1000, timeout_s=0.5))

    outcome, mate = await asyncio.gather(doomed(), random_backend.generate(request("날씨", max_new_tokens=30)),
                                         return_exceptions=True)
    assert isinstance(outcome, GenerationTimeout)
    assert mate.completion_tokens == 30  # type: ignore[union-attr]
    await asyncio.sleep(0.3)
    assert random_backend.engine.rows == 0  # type: ignore[union-attr]


async def test_closing_a_stream_cancels_its_row(tf_backend: TransformersBackend) -> None:
    before = tf_backend.forward_passes
    stream = tf_backend.stream(GenerationRequest(messages=[{"role": "user", "content": "음식 이야기"}],
                                                 max_new_tokens=400, temperature=1.0, seed=1))
    first = await stream.__anext__()
    await stream.aclose()
    assert first
    await asyncio.sleep(0.3)
    assert tf_backend.forward_passes - before < 400
    assert tf_backend.engine.rows == 0  # type: ignore[union-attr]


async def test_closing_the_batcher_finishes_admitted_requests_then_refuses_new_ones(tiny_lm_path: object) -> None:
    backend = TransformersBackend(GenerationConfig(model=str(tiny_lm_path), device="cpu", batch_wait_ms=0))
    backend.load()
    running = asyncio.ensure_future(backend.generate(request("날씨 알려줘", max_new_tokens=60)))
    await asyncio.sleep(0.05)
    await backend.aclose()
    assert (await running).text == SCRIPT["날씨 알려줘"]
    with pytest.raises(GenerationBusy):
        await backend.generate(request("날씨 알려줘", max_new_tokens=60))
