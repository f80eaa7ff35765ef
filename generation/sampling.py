"""Per-row next-token choice for a batch whose rows each carry their own decoding parameters.

Contract: `choose(scores, params, seen, generators)` returns one token id per row of `scores` ([rows, vocab]
logits of the last position). Row i is processed exactly as `model.generate` processes a batch of one with
`params[i]`: repetition penalty over every token the row has seen (prompt and generated, `seen[i]`), then,
only when sampling, temperature, top-k and top-p in that order (transformers' `RepetitionPenaltyLogitsProcessor`,
`TemperatureLogitsWarper`, `TopKLogitsWarper`, `TopPLogitsWarper`, with their default filter value and
`min_tokens_to_keep=1`), then argmax (greedy) or one multinomial draw. The formulas are those classes', written
with one parameter per row instead of one per batch, so greedy and sampled rows, and rows of different personas,
share one forward pass; `tests/generation/test_sampling.py` checks them against the classes themselves.

Randomness: a row with a seed draws from its own `torch.Generator` (created by `row_generator` from the seed),
so a seeded request gives the same tokens whatever rows it is batched with; rows without a seed share torch's
default generator.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Sampling:
    """Decoding parameters of one request (the `GenerationRequest` fields, resolved)."""

    do_sample: bool
    temperature: float = 1.0
    top_p: float = 1.0
    top_k: int | None = None
    repetition_penalty: float = 1.0
    seed: int | None = None


def row_generator(sampling: Sampling) -> Any:
    """The generator a seeded sampling row draws from (None: torch's default generator)."""
    if not sampling.do_sample or sampling.seed is None:
        return None
    import torch

    return torch.Generator().manual_seed(sampling.seed)


def _column(values: Sequence[float], like: Any) -> Any:
    import torch

    return torch.tensor(values, dtype=like.dtype, device=like.device).unsqueeze(1)


def penalise_repetitions(scores: Any, penalties: Sequence[float], seen: Any) -> Any:
    """transformers' RepetitionPenaltyLogitsProcessor with one penalty per row; `seen` is [rows, vocab] bool."""
    import torch

    if all(p == 1.0 for p in penalties):
        return scores
    p = _column(penalties, scores)
    penalised = torch.where(scores < 0, scores * p, scores / p)
    return torch.where(seen, penalised, scores)


def warp(scores: Any, params: Sequence[Sampling]) -> Any:
    """Temperature, top-k and top-p (in transformers' order) for rows that sample; [rows, vocab] -> same."""
    import torch

    if any(s.temperature != 1.0 for s in params):
        scores = scores / _column([s.temperature for s in params], scores)
    vocab = scores.shape[-1]
    if any(s.top_k for s in params):
        ks = torch.tensor([min(max(s.top_k or vocab, 1), vocab) for s in params], device=scores.device)
        kth = torch.sort(scores, dim=-1, descending=True).values.gather(-1, (ks - 1).unsqueeze(1))
        scores = scores.masked_fill(scores < kth, -float("inf"))
    if any(s.top_p < 1.0 for s in params):
        top_p = _column([s.top_p for s in params], scores)
        sorted_scores, order = torch.sort(scores, descending=False, dim=-1)
        cumulative = sorted_scores.softmax(dim=-1).cumsum(dim=-1)
        remove = cumulative <= (1 - top_p)
        remove[..., -1:] = False  # min_tokens_to_keep = 1
        scores = scores.masked_fill(remove.scatter(1, order, remove), -float("inf"))
    return scores


def choose(scores: Any, params: Sequence[Sampling], seen: Any, generators: Sequence[Any]) -> list[int]:
    """One token per row (see the module contract); `scores` must be float32 logits."""
    import torch

    scores = penalise_repetitions(scores, [s.repetition_penalty for s in params], seen)
    tokens = scores.argmax(dim=-1).tolist()
    sampled = [i for i, s in enumerate(params) if s.do_sample]
    if not sampled:
        return tokens
    index = torch.tensor(sampled, device=scores.device)
    probs = warp(scores.index_select(0, index), [params[i] for i in sampled]).softmax(dim=-1)
    shared = [j for j, i in enumerate(sampled) if generators[i] is None]
    if shared:
        rows = torch.tensor(shared, device=probs.device)
        draws = torch.multinomial(probs.index_select(0, rows), 1).squeeze(1).tolist()
        for j, token in zip(shared, draws, strict=True):
            tokens[sampled[j]] = token
    for j, i in enumerate(sampled):
        if generators[i] is not None:
            tokens[i] = int(torch.multinomial(probs[j].float().cpu(), 1, generator=generators[i]).item())
    return tokens
