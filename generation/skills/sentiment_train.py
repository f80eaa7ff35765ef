"""Training the review-sentiment model (`sentiment.py`) from NSMC movies, split by movie.

Contract: `train(folder, out)` reads `folder/*.json` (one movie each: `{review_id, movie_id, review, rating}`),
assigns every movie to `train`, `validation` or `test` by a hash of its id (`movie_split`: 70/10/20; a movie's
reviews never cross parts), fits an NB-scaled logistic regression on the train movies' polar reviews
(rating >= 9 positive, <= 4 negative, the NSMC convention), picks the regularisation and vocabulary size on
the validation movies' binary accuracy, fits on the validation movies the two 3-way thresholds (per-movie
shares) and the two citation bounds (`cite_thresholds`: a cited review's polarity right >= 93% of the time),
writes the model file and returns a report measured on the test movies only (binary accuracy, per-movie
positive-share error and correlation). Deterministic for a given data folder. Nothing of the data
is written except the model's weights.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from generation.skills.sentiment import SentimentModel, features, read_model, save_model
from korean.kiwi import shared_kiwi

CITE_PRECISION = 0.93  # reviews cited for a pro or con without ratings: fitted to be right this often
GRID = ((3.0, 100_000), (3.0, 200_000), (10.0, 200_000))  # (C, vocabulary size) candidates


@dataclass
class Review:
    movie: str
    id: str
    text: str
    rating: int
    feats: set[str]


def movie_split(movie_id: str) -> str:
    """`train` (70%), `validation` (10%) or `test` (20%), by a hash of the movie id: stable, never by review."""
    x = int(hashlib.sha1(movie_id.encode()).hexdigest()[:8], 16) / 0xFFFFFFFF
    return "test" if x < 0.2 else "validation" if x < 0.3 else "train"


def load_reviews(folder: Path, progress: Callable[[str], None] = print) -> list[Review]:
    rows: list[tuple[str, str, str, int]] = []
    for path in sorted(folder.glob("*.json")):
        movie = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(movie, list) or not all(isinstance(r, dict) and {"review", "review_id", "rating"} <= r.keys()
                                                  for r in movie):
            progress(f"skipped {path.name}: not a list of NSMC reviews (review_id, review, rating)")
            continue
        for r in movie:
            text = " ".join(str(r["review"]).split())
            if text:
                rows.append((str(r.get("movie_id", path.stem)), str(r["review_id"]), text, int(r["rating"])))
    if not rows:
        raise FileNotFoundError(f"no NSMC movie files (*.json) under {folder}")
    progress(f"{len(rows)} reviews of {len({m for m, *_ in rows})} movies; analysing with Kiwi")
    tokens = shared_kiwi().tokenize([t for _, _, t, _ in rows])
    return [Review(m, i, t, r, features(t, toks)) for (m, i, t, r), toks in zip(rows, tokens, strict=True)]


def rating_class(rating: float) -> str:
    return "negative" if rating <= 4 else "positive" if rating >= 8 else "neutral"


def polar(reviews: Sequence[Review]) -> tuple[list[set[str]], np.ndarray]:
    kept = [r for r in reviews if r.rating >= 9 or r.rating <= 4]
    return [r.feats for r in kept], np.array([r.rating >= 9 for r in kept], dtype=int)


def _nb_ratio(x: Any, y: np.ndarray) -> np.ndarray:
    """Naive-Bayes log-count ratios of binary features (Wang & Manning's NBSVM scaling), add-one smoothed."""
    present = (x > 0).astype(np.float64)
    pos = np.asarray(present[y == 1].sum(0)).ravel() + 1
    neg = np.asarray(present[y == 0].sum(0)).ravel() + 1
    return np.log((pos / pos.sum()) / (neg / neg.sum()))


def _fit(x_sets: list[set[str]], y: np.ndarray, c: float, size: int) -> tuple[list[str], np.ndarray, np.ndarray, float]:
    """(vocabulary, idf, weights with the NB ratios folded in, bias), the vocabulary pruned to `size` features."""
    vec = TfidfVectorizer(analyzer=list, binary=True, min_df=2, lowercase=False)
    x = vec.fit_transform(x_sets)
    ratio = _nb_ratio(x, y)
    first = LogisticRegression(C=c, max_iter=2000, solver="liblinear").fit(x.multiply(ratio).tocsr(), y)
    vocab = vec.get_feature_names_out()
    keep = np.sort(np.argsort(-np.abs(first.coef_[0] * ratio))[:size])
    vec = TfidfVectorizer(analyzer=list, binary=True, lowercase=False, vocabulary=list(vocab[keep]))
    x = vec.fit_transform(x_sets)
    ratio = _nb_ratio(x, y)
    lr = LogisticRegression(C=c, max_iter=2000, solver="liblinear").fit(x.multiply(ratio).tocsr(), y)
    return list(vocab[keep]), vec.idf_, lr.coef_[0] * ratio, float(lr.intercept_[0])


def _as_model(vocab: list[str], idf: np.ndarray, weights: np.ndarray, bias: float) -> SentimentModel:
    # float16, as in the file, so that choices are made on what ships
    return SentimentModel({f: i for i, f in enumerate(vocab)}, idf.astype(np.float16).astype(np.float64),
                          weights.astype(np.float16).astype(np.float64), bias, 0.5, 0.5, {})


def binary_accuracy(model: SentimentModel, reviews: Sequence[Review]) -> float:
    x_sets, y = polar(reviews)
    return float(np.mean((model.scores(x_sets) > 0).astype(int) == y))


def _by_movie(reviews: Sequence[Review]) -> dict[str, list[int]]:
    groups: dict[str, list[int]] = {}
    for i, r in enumerate(reviews):
        groups.setdefault(r.movie, []).append(i)
    return groups


def fit_thresholds(p: np.ndarray, reviews: Sequence[Review]) -> tuple[float, float]:
    """(lower, upper) minimising the mean per-movie error of the positive and negative shares."""
    groups = list(_by_movie(reviews).values())
    truth = [(np.mean([rating_class(reviews[i].rating) == "positive" for i in g]),
              np.mean([rating_class(reviews[i].rating) == "negative" for i in g])) for g in groups]
    grid = np.unique(np.quantile(p, np.linspace(0.02, 0.98, 97)))

    def error(t: float, side: int) -> float:
        hits = p >= t if side == 0 else p <= t
        return float(np.mean([abs(np.mean(hits[g]) - tr[side]) for g, tr in zip(groups, truth, strict=True)]))

    upper = min(grid, key=lambda t: error(t, 0))
    lower = min((t for t in grid if t < upper), key=lambda t: error(t, 1), default=upper)
    return float(lower), float(upper)


def cite_thresholds(p: np.ndarray, reviews: Sequence[Review], precision: float = CITE_PRECISION) -> tuple[float, float]:
    """(lower, upper): the widest bounds within which reviews called negative (p <= lower) are rated 1-4, and
    those called positive (p >= upper) rated 8-10, at least `precision` of the time on these reviews."""
    rating = np.array([r.rating for r in reviews])
    lower = max((t for t in np.quantile(p, np.linspace(0.01, 0.6, 60))
                 if np.mean(rating[p <= t] <= 4) >= precision), default=float(p.min()))
    upper = min((t for t in np.quantile(p, np.linspace(0.4, 0.99, 60))
                 if np.mean(rating[p >= t] >= 8) >= precision), default=float(p.max()))
    return float(lower), float(upper)


def share_report(p: np.ndarray, label: Callable[[float], str], reviews: Sequence[Review]) -> dict[str, float]:
    """Per-movie positive-share error and correlation, and 3-way agreement, of P(positive) `p` labelled by
    `label`, against the ratings."""
    labels = [label(float(v)) for v in p]
    true_pos, pred_pos = [], []
    for g in _by_movie(reviews).values():
        true_pos.append(np.mean([rating_class(reviews[i].rating) == "positive" for i in g]))
        pred_pos.append(np.mean([labels[i] == "positive" for i in g]))
    t, q = np.array(true_pos), np.array(pred_pos)
    return {"positive_share_mae": round(float(np.mean(np.abs(t - q))), 4),
            "positive_share_correlation": round(float(np.corrcoef(t, q)[0, 1]), 4),
            "review_3class_agreement": round(float(np.mean(
                [lab == rating_class(r.rating) for lab, r in zip(labels, reviews, strict=True)])), 4)}


def split_by_movie(reviews: Sequence[Review]) -> dict[str, list[Review]]:
    """The reviews of each part (`movie_split`), in their order."""
    parts: dict[str, list[Review]] = {"train": [], "validation": [], "test": []}
    for r in reviews:
        parts[movie_split(r.movie)].append(r)
    return parts


def train(folder: Path, out: Path, progress: Callable[[str], None] = print) -> dict[str, Any]:
    parts = split_by_movie(load_reviews(folder, progress))
    x_sets, y = polar(parts["train"])
    best: tuple[float, Any] | None = None
    for c, size in GRID:
        fitted = _fit(x_sets, y, c, size)
        acc = binary_accuracy(_as_model(*fitted), parts["validation"])
        progress(f"C={c} vocabulary={size}: validation binary accuracy {acc:.4f}")
        if best is None or acc > best[0]:
            best = (acc, (fitted, c))
    assert best is not None
    (vocab, idf, weights, bias), c = best[1]
    model = _as_model(vocab, idf, weights, bias)
    val_p = 1.0 / (1.0 + np.exp(-model.scores([r.feats for r in parts["validation"]])))
    lower, upper = fit_thresholds(val_p, parts["validation"])
    cite_lower, cite_upper = cite_thresholds(val_p, parts["validation"])
    meta = {"trained_on": "NSMC movies (shared/data/nsmc/raw), split by movie id hash 70/10/20",
            "cite_lower": cite_lower, "cite_upper": cite_upper, "C": c, "vocabulary": len(vocab),
            "movies": {k: len({r.movie for r in v}) for k, v in parts.items()}}
    save_model(out, vocab, idf, weights, bias, lower, upper, meta)
    shipped = read_model(out)
    report = {"model": str(out), "bytes": out.stat().st_size, **meta, "lower": lower, "upper": upper,
              "validation_binary_accuracy": round(best[0], 4),
              "test_binary_accuracy": round(binary_accuracy(shipped, parts["test"]), 4),
              "test_reviews": len(parts["test"]), **{f"test_{k}": v for k, v in share_report(
                  1.0 / (1.0 + np.exp(-shipped.scores([r.feats for r in parts["test"]]))), shipped.label,
                  parts["test"]).items()}}
    progress(json.dumps(report, ensure_ascii=False))
    return report
