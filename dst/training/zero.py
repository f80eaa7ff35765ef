"""Fit the zero-anaphora detector (`dst.zero`) on labelled dialogues.

Contract: `zero_examples(dialogues, injector, similarity, negatives, elision, followups)` takes every dialogue whose
utterance the rules
leave alone and that is eligible for completion (`dst.zero.eligible`: it names nothing of its own and the frame
names something), labelled 1 when the dialogue's rewrite brings something in and 0 when it must stay unchanged;
`negatives` adds statements that never need a frame (short NSMC movie reviews, `review_statements`) after the frame
of a dialogue, labelled 0; `followups` adds open-data examples (`dst.training.elision`: an utterance with its
argument deleted after a question naming it, 1; one complete as written after an unrelated question, 0, each with
its out-of-fold elision score). `elision` scores the dialogues' and statements' utterances. `fit_detector` fits a
logistic model (scikit-learn, balanced classes) and picks the threshold with the lowest 5-fold cross-validated error
cost on the dialogues plus that on the other examples (folds by a hash of the example id), where a wrong completion
costs `FALSE_COMPLETION_COST` times a missed one.
"""

from __future__ import annotations

import hashlib
import json
import random
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.linear_model import LogisticRegression

from dst.elision import ElisionScore
from dst.injector import ContextInjector
from dst.logistic import feature_matrix
from dst.training.dialogues import Dialogue
from dst.zero import FEATURE_NAMES, SentenceSimilarity, ZeroDetector, eligible, zero_features

THRESHOLDS = (0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8)
FALSE_COMPLETION_COST = 2.0
FOLDS = 5


@dataclass
class ZeroExamples:
    ids: list[str] = field(default_factory=list)
    rows: list[dict[str, float]] = field(default_factory=list)
    labels: list[int] = field(default_factory=list)
    counts: Counter[str] = field(default_factory=Counter)

    def matrix(self) -> np.ndarray:
        return feature_matrix(self.rows, FEATURE_NAMES)


def review_statements(root: Path, n: int, seed: int = 13) -> list[str]:
    """Short NSMC reviews: statements about a film that name nothing in a dialogue's frame."""
    reviews = []
    for path in sorted((root / "nsmc" / "raw").glob("*.json")):
        reviews += [r["review"].strip() for r in json.loads(path.read_text(encoding="utf-8"))
                    if isinstance(r, dict) and isinstance(r.get("review"), str) and 4 <= len(r["review"].strip()) <= 20]
    rng = random.Random(seed)
    return rng.sample(reviews, min(n, len(reviews)))


def zero_examples(dialogues: Sequence[Dialogue], injector: ContextInjector, similarity: SentenceSimilarity | None,
                  negatives: Sequence[str] = (), elision: ElisionScore | None = None,
                  followups: Sequence[tuple[str, str, int, float]] = ()) -> ZeroExamples:
    out = ZeroExamples()
    frames: list[str] = []
    for d in dialogues:
        state = injector.replay(list(d.history))
        if not state.last_query:
            continue
        frames.append(state.last_query)
        if injector.rewrite(list(d.history), d.utterance, state).standalone != d.utterance:
            continue  # the rules already rewrite it (an anaphor, a fragment)
        analysis, frame = injector.analyzer.analyze(d.utterance), injector.analyzer.analyze(state.last_query)
        if not eligible(analysis, frame):
            continue
        sim = similarity(d.utterance, state.last_query) if similarity else 0.0
        out.ids.append(d.id)
        out.rows.append(zero_features(analysis, frame, sim, elision(d.utterance) if elision else 0.0))
        out.labels.append(int(not d.unchanged and bool(d.antecedents)))
        out.counts["positive" if out.labels[-1] else "negative (dialogue)"] += 1
    rng = random.Random(7)
    for k, text in enumerate(negatives):
        frame_text = rng.choice(frames)
        analysis, frame = injector.analyzer.analyze(text), injector.analyzer.analyze(frame_text)
        if not eligible(analysis, frame):
            continue
        out.ids.append(f"review-{k}")
        out.rows.append(zero_features(analysis, frame, similarity(text, frame_text) if similarity else 0.0,
                                      elision(text) if elision else 0.0))
        out.labels.append(0)
        out.counts["negative (review)"] += 1
    for k, (text, frame_text, label, elided) in enumerate(followups):
        analysis, frame = injector.analyzer.analyze(text), injector.analyzer.analyze(frame_text)
        if not eligible(analysis, frame):
            continue
        out.ids.append(f"open-{k}")
        out.rows.append(zero_features(analysis, frame, similarity(text, frame_text) if similarity else 0.0, elided))
        out.labels.append(label)
        out.counts["open elided" if label else "open complete"] += 1
    return out


