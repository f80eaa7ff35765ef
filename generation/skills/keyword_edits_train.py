"""Training the keyword edit model (`keyword_edits.py`) from SAE4K (`utterance<TAB>core query<TAB>type`).

Contract: `train(tsv, out)` fits on the rows whose index % 5 != 0 (the rows the rules were written on) and
reports on the rows whose index % 5 == 0, which neither the rules nor the model were fitted on: token F1
(bag of whitespace tokens, SQuAD style) and exact match per sentence type, for the rules alone and for the
rules + edits, and the sentence-type head's accuracy. The type head is fitted first, on SAE4K's labels; the edit
classifiers then learn from the rules' output under the types a head fitted without that row's fold predicted
(cross-fitting by index % 5), so they see hints as wrong as the shipped head's on new text. Edits seen fewer
than `MIN_EDIT` times and appended phrases seen fewer than `MIN_APPEND` times are not in the vocabulary; features
seen once are dropped; weights below `MIN_WEIGHT` are dropped from the file.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction import DictVectorizer
from sklearn.svm import LinearSVC

from generation.skills.keyword_edits import (
    EditModel,
    LearnedNormalizer,
    LinearHead,
    align,
    append_features,
    head_arrays,
    read_edit_model,
    sentence_types,
    type_features,
    word_features,
)
from generation.skills.keyword_tables import SENTENCE_TYPES
from generation.skills.keywords import KeywordNormalizer

MIN_EDIT, MIN_APPEND, MIN_WEIGHT, C = 15, 5, 0.02, 0.1
# the type head weighs each type by its rarity: prohibitions are 1.5% of the rows (validation fold, with the margin
# of 0.3: prohibition F1 0.663 -> 0.682, yes/no 0.776 -> 0.778 against C 0.1 unweighted)
TYPES_C, TYPES_WEIGHT = 0.03, "balanced"
TYPES = {0: "yes/no Q", 1: "alternative Q", 2: "wh-Q", 3: "prohibition", 4: "requirement", 5: "strong req."}


def load_rows(path: Path) -> list[tuple[int, str, str, int]]:
    rows = []
    for i, line in enumerate(path.read_text(encoding="utf-8").splitlines()):
        parts = line.split("\t")
        if len(parts) >= 3 and parts[2].strip().isdigit():
            rows.append((i, parts[0].strip(), parts[1].strip(), int(parts[2])))
    if not rows:
        raise FileNotFoundError(f"no SAE4K rows in {path}")
    return rows


def token_f1(pred: str, gold: str) -> float:
    p, g = pred.split(), gold.split()
    common = sum((Counter(p) & Counter(g)).values())
    if not p or not g or common == 0:
        return float(not p and not g)
    precision, recall = common / len(p), common / len(g)
    return 2 * precision * recall / (precision + recall)


def _fit_head(
    rows: list[dict[str, int]], labels: list[str], c: float = C, class_weight: str | None = None, iterations: int = 1000
) -> LinearHead:
    counts: Counter[str] = Counter(f for row in rows for f in row)
    vec = DictVectorizer()
    x = vec.fit_transform([{f: 1 for f in row if counts[f] >= 2} for row in rows]).tocsr()
    x.indices, x.indptr = x.indices.astype(np.int32), x.indptr.astype(np.int32)
    clf = LinearSVC(C=c, class_weight=class_weight, max_iter=iterations).fit(x, labels)
    coef = clf.coef_ if len(clf.classes_) > 2 else np.vstack([-clf.coef_[0], clf.coef_[0]])
    bias = clf.intercept_ if len(clf.classes_) > 2 else np.array([-clf.intercept_[0], clf.intercept_[0]])
    coef[np.abs(coef) < MIN_WEIGHT] = 0.0
    names = list(vec.get_feature_names_out())
    return LinearHead({f: i for i, f in enumerate(names)}, sp.csr_matrix(coef), bias, list(clf.classes_))


def _fit_type_head(feats: list[dict[str, int]], rows: list[tuple[int, str, str, int]]) -> LinearHead:
    return _fit_head(feats, [SENTENCE_TYPES[r[3]] for r in rows], TYPES_C, TYPES_WEIGHT, iterations=10_000)


def fit_types(rows: list[tuple[int, str, str, int]], tokens: list[list[Any]]) -> LinearHead:
    """The sentence-type head, on SAE4K's own labels."""
    return _fit_type_head([type_features(r[1], toks) for r, toks in zip(rows, tokens, strict=True)], rows)


