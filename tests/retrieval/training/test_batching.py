"""Batch plans: no repeated group or text within a batch, fixed by the seed."""

from __future__ import annotations

import random

import pytest

from retrieval.training.batching import group_batches, plan
from retrieval.training.pairs import Pair, ScoredPair


def _pairs(groups: int, per_group: int) -> list[Pair]:
    return [Pair(f"질문 {g}-{i}", f"다른 말 {g}-{i}", "toy", f"g{g}") for g in range(groups) for i in range(per_group)]


def test_batches_never_hold_two_pairs_of_one_group() -> None:
    batches = group_batches(_pairs(10, 5), 6, random.Random(0))
    for batch in batches:
        assert len({p.group for p in batch}) == len(batch)
    assert sum(len(b) for b in batches) == 50


def test_batches_never_hold_the_same_text_twice() -> None:
    pairs = [Pair("같은 질문", f"답 {i}", "toy", f"g{i}") for i in range(4)] + _pairs(6, 1)
    for batch in group_batches(pairs, 4, random.Random(1)):
        texts = [t for p in batch for t in (p.anchor, p.positive)]
        assert len(texts) == len(set(texts))


def test_plan_is_fixed_by_the_seed_and_interleaves_scored_batches() -> None:
    pairs = _pairs(20, 2)
    scored = [ScoredPair(f"a{i}", f"b{i}", i / 10) for i in range(10)]
    first = plan(pairs, scored, batch_size=4, epochs=2, seed=3, scored_every=2)
    assert first == plan(pairs, scored, batch_size=4, epochs=2, seed=3, scored_every=2)
    assert first != plan(pairs, scored, batch_size=4, epochs=2, seed=4, scored_every=2)
    kinds = [b.kind for b in first]
    assert kinds[:3] == ["pairs", "pairs", "scored"]
    assert kinds.count("pairs") == 20


def test_batch_size_below_two_is_refused() -> None:
    with pytest.raises(ValueError, match="at least 2"):
        group_batches(_pairs(2, 1), 1, random.Random(0))
