"""Fit a `Calibration` from labelled episodes and measure selection quality.

Contract: `fit(train, validation)` (1) grid-searches non-negative fusion weights on the simplex for
top-1 answer accuracy on the train paraphrases; single retrievers are corners of the grid, so the
fused ranking is never worse than the best single retriever on that data; (2) fits a logistic
confidence model (scikit-learn) on features of the top candidate, label = "retrieving it gives the
right answer"; (3) picks the threshold maximising a decision accuracy on the validation episode
("cautious" by default: a wrong retrieval costs twice a wrong generation, because a wrong canned answer
is worse than none). A top candidate that asks something else (`retrieval.nearmiss`) is refused
by the selector whatever its confidence, so fitting and evaluation count it as refused too.
`evaluate(episode, calibration)` reports top-1 and decision accuracies per query group.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from sklearn.linear_model import LogisticRegression

from korean.encoder import Encoder
from retrieval.analyzer import KoreanAnalyzer
from retrieval.calibration import FEATURES, Calibration
from retrieval.evaldata import Episode
from retrieval.nearmiss import near_miss
from retrieval.responses import ResponseIndex

# The margin to the next answer grows as a set gets smaller and sparser, so a model fitted on one index
# size over-trusts it on another; the confidence model leaves it out (trace still shows it).
DEFAULT_EXCLUDED: tuple[str, ...] = ("margin",)


@dataclass
class Pooled:
    """An episode whose index is built and whose query pools are computed once."""

    episode: Episode
    index: ResponseIndex
    pools: list[tuple[list[str], np.ndarray, dict[str, np.ndarray]]]


def pool_episode(episode: Episode, analyzer: KoreanAnalyzer, encoder: Encoder | None = None, *,
                 k: int = 20) -> Pooled:
    index = ResponseIndex.build(f"eval-{episode.split}", episode.records, analyzer, encoder)
    assert index.index is not None
    pools = [index.index.pool(q.text, k=k) for q in episode.queries]
    return Pooled(episode, index, pools)


def _top1(pooled: Pooled, weights: dict[str, float]) -> list[tuple[int, dict[str, float]] | None]:
    assert pooled.index.index is not None
    out: list[tuple[int, dict[str, float]] | None] = []
    for terms, docs, cand in pooled.pools:
        ranked = pooled.index.index.rank(terms, docs, cand, weights, top=1, group_keys=pooled.index.answers)
        out.append((ranked[0].doc, ranked[0].features) if ranked else None)
    return out


def _correct(pooled: Pooled, top: Sequence[tuple[int, dict[str, float]] | None]) -> np.ndarray:
    answers = pooled.index.answers
    return np.array([t is not None and q.gold is not None and answers[t[0]] == q.gold
                     for q, t in zip(pooled.episode.queries, top, strict=True)])


def top1_accuracy(pooled: Pooled, weights: dict[str, float]) -> float:
    mask = np.array([q.group == "paraphrase" for q in pooled.episode.queries])
    return float(_correct(pooled, _top1(pooled, weights))[mask].mean())


def weight_grid(retrievers: Sequence[str], step: float = 0.05) -> list[dict[str, float]]:
    ticks = np.round(np.arange(0, 1 + 1e-9, step), 4)
    grid = []
    for combo in itertools.product(ticks, repeat=len(retrievers) - 1):
        rest = round(1.0 - sum(combo), 4)
        if rest >= -1e-9:
            grid.append(dict(zip(retrievers, [*map(float, combo), float(max(rest, 0.0))], strict=True)))
    return grid


def fit_weights(pooled: Pooled, step: float = 0.05) -> tuple[dict[str, float], dict[str, float]]:
    """Best weights by train top-1, plus each single retriever's top-1 for the record."""
    retrievers = pooled.index.index.retrievers if pooled.index.index else ["bm25", "char"]
    scored = [(top1_accuracy(pooled, w), w) for w in weight_grid(retrievers, step)]
    best = max(scored, key=lambda s: s[0])[1]
    singles = {r: top1_accuracy(pooled, {r: 1.0}) for r in retrievers}
    return best, singles


def _design(pooled: Pooled, weights: dict[str, float]) -> tuple[np.ndarray, np.ndarray, list[str]]:
    top = _top1(pooled, weights)
    x = np.array([[t[1][f] if t else 0.0 for f in FEATURES] for t in top])
    return x, _correct(pooled, top).astype(int), [q.group for q in pooled.episode.queries]


