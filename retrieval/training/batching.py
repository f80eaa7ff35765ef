"""Deterministic batch plans for contrastive training.

Contract: `group_batches(pairs, size, rng)` shuffles with `rng` and packs the pairs into batches in
which no group and no text occurs twice (in-batch negatives must really be negatives); a pair that
does not fit waits for a later batch, and the last batches may be smaller. `plan(...)` interleaves contrastive
and score batches for a number of epochs, the same plan for the same seed; pairs that carry a hard negative are
batched apart from those that do not.
"""

from __future__ import annotations

import random
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from retrieval.training.pairs import Pair, ScoredPair


@dataclass(frozen=True)
class Batch:
    kind: Literal["pairs", "scored"]
    items: tuple[Pair, ...] | tuple[ScoredPair, ...]


def group_batches(pairs: Sequence[Pair], size: int, rng: random.Random) -> list[list[Pair]]:
    if size < 2:
        raise ValueError("contrastive batches need at least 2 pairs")
    order = list(pairs)
    rng.shuffle(order)
    waiting: deque[Pair] = deque(order)
    batches: list[list[Pair]] = []
    while waiting:
        batch: list[Pair] = []
        keys: set[str] = set()
        deferred: list[Pair] = []
        while waiting and len(batch) < size:
            pair = waiting.popleft()
            own = {"g:" + pair.group, "t:" + pair.anchor, "t:" + pair.positive}
            if pair.negative is not None:
                own.add("t:" + pair.negative)
            if own & keys:
                deferred.append(pair)
                continue
            batch.append(pair)
            keys |= own
        waiting.extendleft(reversed(deferred))
        if len(batch) >= 2:
            batches.append(batch)
        elif not waiting or len(batch) == 0:
            break
    return batches


def plan(pairs: Sequence[Pair], scored: Sequence[ScoredPair], *, batch_size: int, epochs: int, seed: int,
         scored_every: int = 4) -> list[Batch]:
    """Contrastive batches, with one score batch after every `scored_every` of them (0: none)."""
    out: list[Batch] = []
    for epoch in range(epochs):
        rng = random.Random(seed * 1000 + epoch)
        # a batch is all pairs or all triplets (pairs with a hard negative): the loss takes one column layout
        plain = group_batches([p for p in pairs if p.negative is None], batch_size, rng)
        triplets = group_batches([p for p in pairs if p.negative is not None], batch_size, rng)
        contrastive = plain
        if triplets:  # without hard negatives the plan stays what it was (earlier runs reproduce)
            contrastive = plain + triplets
            rng.shuffle(contrastive)
        score_items = list(scored)
        rng.shuffle(score_items)
        score_batches = [score_items[i:i + batch_size] for i in range(0, len(score_items), batch_size)]
        score_batches = [b for b in score_batches if len(b) >= 2]
        s = 0
        for i, batch in enumerate(contrastive, start=1):
            out.append(Batch("pairs", tuple(batch)))
            if scored_every and score_batches and i % scored_every == 0:
                out.append(Batch("scored", tuple(score_batches[s % len(score_batches)])))
                s += 1
    return out