def cross_fitted_types(rows: list[tuple[int, str, str, int]], tokens: list[list[Any]]) -> list[str]:
    """Each row's type from a head fitted on the other folds (index % 5) of `rows`."""
    feats = [type_features(r[1], toks) for r, toks in zip(rows, tokens, strict=True)]
    hints = [""] * len(rows)
    for fold in sorted({r[0] % 5 for r in rows}):
        inside = [k for k, r in enumerate(rows) if r[0] % 5 != fold]
        outside = [k for k, r in enumerate(rows) if r[0] % 5 == fold]
        head = _fit_type_head([feats[k] for k in inside], [rows[k] for k in inside])
        predicted = sentence_types(head, [feats[k] for k in outside])
        for k, hint in zip(outside, predicted, strict=True):
            hints[k] = hint
    return hints


def fit(
    rows: list[tuple[int, str, str, int]], ruled: list[str], tokens: list[list[Any]], hints: list[str] | None = None
) -> EditModel:
    """The edit and append heads over the rules' output `ruled` (made under `hints`, which are also features)."""
    word_rows, word_labels, append_rows, append_labels = [], [], [], []
    kinds: list[str | None] = list(hints) if hints is not None else [None] * len(rows)
    for (_, text, gold, _), out, toks, hint in zip(rows, ruled, tokens, kinds, strict=True):
        words, feats = word_features(text, toks, out, hint)
        labels, rest = align(words, gold.split())
        word_rows.extend(feats)
        word_labels.extend(labels)
        append_rows.append(append_features(text, toks, out, hint))
        append_labels.append(rest[-1] if rest and gold.split()[-1] == rest[-1] else "")
    edit_counts, append_counts = Counter(word_labels), Counter(append_labels)
    kept = [k for k, label in enumerate(word_labels) if edit_counts[label] >= MIN_EDIT]
    edits = _fit_head([word_rows[k] for k in kept], [word_labels[k] for k in kept])
    appended = [a if a and append_counts[a] >= MIN_APPEND else "" for a in append_labels]
    return EditModel(edits, _fit_head(append_rows, appended))


def _report(rows: list[tuple[int, str, str, int]], ruled: list[str], learned: list[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, keep in [("all", lambda t: True)] + [(TYPES[t], lambda x, t=t: x == t) for t in TYPES]:
        picked = [k for k, r in enumerate(rows) if keep(r[3])]
        if not picked:
            continue
        out[name] = {"n": len(picked),
                     "rules_f1": round(float(np.mean([token_f1(ruled[k], rows[k][2]) for k in picked])), 4),
                     "learned_f1": round(float(np.mean([token_f1(learned[k], rows[k][2]) for k in picked])), 4),
                     "rules_exact": round(float(np.mean([ruled[k] == rows[k][2] for k in picked])), 4),
                     "learned_exact": round(float(np.mean([learned[k] == rows[k][2] for k in picked])), 4)}
    return out


def train(tsv: Path, out: Path, progress: Callable[[str], None] = print) -> dict[str, Any]:
    rows = load_rows(tsv)
    rules = KeywordNormalizer()
    utterances = [r[1] for r in rows]
    ruled, _, tokens = rules.analyse_batch(utterances)
    train_idx = [k for k, r in enumerate(rows) if r[0] % 5 != 0]
    test_idx = [k for k, r in enumerate(rows) if r[0] % 5 == 0]
    train_rows, train_tokens = [rows[k] for k in train_idx], [tokens[k] for k in train_idx]
    progress(f"{len(train_idx)} training rows, {len(test_idx)} held-out rows; fitting the sentence types")
    hints = cross_fitted_types(train_rows, train_tokens)
    types = fit_types(train_rows, train_tokens)
    hinted, _, _ = rules.analyse_batch([r[1] for r in train_rows], hints, train_tokens)
    progress("fitting the edits")
    model = fit(train_rows, hinted, train_tokens, hints)
    out.parent.mkdir(parents=True, exist_ok=True)
    arrays = {**head_arrays("edits", model.edits), **head_arrays("append", model.append),
              **head_arrays("types", types)}
    np.savez_compressed(out, allow_pickle=False, **arrays)
    shipped = LearnedNormalizer(model=read_edit_model(out))
    held = [rows[k] for k in test_idx]
    learned = shipped.normalize_batch([r[1] for r in held])
    predicted = shipped.sentence_types([r[1] for r in held], [tokens[k] for k in test_idx])
    report = {"model": str(out), "bytes": out.stat().st_size, "edits": len(model.edits.labels),
              "appended_phrases": len(model.append.labels) - 1, "train_rows": len(train_idx),
              "cross_fitted_type_accuracy": round(float(np.mean(
                  [h == SENTENCE_TYPES[r[3]] for h, r in zip(hints, train_rows, strict=True)])), 4),
              "held_out_type_accuracy": round(float(np.mean(
                  [h == SENTENCE_TYPES[r[3]] for h, r in zip(predicted, held, strict=True)])), 4),
              "held_out": _report(held, [ruled[k] for k in test_idx], learned)}
    return report