def _refused(pooled: Pooled, weights: dict[str, float]) -> np.ndarray:
    """Per query: whether its top candidate is a near-miss (`retrieval.nearmiss`; the selector refuses those)."""
    analyzer = pooled.index.index.analyzer if pooled.index.index is not None else None
    records = pooled.index.records
    return np.array([analyzer is not None and t is not None
                     and near_miss(analyzer, q.text, records[t[0]].question) is not None
                     for q, t in zip(pooled.episode.queries, _top1(pooled, weights), strict=True)])


def confidences(pooled: Pooled, calibration: Calibration, x: np.ndarray) -> np.ndarray:
    conf = np.array([calibration.confidence(dict(zip(FEATURES, row, strict=True))) for row in x])
    return np.where(_refused(pooled, calibration.weights), 0.0, conf)


def decision_accuracy(conf: np.ndarray, correct: np.ndarray, groups: Sequence[str], threshold: float
                      ) -> dict[str, float]:
    """Per group: paraphrases count only when retrieved with the right answer, others when generated."""
    retrieve = conf >= threshold
    ok = np.where(np.array(groups) == "paraphrase", retrieve & (correct == 1), ~retrieve)
    g = np.array(groups)
    out = {name: float(ok[g == name].mean()) for name in sorted(set(groups))}
    neg = g != "paraphrase"
    out["balanced"] = 0.5 * (float(ok[~neg].mean()) + float(ok[neg].mean())) if neg.any() else out["paraphrase"]
    out["paraphrase_vs_ood"] = 0.5 * (out.get("paraphrase", 0.0) + out.get("ood", 0.0))
    # A wrong canned answer is worse than none: wrongly retrieving counts twice as much as wrongly generating.
    if neg.any():
        out["cautious"] = (float(ok[~neg].mean()) + 2.0 * float(ok[neg].mean())) / 3.0
    # The decision alone (in-set paraphrase -> retrieve, out-of-domain -> generate), answer not checked.
    para, ood = g == "paraphrase", g == "ood"
    if para.any() and ood.any():
        out["decision_only_paraphrase_vs_ood"] = 0.5 * (float(retrieve[para].mean()) + float((~retrieve[ood]).mean()))
    return out


def fit(train: Pooled, validation: Pooled, *, step: float = 0.05, objective: str = "cautious",
        meta: dict[str, Any] | None = None, exclude: Sequence[str] = DEFAULT_EXCLUDED, c: float = 1.0
        ) -> Calibration:
    weights, singles = fit_weights(train, step)
    x, y, _ = _design(train, weights)
    used = [i for i, f in enumerate(FEATURES) if (f != "dense" or "dense" in weights) and f not in exclude]
    model = LogisticRegression(C=c, class_weight="balanced", max_iter=2000)
    model.fit(x[:, used], y)
    coef = {FEATURES[i]: float(c) for i, c in zip(used, model.coef_[0], strict=True)}
    draft = Calibration(weights, coef, float(model.intercept_[0]), 0.5)
    xv, yv, gv = _design(validation, weights)
    conf = confidences(validation, draft, xv)
    thresholds = np.round(np.arange(0.05, 0.96, 0.01), 2)
    best_t = max(thresholds, key=lambda t: decision_accuracy(conf, yv, gv, float(t))[objective])
    info = {"train_top1": top1_accuracy(train, weights), "train_top1_single": singles,
            "validation": decision_accuracy(conf, yv, gv, float(best_t)), "objective": objective,
            **(meta or {})}
    return Calibration(weights, coef, float(model.intercept_[0]), float(best_t), info)


def evaluate(pooled: Pooled, calibration: Calibration) -> dict[str, Any]:
    x, y, g = _design(pooled, calibration.weights)
    conf = confidences(pooled, calibration, x)
    retrievers = pooled.index.index.retrievers if pooled.index.index else []
    return {
        "queries": {name: g.count(name) for name in sorted(set(g))},
        "index_size": len(pooled.index),
        "top1": top1_accuracy(pooled, calibration.weights),
        "top1_single": {r: top1_accuracy(pooled, {r: 1.0}) for r in retrievers},
        "decision": decision_accuracy(conf, y, g, calibration.threshold),
        "threshold": calibration.threshold,
    }
