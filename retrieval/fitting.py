"""Fit a `Calibration` from labelled episodes and measure selection quality.

Contract: `fit(train, validation)` takes one or more episodes for each role. (1) It grid-searches non-negative
fusion weights on the simplex for the mean top-1 answer accuracy over the train episodes' paraphrases; single
retrievers are corners of the grid, so the fused ranking is never worse than the best single retriever on that
data. (2) It fits a logistic confidence model (scikit-learn) on features of the top candidate (`FEATURES`: fused and
per-retriever scores, coverage, the dense retriever's margin), label = "retrieving it gives the right answer", each
train episode weighing the same; a top candidate with a near-miss sign (`retrieval.nearmiss`) is refused by the
selector whatever its confidence, so fitting and evaluation count it as refused. (3) It picks the threshold
maximising a decision accuracy averaged over the validation episodes ("balanced" by default; "cautious" counts a
wrong retrieval twice). `evaluate(episode, calibration)` reports top-1 and decision accuracies per query group.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from sklearn.linear_model import LogisticRegression

from korean.encoder import Encoder
from retrieval.analyzer import KoreanAnalyzer
from retrieval.calibration import FEATURES, Calibration
from retrieval.evaldata import Episode
from retrieval.nearmiss import near_miss
from retrieval.responses import DENSE_TEXTS, ResponseIndex

# The margin to the next answer grows as a set gets smaller and sparser, so a model fitted on one index
# size over-trusts it on another; the confidence model leaves it out (trace still shows it).
DEFAULT_EXCLUDED: tuple[str, ...] = ("margin",)
OBJECTIVES = ("balanced", "cautious", "paraphrase_vs_ood")
Top = tuple[int, dict[str, float]] | None


@dataclass
class Pooled:
    """An episode whose index is built and whose query pools are computed once."""

    episode: Episode
    index: ResponseIndex
    pools: list[tuple[list[str], np.ndarray, dict[str, np.ndarray]]]
    _refused: dict[tuple[int, int], bool] = field(default_factory=dict, repr=False)

    def refused(self, query: int, doc: int) -> bool:
        """Whether stored question `doc` shows a near-miss sign for query `query` (computed once per pair)."""
        key = (query, doc)
        if key not in self._refused:
            assert self.index.index is not None
            self._refused[key] = near_miss(self.index.index.analyzer, self.episode.queries[query].text,
                                           self.index.records[doc].question) is not None
        return self._refused[key]


def pool_episode(episode: Episode, analyzer: KoreanAnalyzer, encoder: Encoder | None = None, *,
                 k: int = 20, dense_texts: str = DENSE_TEXTS[0]) -> Pooled:
    index = ResponseIndex.build(f"eval-{episode.split}", episode.records, analyzer, encoder,
                                dense_texts=dense_texts)
    assert index.index is not None
    texts = [q.text for q in episode.queries]
    read = index.index.read_queries(texts)
    pools = [index.index.pool(text, k=k, terms=t, vector=v) for text, (t, v) in zip(texts, read, strict=True)]
    return Pooled(episode, index, pools)


def ranked_top(pooled: Pooled, weights: dict[str, float]) -> list[Top]:
    """Per query: the first candidate under `weights` and its features."""
    assert pooled.index.index is not None
    out: list[Top] = []
    for terms, docs, cand in pooled.pools:
        used = {name: values for name, values in cand.items() if weights.get(name, 0.0) > 0}
        ranked = pooled.index.index.rank(terms, docs, used, weights, top=1, group_keys=pooled.index.answers)
        if not ranked:
            out.append(None)
            continue
        out.append((ranked[0].doc, ranked[0].features))
    return out


def correct(pooled: Pooled, top: Sequence[Top]) -> np.ndarray:
    answers = pooled.index.answers
    return np.array([t is not None and q.gold is not None and answers[t[0]] == q.gold
                     for q, t in zip(pooled.episode.queries, top, strict=True)])


def first_docs(pooled: Pooled, weights: dict[str, float]) -> list[int | None]:
    """Per query: the first candidate under `weights` (the ranking of `HybridIndex.rank`, without features)."""
    out: list[int | None] = []
    for _, docs, cand in pooled.pools:
        if docs.size == 0:
            out.append(None)
            continue
        fused = sum(weights.get(name, 0.0) * values for name, values in cand.items())
        out.append(int(docs[int(np.argmax(fused))]))
    return out


def top1_accuracy(pooled: Pooled, weights: dict[str, float]) -> float:
    answers = pooled.index.answers
    hits = [q.group == "paraphrase" and d is not None and answers[d] == q.gold
            for q, d in zip(pooled.episode.queries, first_docs(pooled, weights), strict=True)]
    paraphrases = sum(q.group == "paraphrase" for q in pooled.episode.queries)
    return sum(hits) / max(paraphrases, 1)


def weight_grid(retrievers: Sequence[str], step: float = 0.05) -> list[dict[str, float]]:
    ticks = np.round(np.arange(0, 1 + 1e-9, step), 4)
    grid = []
    for combo in itertools.product(ticks, repeat=len(retrievers) - 1):
        rest = round(1.0 - sum(combo), 4)
        if rest >= -1e-9:
            grid.append(dict(zip(retrievers, [*map(float, combo), float(max(rest, 0.0))], strict=True)))
    return grid


def _retrievers(pooled: Pooled) -> list[str]:
    return pooled.index.index.retrievers if pooled.index.index else ["bm25", "char"]


def fit_weights(train: Sequence[Pooled], step: float = 0.05) -> tuple[dict[str, float], dict[str, float]]:
    """Best weights by mean train top-1 over the episodes, plus each single retriever's for the record."""
    retrievers = _retrievers(train[0])

    def score(weights: dict[str, float]) -> float:
        return float(np.mean([top1_accuracy(p, weights) for p in train]))

    best = max(weight_grid(retrievers, step), key=score)
    return best, {r: score({r: 1.0}) for r in retrievers}


