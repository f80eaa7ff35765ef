"""Prompt-prefix KV reuse: a recurring prefix is stored once and reused, replies are the same with and without it,
a changed persona prompt never reuses the old prefix, and memory stays within the budget, least recently used
first."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
import torch

from generation import GenerationConfig, GenerationRequest
from generation.prefix_cache import PrefixCache, common_prefix
from generation.transformers_backend import TransformersBackend

SYSTEM = ("당신은 '민지'입니다. 아래 설정대로 사용자와 대화하세요. 민지는 부산에 사는 대학생으로 여행과 음식을 "
          "좋아하고, 친구에게 말하듯 다정하게 이야기합니다. 모르는 것은 모른다고 말합니다.")


def turn(user: str, system: str = SYSTEM, max_new_tokens: int = 12) -> GenerationRequest:
    return GenerationRequest(messages=[{"role": "system", "content": system}, {"role": "user", "content": user}],
                             max_new_tokens=max_new_tokens, temperature=0.0)


def fake_kv(tokens: int, layers: int = 2) -> list[tuple[torch.Tensor, torch.Tensor]]:
    return [(torch.full((1, 2, tokens, 4), float(i)), torch.full((1, 2, tokens, 4), -float(i)))
            for i in range(layers)]


@pytest.fixture
def backends(tiny_lm_path: Path) -> object:
    cached = TransformersBackend(GenerationConfig(model=str(tiny_lm_path), device="cpu", batch_wait_ms=0,
                                                  prefix_cache_min_tokens=8))
    plain = TransformersBackend(GenerationConfig(model=str(tiny_lm_path), device="cpu", batch_wait_ms=0,
                                                 prefix_cache_mb=0))
    cached.load()
    plain.load()
    yield cached, plain
    cached.batcher.close()  # type: ignore[union-attr]
    plain.batcher.close()  # type: ignore[union-attr]


def test_common_prefix_is_the_length_of_the_shared_start() -> None:
    assert common_prefix((1, 2, 3, 4), (1, 2, 9)) == 2
    assert common_prefix((1, 2), (1, 2, 3)) == 2
    assert common_prefix((5,), (6,)) == 0
    assert common_prefix(tuple(range(1000)), (*range(999), 0)) == 999


def test_a_one_off_prompt_is_not_stored_and_a_recurring_prefix_is() -> None:
    cache = PrefixCache(max_bytes=10**6, min_tokens=4)
    first = [*range(100, 120), 1, 2, 3]
    assert cache.offer(first, fake_kv) == 0 and len(cache) == 0
    second = [*range(100, 120), 7, 8]
    assert cache.offer(second, fake_kv) == 20 and len(cache) == 1
    kv, n = cache.lookup([*range(100, 120), 4, 4, 4])
    assert n == 20 and kv.get_seq_length() == 20


def test_a_lookup_never_covers_the_last_prompt_token() -> None:
    cache = PrefixCache(max_bytes=10**6, min_tokens=4)
    ids = list(range(30))
    cache.offer([*ids, 1], fake_kv)
    cache.offer([*ids, 2], fake_kv)
    _, n = cache.lookup(ids)
    assert n == len(ids) - 1


def test_memory_stays_within_the_budget_and_the_least_recently_used_prefix_goes_first() -> None:
    per_entry = sum(k.numel() * 4 + v.numel() * 4 for k, v in fake_kv(10))
    cache = PrefixCache(max_bytes=2 * per_entry, min_tokens=4)
    prefixes = [list(range(start, start + 10)) for start in (100, 200, 300)]
    for prefix in prefixes[:2]:
        cache.offer([*prefix, 1], fake_kv)
        cache.offer([*prefix, 2], fake_kv)
    assert len(cache) == 2
    assert cache.lookup(prefixes[0] + [5])[1] == 10  # refreshes the first prefix
    cache.offer(prefixes[2] + [1], fake_kv)
    cache.offer(prefixes[2] + [2], fake_kv)
    assert cache.nbytes <= 2 * per_entry and cache.stats.evicted == 1
    assert cache.lookup(prefixes[1] + [5])[1] == 0  # the least recently used one went
    assert cache.lookup(prefixes[0] + [5])[1] == 10 and cache.lookup(prefixes[2] + [5])[1] == 10


def test_a_prefix_larger_than_the_budget_is_not_stored() -> None:
    cache = PrefixCache(max_bytes=100, min_tokens=4)
    cache.offer([*range(50), 1], fake_kv)
    assert cache.offer([*range(50), 2], fake_kv) == 0 and cache.nbytes == 0


async def test_a_personas_later_turns_reuse_its_prompt_prefix_and_reply_the_same(backends: object) -> None:
    cached, plain = backends  # type: ignore[misc]
    users = ["기분 어때?", "날씨 알려줘", "자기소개 해 줘", "여행 이야기 해 줘"]
    with_cache = [(await cached.generate(turn(u))).text for u in users]
    without = [(await plain.generate(turn(u))).text for u in users]
    assert with_cache == without
    stats = cached.prefix_cache.stats
    prefix = len(cached.encode_prompt([{"role": "system", "content": SYSTEM}]))
    assert stats.stored >= 1 and stats.hits >= 2
    assert stats.reused_tokens >= 2 * (prefix - 2)
    assert plain.prefix_cache.stats.hits == 0


async def test_concurrent_turns_of_one_persona_reply_the_same_with_a_cached_prefix(backends: object) -> None:
    cached, plain = backends  # type: ignore[misc]
    await cached.generate(turn("안녕"))
    await cached.generate(turn("반가워"))  # the persona prefix is stored now
    users = ["기분 어때?", "날씨 알려줘", "자기소개 해 줘"]
    together = await asyncio.gather(*[cached.generate(turn(u)) for u in users])
    assert cached.prefix_cache.stats.hits >= 3
    assert [d.text for d in together] == [(await plain.generate(turn(u))).text for u in users]


async def test_a_changed_persona_prompt_does_not_reuse_the_old_prefix(backends: object) -> None:
    cached, plain = backends  # type: ignore[misc]
    await cached.generate(turn("안녕"))
    await cached.generate(turn("반가워"))
    edited = SYSTEM.replace("부산", "서울")
    head = cached.render_prompt([{"role": "system", "content": SYSTEM}]).split("부산")[0]
    changed_at = cached.count_tokens(head)  # the tokens before the edit (the last one may merge across it)
    before = cached.prefix_cache.stats.reused_tokens
    done = await cached.generate(turn("날씨 알려줘", system=edited))
    reused = cached.prefix_cache.stats.reused_tokens - before
    assert 0 < reused <= changed_at
    assert done.text == (await plain.generate(turn("날씨 알려줘", system=edited))).text
