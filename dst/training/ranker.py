"""Fit the antecedent ranker (`dst.ranking`) on labelled dialogues.

Contract: `ranker_examples(dialogues, injector, similarity)` replays each dialogue's history with the injector's
rules (the state a serving injector would hold), finds the utterance's anaphors (ordinals excepted: they index a
list, nothing to rank) and labels every candidate entity: positive when its text is one of the dialogue's
antecedents, else, when no candidate is exactly one, when it overlaps one; an anaphor of a dialogue that must stay
unchanged labels every candidate negative (the threshold learns to leave it alone); an anaphor whose antecedent is no
candidate (the mention finder missed it) is counted and skipped. `fit_ranker(examples)` fits a logistic model
(scikit-learn, balanced classes) and picks the threshold (below it the rules' choice stands) that resolves the most
anaphors right over 5-fold cross-validation by dialogue; `cross_validate` reports that accuracy next to the rules'
own choice. Deterministic: no randomness beyond the folds, which are a hash of the dialogue id.
"""

from __future__ import annotations

import hashlib
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from sklearn.linear_model import LogisticRegression

from dst.anaphora import RELATIVE_ONE, find_anaphors
from dst.anaphora import choose as rule_choice
from dst.injector import ContextInjector
from dst.logistic import feature_matrix
from dst.ranking import FEATURE_NAMES, TYPES, AntecedentRanker, Similarity, features, rule_order, utterance_words
from dst.training.dialogues import Dialogue

THRESHOLDS = (0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7)
FOLDS = 5


@dataclass
class Examples:
    rows: list[dict[str, float]] = field(default_factory=list)
    labels: list[int] = field(default_factory=list)
    anaphor: list[str] = field(default_factory=list)  # "dialogue#k": the decision a row belongs to
    rule_pick: list[bool] = field(default_factory=list)  # whether the rules' own order puts this candidate first
    counts: Counter[str] = field(default_factory=Counter)

    def matrix(self) -> np.ndarray:
        return feature_matrix(self.rows, FEATURE_NAMES)


def _labels(dialogue: Dialogue, texts: list[str]) -> list[bool]:
    if dialogue.unchanged:
        return [False] * len(texts)
    exact = [t in dialogue.antecedents for t in texts]
    if any(exact):
        return exact
    return [any(a in t or t in a for a in dialogue.antecedents) for t in texts]


def ranker_examples(dialogues: Sequence[Dialogue], injector: ContextInjector,
                    similarity: Similarity | None = None) -> Examples:
    out = Examples()
    for d in dialogues:
        state = injector.replay(list(d.history))
        analysis = injector.analyzer.analyze(d.utterance)
        for k, anaphor in enumerate(find_anaphors(analysis)):
            # an ordinal is read off the list, and "…는 거" only by its clause: the ranker decides neither
            ordinal_or_clause = anaphor.need == "ordinal" or anaphor.rule == RELATIVE_ONE
            pool = [e for e in state.entities if e.type in TYPES] if not ordinal_or_clause else []
            if not pool:
                continue
            labels = _labels(d, [e.text for e in pool])
            if not d.unchanged and not any(labels):
                out.counts["antecedent not among the candidates"] += 1
                continue
            out.counts["pass-through anaphors" if d.unchanged else "anaphors"] += 1
            sims = similarity(anaphor.category, [e.text for e in pool]) if anaphor.category and similarity else []
            best = max(sims) if sims else None
            words = utterance_words(analysis, anaphor)
            picked = rule_choice(anaphor, state)
            order = rule_order(anaphor, state)
            for e, label, sim in zip(pool, labels, sims or [0.0] * len(pool), strict=True):
                out.rows.append(features(anaphor, e, state, words=words, utterance=d.utterance, cat_sim=sim,
                                         cat_best=sim == best and sim > 0, rule_rank=order.get(id(e))))
                out.labels.append(int(label))
                out.anaphor.append(f"{d.id}#{k}")
                out.rule_pick.append(picked is not None and picked.text == e.text)
    return out


def _fold(anaphor: str) -> int:
    return int(hashlib.md5(anaphor.split("#")[0].encode()).hexdigest(), 16) % FOLDS


def _model(x: np.ndarray, y: np.ndarray) -> LogisticRegression:
    return LogisticRegression(C=1.0, class_weight="balanced", max_iter=4000).fit(x, y)


def _accuracy(probs: np.ndarray, examples: Examples, threshold: float, *, rules: bool = False) -> float:
    """Share of decisions right: the right antecedent chosen, or none when there is none."""
    y = np.array(examples.labels)
    rule = np.array(examples.rule_pick)
    decisions: dict[str, list[int]] = defaultdict(list)
    for i, a in enumerate(examples.anaphor):
        decisions[a].append(i)
    right = 0
    for rows in decisions.values():
        ix = np.array(rows)
        best = ix[int(np.argmax(probs[ix]))]
        if rules or probs[best] < threshold:  # below the threshold the serving injector keeps the rules' choice
            chosen = ix[rule[ix]]
            ok = (len(chosen) > 0 and y[chosen[0]] == 1) if y[ix].any() else len(chosen) == 0
        else:
            ok = bool(y[best] == 1)
        right += int(ok)
    return right / max(len(decisions), 1)


def cross_validate(examples: Examples) -> tuple[np.ndarray, dict[str, Any]]:
    """Held-out probabilities of every row (5 folds by dialogue) and the accuracies they give."""
    x, y = examples.matrix(), np.array(examples.labels)
    folds = np.array([_fold(a) for a in examples.anaphor])
    probs = np.zeros(len(y))
    for f in range(FOLDS):
        train, test = folds != f, folds == f
        if test.any() and len(set(y[train].tolist())) == 2:
            probs[test] = _model(x[train], y[train]).predict_proba(x[test])[:, 1]
    by_threshold = {t: _accuracy(probs, examples, t) for t in THRESHOLDS}
    report = {"cross_validated_accuracy": by_threshold, "rules_accuracy": _accuracy(probs, examples, 0.0, rules=True),
              "decisions": len(set(examples.anaphor)), "counts": dict(examples.counts)}
    return probs, report


def fit_ranker(examples: Examples, meta: dict[str, Any] | None = None,
               similarity: Similarity | None = None) -> AntecedentRanker:
    _, report = cross_validate(examples)
    scores = report["cross_validated_accuracy"]
    threshold = max(THRESHOLDS, key=lambda t: (scores[t], -t))
    model = _model(examples.matrix(), np.array(examples.labels))
    weights = {name: float(w) for name, w in zip(FEATURE_NAMES, model.coef_[0], strict=True) if abs(w) > 1e-9}
    return AntecedentRanker(weights, float(model.intercept_[0]), float(threshold), similarity=similarity,
                            meta={**report, **(meta or {})})
