"""Fit the elision model (`dst.elision`) on open data: which utterances read as missing their topic or object.

Contract: `elision_examples(root, analyzer, limit)` reads the questions and requests of sae4k (every utterance) and
3i4k (classes 2 question and 3 command) under `root` (the shared data), in a seeded order, and labels:
- 1 (elided): an utterance that names exactly one thing (a mention of a kind other than attribute, time or quantity)
  as its topic, subject or object, with that noun phrase and its particles deleted ("스팸 메일함 다 삭제해줘" ->
  "다 삭제해줘"), when what remains still has a predicate and names nothing;
- 0 (complete as written): an utterance that names nothing but attributes, times and quantities as written
  ("오늘 날씨 어떠니", "지금 몇 시야").
Greetings and thanks are left out (the detector never sees them). Each example also gets a frame: for an elided one
another open utterance that names what was deleted (the original when none does), for a complete one any
utterance that names something; `followups()` hands them to the zero-anaphora detector's fitting.
`fit_elision(examples, encoder)` embeds the texts and fits a balanced logistic regression, reporting its 5-fold
cross-validated AUC and keeping each example's out-of-fold probability (`scores`). No case file or evaluation batch is
read here: the detector that stacks this model is fitted on the case files (`dst.training.zero`).
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import cross_val_predict
from tqdm import tqdm

from dst import lexicon as lx
from dst.analysis import Analysis, Analyzer
from dst.elision import ElisionModel
from dst.zero import FREE_KINDS

# Particles of an argument the predicate takes (topic, subject, object, additive) or none ("메일함 비워줘").
_ARGUMENT_PARTICLES = frozenset({"은", "는", "ᆫ", "이", "가", "을", "를", "ᆯ", "도"})
MAX_CHARS = 60
ENCODE_BATCH = 64


@dataclass
class ElisionExamples:
    texts: list[str] = field(default_factory=list)
    labels: list[int] = field(default_factory=list)
    counts: Counter[str] = field(default_factory=Counter)
    frames: list[str] = field(default_factory=list)  # an open utterance that names the deleted thing (or any thing)
    scores: list[float] = field(default_factory=list)  # the model's cross-validated probability, set by fit_elision

    def followups(self) -> list[tuple[str, str, int, float]]:
        """(utterance, frame, label, elision score) of each example: an elided utterance after a question about what
        it lost, a complete one after an unrelated question; the zero-anaphora detector learns from them next to the
        dialogues. The score is out of fold, so the detector does not learn to trust an in-sample fit."""
        if len(self.scores) != len(self.texts):
            raise ValueError("fit_elision sets the scores; fit the model first")
        return list(zip(self.texts, self.frames, self.labels, self.scores, strict=True))


def open_utterances(root: Path) -> list[tuple[str, str]]:
    """(source, text) of the shared questions and requests."""
    out: list[tuple[str, str]] = []
    sae4k = root / "sae4k" / "sae4k_dev.tsv"
    for line in sae4k.read_text(encoding="utf-8").splitlines():
        parts = line.split("\t")
        if len(parts) >= 3 and parts[0].strip():
            out.append(("sae4k", parts[0].strip()))
    fci = root / "3i4k" / "fci_train_val.txt"
    for line in fci.read_text(encoding="utf-8").splitlines():
        parts = line.split("\t")
        if len(parts) >= 2 and parts[0] in ("2", "3") and parts[1].strip():
            out.append(("3i4k", parts[1].strip()))
    return out


def elide(analysis: Analysis, analyzer: Analyzer) -> str | None:
    """The utterance without its one named argument, or None when it has not exactly one or would break."""
    named = [m for m in analysis.mentions if m.kind not in FREE_KINDS]
    if len(named) != 1 or (named[0].particle is not None and named[0].particle not in _ARGUMENT_PARTICLES):
        return None
    m, end = named[0], named[0].end
    for tok in analysis.tokens:
        if tok.start < m.end:
            continue
        if not (tok.pos.startswith("J") and tok.start <= end + 1):
            break
        end = tok.end
    text = " ".join((analysis.text[: m.start] + analysis.text[end:]).split())
    rest = analyzer.analyze(text) if len(text) >= 2 else None
    if rest is None or not rest.tokens or any(x.kind not in FREE_KINDS for x in rest.mentions):
        return None
    if not any(t.pos.startswith(("V", "XS")) for t in rest.tokens):
        return None
    return text


def elision_examples(root: Path, analyzer: Analyzer, limit: int = 20000, seed: int = 3,
                     max_elided: int = 4000) -> ElisionExamples:
    utterances = open_utterances(root)
    rng = random.Random(seed)
    rng.shuffle(utterances)
    complete: list[str] = []
    elided: list[tuple[str, str, str]] = []  # (elided text, deleted noun phrase, original)
    naming: dict[str, list[str]] = {}  # noun phrase -> the utterances that name it
    for _, text in utterances[:limit]:
        if len(text) > MAX_CHARS:
            continue
        analysis = analyzer.analyze(text)
        if not analysis.tokens or any(t.form in lx.SOCIAL_NOUNS or t.form in lx.SOCIAL_PREDICATES
                                      for t in analysis.tokens):
            continue
        named = [m for m in analysis.mentions if m.kind not in FREE_KINDS]
        for m in named:
            naming.setdefault(m.text, []).append(text)
        if not named:
            complete.append(text)
            continue
        cut = elide(analysis, analyzer)
        if cut is not None:
            elided.append((cut, named[0].text, text))
    out = ElisionExamples()
    any_frames = [t for texts in naming.values() for t in texts]
    for text in complete:
        out.texts.append(text)
        out.labels.append(0)
        out.frames.append(rng.choice(any_frames))
        out.counts["complete as written"] += 1
    # the elided are several times as many; a sample keeps the encoding time down, the balanced fit does the rest
    for text, lost, original in rng.sample(elided, min(max_elided, len(elided))):
        others = [t for t in naming.get(lost, []) if t != original]
        out.texts.append(text)
        out.labels.append(1)
        out.frames.append(rng.choice(others) if others else original)
        out.counts["elided"] += 1
    return out


def fit_elision(examples: ElisionExamples, encoder: Any, *, c: float = 1.0,
                meta: dict[str, Any] | None = None) -> ElisionModel:
    if len(set(examples.labels)) < 2:
        raise ValueError(f"the elision model needs both kinds of utterance; got {dict(examples.counts)}")
    x = np.vstack([encoder.encode(examples.texts[i : i + ENCODE_BATCH])
                   for i in tqdm(range(0, len(examples.texts), ENCODE_BATCH), desc="embed", unit="batch")])
    y = np.array(examples.labels)
    model = LogisticRegression(C=c, class_weight="balanced", max_iter=4000)
    cv = cross_val_predict(model, x, y, cv=5, method="predict_proba")[:, 1]
    examples.scores = [float(p) for p in cv]
    model.fit(x, y)
    report = {"cross_validated_auc": round(float(roc_auc_score(y, cv)), 4), "c": c, "counts": dict(examples.counts)}
    return ElisionModel(model.coef_[0], float(model.intercept_[0]), meta={**report, **(meta or {})})
