"""Prompt-prefix KV reuse: a recurring prefix is stored once and reused, a one-off prompt is not stored, and memory
stays within the budget, least recently used first."""

from __future__ import annotations

import torch

from generation.prefix_cache import PrefixCache, common_prefix


def fake_kv(tokens: int, layers: int = 2) -> list[tuple[torch.Tensor, torch.Tensor]]:
    return [(torch.full((1, 2, tokens, 4), float(i)), torch.full((1, 2, tokens, 4), -float(i)))
            for i in range(layers)]


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
