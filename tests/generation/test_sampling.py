"""Per-row sampling: each row of a mixed batch is processed exactly as transformers' own logits processors
process that row alone with its parameters, greedy rows take the argmax, and seeded rows draw reproducibly."""

from __future__ import annotations

import pytest
import torch
from transformers import (
    RepetitionPenaltyLogitsProcessor,
    TemperatureLogitsWarper,
    TopKLogitsWarper,
    TopPLogitsWarper,
)

from generation.sampling import Sampling, choose, penalise_repetitions, row_generator, warp

VOCAB = 50
ROWS = [
    Sampling(do_sample=True, temperature=0.7, top_p=0.9, repetition_penalty=1.1),
    Sampling(do_sample=True, temperature=1.3, top_k=5, repetition_penalty=1.5),
    Sampling(do_sample=True, temperature=1.0, top_p=0.5, top_k=12),
    Sampling(do_sample=True, temperature=0.2),
    Sampling(do_sample=True, top_p=0.05, repetition_penalty=0.8),
]


def reference(scores: torch.Tensor, seen_ids: list[int], s: Sampling) -> torch.Tensor:
    """What `model.generate` does to one row's scores with these parameters."""
    ids = torch.tensor([seen_ids])
    out = scores.unsqueeze(0)
    if s.repetition_penalty != 1.0:
        out = RepetitionPenaltyLogitsProcessor(s.repetition_penalty)(ids, out)
    if s.temperature != 1.0:
        out = TemperatureLogitsWarper(s.temperature)(ids, out)
    if s.top_k:
        out = TopKLogitsWarper(s.top_k)(ids, out)
    if s.top_p < 1.0:
        out = TopPLogitsWarper(s.top_p)(ids, out)
    return out.squeeze(0)


def test_each_row_is_processed_like_transformers_processors_process_it_alone() -> None:
    torch.manual_seed(0)
    scores = torch.randn(len(ROWS), VOCAB) * 3
    seen_ids = [[1, 2, 2, 7], [3, 4], [0, 49, 25], [5], [10, 11, 12, 13, 14]]
    seen = torch.zeros(len(ROWS), VOCAB, dtype=torch.bool)
    for row, ids in enumerate(seen_ids):
        seen[row, ids] = True
    ours = warp(penalise_repetitions(scores, [s.repetition_penalty for s in ROWS], seen), ROWS)
    for row, s in enumerate(ROWS):
        torch.testing.assert_close(ours[row], reference(scores[row], seen_ids[row], s))


def test_greedy_rows_take_the_argmax_after_the_repetition_penalty() -> None:
    scores = torch.tensor([[1.0, 3.0, 2.9], [0.5, 0.4, -1.0]])
    seen = torch.tensor([[False, True, False], [False, False, False]])
    greedy = [Sampling(do_sample=False, repetition_penalty=1.5), Sampling(do_sample=False)]
    assert choose(scores, greedy, seen, [None, None]) == [2, 0]


def test_a_mixed_batch_keeps_greedy_rows_exact_while_others_sample() -> None:
    torch.manual_seed(1)
    scores = torch.randn(4, VOCAB)
    params = [Sampling(do_sample=False), Sampling(do_sample=True, temperature=1.0, seed=3),
              Sampling(do_sample=False), Sampling(do_sample=True, temperature=0.9)]
    tokens = choose(scores, params, torch.zeros(4, VOCAB, dtype=torch.bool), [row_generator(p) for p in params])
    assert tokens[0] == int(scores[0].argmax()) and tokens[2] == int(scores[2].argmax())
    assert all(0 <= t < VOCAB for t in tokens)


@pytest.mark.parametrize("batch_mates", [0, 3])
def test_a_seeded_row_draws_the_same_tokens_whatever_its_batch_mates(batch_mates: int) -> None:
    torch.manual_seed(2)
    logits = torch.randn(10, VOCAB)
    seeded = Sampling(do_sample=True, temperature=1.0, seed=42)

    def draws(mates: int) -> list[int]:
        generator = row_generator(seeded)
        params = [seeded] + [Sampling(do_sample=True)] * mates
        out = []
        for step in range(10):
            scores = torch.cat([logits[step:step + 1], torch.randn(mates, VOCAB)])
            gens = [generator] + [None] * mates
            out.append(choose(scores, params, torch.zeros(1 + mates, VOCAB, dtype=torch.bool), gens)[0])
        return out

    assert draws(batch_mates) == draws(0)
