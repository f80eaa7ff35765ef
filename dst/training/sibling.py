"""Fit the sibling matcher's threshold (`dst.sibling`) on labelled dialogues.

Contract: `sibling_examples(dialogues, injector, similarity)` takes every dialogue whose utterance is a lone
one-mention fragment ("그럼 해군은?": `dst.ellipsis.is_alone`) that no typed slot of the frame takes, scores the
frame's words against the fragment's noun, and records the best cosine, whether the best word is one the correct
rewrite replaces (absent from the gold `standalone`, or, in a case file, listed in `must_not_contain`) and
whether any word should be replaced at all. `fit_matcher` picks the cosine threshold with the best accuracy of
the decision "replace the best word when its cosine reaches it", and reports that accuracy 5-fold cross-
validated (folds by a hash of the dialogue id; each fold's threshold chosen on the other four)."""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from dst.ellipsis import is_alone, is_fragment, resolve_ellipsis
from dst.injector import ContextInjector
from dst.sibling import SLOT_KINDS, SiblingMatcher, WordSimilarity, frame_slots
from dst.training.dialogues import Dialogue

THRESHOLDS = tuple(round(0.70 + 0.01 * k, 2) for k in range(26))  # e5 cosines of related words lie in 0.7-0.95
FOLDS = 5


@dataclass
class SiblingExamples:
    ids: list[str] = field(default_factory=list)
    best: list[float] = field(default_factory=list)
    best_right: list[bool] = field(default_factory=list)
    should: list[bool] = field(default_factory=list)
    counts: Counter[str] = field(default_factory=Counter)


def _replaced(d: Dialogue, slots: list[str], must_not: Sequence[str]) -> set[str]:
    if d.standalone is not None:
        return {s for s in slots if s not in d.standalone}
    return {s for s in slots if s in must_not}


def sibling_examples(dialogues: Sequence[Dialogue], injector: ContextInjector, similarity: WordSimilarity,
                     must_not: dict[str, list[str]] | None = None) -> SiblingExamples:
    out = SiblingExamples()
    matcher = SiblingMatcher(0.0, similarity)
    for d in dialogues:
        if d.unchanged or (d.standalone is None and not (must_not or {}).get(d.id)):
            continue
        state = injector.replay(list(d.history))
        analysis = injector.analyzer.analyze(d.utterance)
        if not state.last_query or not is_fragment(analysis):
            continue
        fragment = [m for m in analysis.mentions if not m.predicative or m.kind != "noun"]
        if len(fragment) != 1 or fragment[0].kind not in SLOT_KINDS or not is_alone(analysis, fragment[0]):
            continue
        if any("replace" in r.rule for r in resolve_ellipsis(injector.analyzer, analysis, state).resolutions):
            continue  # a typed slot took it
        frame = injector.analyzer.analyze(state.last_query)
        ranked = matcher.scores(fragment[0], frame)
        if not ranked:
            continue
        replaced = _replaced(d, [m.text for m in frame_slots(frame)], (must_not or {}).get(d.id, []))
        out.ids.append(d.id)
        out.best.append(ranked[0][1])
        out.best_right.append(ranked[0][0].text in replaced)
        out.should.append(bool(replaced))
        out.counts["replace" if replaced else "keep"] += 1
    return out


def _accuracy(ex: SiblingExamples, threshold: float, rows: Sequence[int]) -> float:
    right = [(ex.best_right[i] if ex.best[i] >= threshold else not ex.should[i]) for i in rows]
    return sum(right) / len(right) if right else 0.0


def _best_threshold(ex: SiblingExamples, rows: Sequence[int]) -> float:
    return max(THRESHOLDS, key=lambda t: (_accuracy(ex, t, rows), t))


def _fold(example_id: str) -> int:
    return int(hashlib.md5(example_id.encode("utf-8")).hexdigest(), 16) % FOLDS


def fit_matcher(ex: SiblingExamples, similarity: WordSimilarity, meta: dict[str, Any] | None = None) -> SiblingMatcher:
    if not ex.ids:
        raise ValueError("the sibling matcher needs one-noun fragments with a gold rewrite; none were found")
    rows = range(len(ex.ids))
    held_out = []
    for f in range(FOLDS):
        train = [i for i in rows if _fold(ex.ids[i]) != f]
        test = [i for i in rows if _fold(ex.ids[i]) == f]
        held_out += [(ex.best_right[i] if ex.best[i] >= _best_threshold(ex, train) else not ex.should[i])
                     for i in test]
    threshold = _best_threshold(ex, rows)
    report = {"threshold_accuracy": _accuracy(ex, threshold, rows),
              "cross_validated_accuracy": sum(held_out) / len(held_out),
              "never_replace_accuracy": _accuracy(ex, 2.0, rows), "counts": dict(ex.counts)}
    return SiblingMatcher(threshold, similarity, meta={**report, **(meta or {})})