def _cost(probs: np.ndarray, y: np.ndarray, group: np.ndarray, threshold: float) -> float:
    """Mean error cost over a group: a missed completion 1, a wrong one FALSE_COMPLETION_COST."""
    if not group.any():
        return 0.0
    said = probs[group] >= threshold
    truth = y[group] == 1
    return float(((~said & truth).sum() + FALSE_COMPLETION_COST * (said & ~truth).sum()) / group.sum())


def _fold(example_id: str) -> int:
    return int(hashlib.md5(example_id.encode()).hexdigest(), 16) % FOLDS


def fit_detector(examples: ZeroExamples, meta: dict[str, Any] | None = None,
                 similarity: SentenceSimilarity | None = None, elision: ElisionScore | None = None) -> ZeroDetector:
    x, y = examples.matrix(), np.array(examples.labels)
    if len(set(y.tolist())) < 2:
        raise ValueError("the zero-anaphora detector needs utterances that take the frame and ones that do not; "
                         f"got {dict(examples.counts)} (add --shared-data for NSMC statements, or more dialogues)")
    folds = np.array([_fold(i) for i in examples.ids])
    probs = np.zeros(len(y))
    for f in range(FOLDS):
        train, test = folds != f, folds == f
        if not test.any():
            continue
        if len(set(y[train].tolist())) < 2:
            probs[test] = float(y[train].mean())  # a fold too small to hold both kinds: the base rate
            continue
        model = LogisticRegression(C=1.0, class_weight="balanced", max_iter=4000).fit(x[train], y[train])
        probs[test] = model.predict_proba(x[test])[:, 1]
    dialogue = np.array([not i.startswith(("review-", "open-")) for i in examples.ids])
    right = {t: (probs >= t) == (y == 1) for t in THRESHOLDS}
    scores = {t: float(right[t].mean()) for t in THRESHOLDS}
    on_dialogues = {t: float(right[t][dialogue].mean()) for t in THRESHOLDS}
    on_reviews = {t: float(right[t][~dialogue].mean()) if (~dialogue).any() else 1.0 for t in THRESHOLDS}
    # the dialogues and the other examples weigh the same: those are many, the dialogues are what it is for; a wrong
    # completion changes what the user said, a missed one leaves it as said, so it costs FALSE_COMPLETION_COST times
    costs = {t: _cost(probs, y, dialogue, t) + _cost(probs, y, ~dialogue, t) for t in THRESHOLDS}
    threshold = min(THRESHOLDS, key=lambda t: (costs[t], -t))
    model = LogisticRegression(C=1.0, class_weight="balanced", max_iter=4000).fit(x, y)
    weights = {n: float(w) for n, w in zip(FEATURE_NAMES, model.coef_[0], strict=True) if abs(w) > 1e-9}
    report = {"cross_validated_accuracy": scores, "cross_validated_accuracy_dialogues": on_dialogues,
              "cross_validated_accuracy_statements": on_reviews, "cross_validated_cost": costs,
              "counts": dict(examples.counts)}
    return ZeroDetector(weights, float(model.intercept_[0]), float(threshold), similarity=similarity, elision=elision,
                        meta={**report, **(meta or {})})