@dataclass
class Design:
    """Per query: features of the first candidate, whether retrieving it is right, whether the selector refuses it
    as a near-miss, and the query's group."""

    x: np.ndarray
    right: np.ndarray
    refused: np.ndarray
    groups: list[str]


def design(pooled: Pooled, weights: dict[str, float]) -> Design:
    top = ranked_top(pooled, weights)
    x = np.array([[t[1].get(f, 0.0) if t else 0.0 for f in FEATURES] for t in top])
    refused = np.array([t is not None and pooled.refused(i, t[0]) for i, t in enumerate(top)])
    return Design(x, correct(pooled, top).astype(int), refused, [q.group for q in pooled.episode.queries])


def confidences(calibration: Calibration, d: Design) -> np.ndarray:
    conf = np.array([calibration.confidence(dict(zip(FEATURES, row, strict=True))) for row in d.x])
    return np.where(d.refused, 0.0, conf)


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


def fit_confidence(rows: Sequence[Design], weights: dict[str, float], *,
                   exclude: Sequence[str] = DEFAULT_EXCLUDED, c: float = 1.0) -> Calibration:
    """The logistic confidence model over the stacked designs of several episodes, each weighing the same; the
    threshold is left at 0.5 for the caller to choose."""
    used = [i for i, f in enumerate(FEATURES)
            if f not in exclude and (not f.startswith("dense") or "dense" in weights)]
    x = np.vstack([r.x for r in rows])[:, used]
    y = np.concatenate([r.right for r in rows])
    sample = np.concatenate([np.full(len(r.right), len(y) / (len(rows) * max(len(r.right), 1))) for r in rows])
    model = LogisticRegression(C=c, class_weight="balanced", max_iter=4000)
    if len(set(y.tolist())) < 2:  # one class only: a constant model still gives a valid calibration
        return Calibration(weights, {}, 4.0 if y.size and y[0] else -4.0, 0.5)
    model.fit(x, y, sample_weight=sample)
    coef = {FEATURES[i]: float(v) for i, v in zip(used, model.coef_[0], strict=True)}
    return Calibration(weights, coef, float(model.intercept_[0]), 0.5)


def best_threshold(scored: Sequence[tuple[np.ndarray, np.ndarray, list[str]]], objective: str) -> float:
    """The threshold maximising `objective` averaged over episodes (confidences, correct, groups)."""
    thresholds = np.round(np.arange(0.02, 0.99, 0.01), 2)

    def score(t: float) -> float:
        return float(np.mean([decision_accuracy(c, y, g, t)[objective] for c, y, g in scored]))

    return float(max(thresholds, key=score))


def fit(train: Pooled | Sequence[Pooled], validation: Pooled | Sequence[Pooled], *, step: float = 0.05,
        objective: str = "balanced", meta: dict[str, Any] | None = None,
        exclude: Sequence[str] = DEFAULT_EXCLUDED, c: float = 1.0) -> Calibration:
    if objective not in OBJECTIVES:
        raise ValueError(f"objective must be one of {OBJECTIVES}")
    train = [train] if isinstance(train, Pooled) else list(train)
    validation = [validation] if isinstance(validation, Pooled) else list(validation)
    weights, singles = fit_weights(train, step)
    draft = fit_confidence([design(p, weights) for p in train], weights, exclude=exclude, c=c)
    scored = []
    for p in validation:
        d = design(p, weights)
        scored.append((confidences(draft, d), d.right, d.groups))
    threshold = best_threshold(scored, objective)
    info = {"train_top1": float(np.mean([top1_accuracy(p, weights) for p in train])), "train_top1_single": singles,
            "validation": {p.episode.split: decision_accuracy(c, y, g, threshold)
                           for p, (c, y, g) in zip(validation, scored, strict=True)},
            "objective": objective, **(meta or {})}
    return Calibration(weights, draft.coef, draft.intercept, threshold, info)


def evaluate(pooled: Pooled, calibration: Calibration) -> dict[str, Any]:
    d = design(pooled, calibration.weights)
    conf, y, g = confidences(calibration, d), d.right, d.groups
    return {
        "queries": {name: g.count(name) for name in sorted(set(g))},
        "index_size": len(pooled.index),
        "top1": top1_accuracy(pooled, calibration.weights),
        "top1_single": {r: top1_accuracy(pooled, {r: 1.0}) for r in _retrievers(pooled)},
        "decision": decision_accuracy(conf, y, g, calibration.threshold),
        "threshold": calibration.threshold,
    }
