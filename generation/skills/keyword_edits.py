"""Keyword normalisation learned from SAE4K as an edit model over the utterance's words, on top of the rules.

Contract: `LearnedNormalizer(kiwi).normalize_batch(utterances) -> list[str]`, same as `KeywordNormalizer`.
- Each whitespace word of the utterance gets one edit: keep it, delete it, or transform its ending
  (`T:<old suffix>><new suffix>`, "해줘" -> "하기", "있니" -> "있는지"); the transforms are the frequent ones
  in the training rows (a closed vocabulary learned from the data). After the words, one phrase from a learned
  vocabulary may be appended (a head noun such as 여부, 날짜, 방법) or none.
- Features of a word: its surface and Kiwi morphemes (first, last, tag sequence, suffix letters), its position
  from the end, the neighbouring words, and what the rules (`keywords.KeywordNormalizer`) did to it (aligned by
  shared prefix): the model learns where to trust the rules. Two linear classifiers (edits, appended phrase).
- A third linear classifier reads the whole utterance (character 1-4-grams, Kiwi morphemes, the last words and
  morphemes) and gives its SAE4K sentence type (`keyword_tables.SENTENCE_TYPES`). The type is handed to the rules
  as a hint (`KeywordNormalizer.analyse_batch(hints=…)`: which sentence to keep, how to re-inflect, what a
  prohibition forbids) and to the edit classifiers as a feature. Prohibition wins whenever its score is within
  `PROHIBITION_MARGIN` of the best: only it changes what the rules name, and it is the rarest type.
- The rules' answer is kept whole where they still win: alternative questions ("A할까 B할까"), which the
  rules rebuild as "A와 B 중 …" and which no word-level edit can express, and prohibitions the rules named
  ("…하지 않기"), where word edits tend to drop the forbidden verb (validation fold: prohibition token F1 0.621
  with the edits over them, 0.664 with the rules' answer kept). A yes/no question keeps its predicate: when the
  edits drop the "-는지" / "여부" the rules made, the rules' last word is put back (validation fold: yes/no
  0.767 -> 0.774; the annotators sometimes drop it too, so the edits alone learned to).
- `load_edit_model()` reads `models/keyword_edits.npz` once per process; None when absent (the rules alone).
`align(words, gold)` is the one alignment used both to label training rows and to describe the rules' output.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp

from generation.skills.keywords import KeywordNormalizer

MODEL_PATH = Path(__file__).resolve().parent / "models" / "keyword_edits.npz"
# chosen on the development rows: with types cross-fitted by fold, margins 0.0 / 0.3 / 0.6 gave the rules prohibition
# F1 0.62 / 0.64 / 0.65 and strong requests 0.55 / 0.54 / 0.51; with the weighted head of `keyword_edits_train`,
# rules + edits on the validation fold, 0.0 / 0.15 / 0.3 gave prohibition 0.66 / 0.67 / 0.68 (RESULTS.md, stop 54)
PROHIBITION_MARGIN = 0.3
_NONE = ("", "", 0, 0)


def _lcp(a: str, b: str) -> int:
    n = 0
    while n < min(len(a), len(b)) and a[n] == b[n]:
        n += 1
    return n


def align(words: Sequence[str], gold: Sequence[str]) -> tuple[list[str], list[str]]:
    """Per word K (kept), D (deleted) or T:a>b (ending a became b); and the gold words no word produced."""
    used: set[int] = set()
    labels = []
    for word in words:
        same = [k for k, g in enumerate(gold) if g == word and k not in used]
        if same:
            used.add(same[0])
            labels.append("K")
            continue
        shared, best = max(((_lcp(word, g), k) for k, g in enumerate(gold) if k not in used), default=(0, -1))
        if shared >= 1:
            used.add(best)
            labels.append(f"T:{word[shared:]}>{gold[best][shared:]}")
        else:
            labels.append("D")
    return labels, [g for k, g in enumerate(gold) if k not in used]


def apply_edit(word: str, label: str) -> str:
    if label == "K":
        return word
    if label == "D":
        return ""
    old, new = label[2:].split(">", 1)
    if not word.endswith(old):
        return word
    return word[: len(word) - len(old)] + new


def _words(text: str, tokens: Sequence[Any]) -> list[tuple[str, list[Any]]]:
    out, pos = [], 0
    for word in text.split():
        start = text.index(word, pos)
        pos = start + len(word)
        out.append((word, [t for t in tokens if start <= t.start < pos]))
    return out


def _morph(t: Any) -> str:
    return f"{t.form}/{t.tag}"


def type_features(text: str, tokens: Sequence[Any]) -> dict[str, int]:
    """What the sentence-type classifier reads: the whole utterance's character n-grams and morphemes."""
    spaced = " " + " ".join(text.split()) + " "
    f = {f"c{n}={spaced[i : i + n]}": 1 for n in (1, 2, 3, 4) for i in range(len(spaced) - n + 1)}
    words = text.split()[-2:]
    f.update({f"lw{k - len(words)}={w}": 1 for k, w in enumerate(words)})
    f.update({"m=" + _morph(t): 1 for t in tokens})
    last = list(tokens)[-4:]
    f.update({f"t{k - len(last)}={_morph(t)}": 1 for k, t in enumerate(last)})
    if text.rstrip().endswith("?"):
        f["?"] = 1
    return f


def word_features(
    text: str, tokens: Sequence[Any], rules_out: str, hint: str | None = None
) -> tuple[list[str], list[dict[str, int]]]:
    """The utterance's words and one feature dict per word (`hint`: the predicted sentence type)."""
    ws = _words(text, tokens)
    words = [w for w, _ in ws]
    ruled, _ = align(words, rules_out.split())
    n, out = len(ws), []
    for i, (word, morphs) in enumerate(ws):
        last, first = (morphs[-1], morphs[0]) if morphs else (None, None)
        end = min(n - 1 - i, 4)
        f = {"w=" + word: 1, "s1=" + word[-1:]: 1, "s2=" + word[-2:]: 1, "s3=" + word[-3:]: 1,
             "last=" + (_morph(last) if last else ""): 1, "lt=" + (last.tag if last else ""): 1,
             "first=" + (_morph(first) if first else ""): 1, "tags=" + "+".join(t.tag for t in morphs): 1,
             f"end={end}": 1, f"i={min(i, 3)}": 1, "R=" + ruled[i]: 1, f"R={ruled[i]}|{min(end, 2)}": 1,
             f"T={hint}|{min(end, 2)}": 1}
        for step, name in ((-1, "p"), (1, "n"), (2, "nn")):
            j = i + step
            if 0 <= j < n:
                lj = ws[j][1][-1] if ws[j][1] else None
                f[name + "last=" + (_morph(lj) if lj else "")] = 1
                f[name + "w=" + ws[j][0]] = 1
                f[name + "R=" + ruled[j]] = 1
            else:
                f[name + "none"] = 1
        for t in morphs:
            f["m=" + _morph(t)] = 1
        out.append(f)
    return words, out


def append_features(text: str, tokens: Sequence[Any], rules_out: str, hint: str | None = None) -> dict[str, int]:
    ws = _words(text, tokens)
    f: dict[str, int] = {f"T={hint}": 1}
    for k, (word, morphs) in enumerate(ws[-2:]):
        f[f"a{k}w={word}"] = 1
        for t in morphs:
            f[f"a{k}m={_morph(t)}"] = 1
    for _, morphs in ws:
        for t in morphs:
            if t.tag in ("NP", "MAG", "MM", "NNG"):
                f["any=" + _morph(t)] = 1
    ruled = rules_out.split()
    if ruled:
        f["rlast=" + ruled[-1]] = 1
        f["rs2=" + ruled[-1][-2:]] = 1
    return f


@dataclass(frozen=True)
class LinearHead:
    """A linear classifier over named binary features: argmax of W x + b."""

    index: dict[str, int]
    weights: sp.csr_matrix  # labels x features
    bias: np.ndarray
    labels: list[str]

    def predict(self, rows: Sequence[dict[str, int]]) -> list[str]:
        return [self.labels[i] for i in self.scores(rows).argmax(axis=1)]

    def scores(self, rows: Sequence[dict[str, int]]) -> np.ndarray:
        """rows x labels decision values."""
        data, cols, ptr = [], [], [0]
        for row in rows:
            hit = [self.index[f] for f in row if f in self.index]
            cols.extend(hit)
            data.extend([1.0] * len(hit))
            ptr.append(len(cols))
        x = sp.csr_matrix((data, cols, ptr), shape=(len(rows), len(self.index)))
        return np.asarray((x @ self.weights.T).toarray() + self.bias)


def sentence_types(head: LinearHead, rows: Sequence[dict[str, int]]) -> list[str]:
    """The type head's labels for `type_features` rows, with prohibition favoured by `PROHIBITION_MARGIN`."""
    if not rows:
        return []
    scores = head.scores(rows)
    best = scores.argmax(axis=1)
    if "prohibition" not in head.labels:
        return [head.labels[i] for i in best]
    p = head.labels.index("prohibition")
    near = scores[:, p] >= scores[np.arange(len(rows)), best] - PROHIBITION_MARGIN
    return [head.labels[p] if n else head.labels[i] for i, n in zip(best, near, strict=True)]


def head_arrays(prefix: str, head: LinearHead) -> dict[str, np.ndarray]:
    vocab = sorted(head.index, key=head.index.__getitem__)
    w = head.weights.tocsr()
    return {f"{prefix}_vocab": np.frombuffer("\n".join(vocab).encode(), dtype=np.uint8),
            f"{prefix}_labels": np.frombuffer(json.dumps(head.labels, ensure_ascii=False).encode(), dtype=np.uint8),
            f"{prefix}_data": w.data.astype(np.float16), f"{prefix}_indices": w.indices.astype(np.int32),
            f"{prefix}_indptr": w.indptr.astype(np.int32), f"{prefix}_bias": head.bias.astype(np.float32)}


def _head(data: Any, prefix: str) -> LinearHead:
    vocab = data[f"{prefix}_vocab"].tobytes().decode().split("\n")
    labels = json.loads(data[f"{prefix}_labels"].tobytes().decode())
    weights = sp.csr_matrix((data[f"{prefix}_data"].astype(np.float32), data[f"{prefix}_indices"],
                             data[f"{prefix}_indptr"]), shape=(len(labels), len(vocab)))
    return LinearHead({f: i for i, f in enumerate(vocab)}, weights, data[f"{prefix}_bias"], labels)


@dataclass(frozen=True)
class EditModel:
    edits: LinearHead
    append: LinearHead
    types: LinearHead | None = None  # absent from files written before the sentence-type head


def read_edit_model(path: Path) -> EditModel:
    with np.load(path) as data:
        types = _head(data, "types") if "types_vocab" in data.files else None
        return EditModel(_head(data, "edits"), _head(data, "append"), types)


@functools.cache
def _load(path: Path) -> EditModel | None:
    return read_edit_model(path) if path.is_file() else None


def load_edit_model(path: Path | None = None) -> EditModel | None:
    return _load((path or MODEL_PATH).resolve())


def _asks(query: str) -> bool:
    """Whether a keyword query ends as an embedded question ("…오는지", "… 여부")."""
    return query.endswith(("지", "여부"))


class LearnedNormalizer:
    """The rules, then the learned word edits (see the module docstring); the rules alone without a model."""

    def __init__(self, kiwi: Any | None = None, model: EditModel | None = None, path: Path | None = None) -> None:
        """`model`, else the file at `path` (default: the shipped one), else the rules alone."""
        self.rules = KeywordNormalizer(kiwi)
        self.model = model or load_edit_model(path)

    def normalize(self, utterance: str) -> str:
        return self.normalize_batch([utterance])[0]

    def sentence_types(self, utterances: Sequence[str], tokens: Sequence[Sequence[Any]]) -> list[str | None]:
        """The learned sentence type of each utterance, or None for each without a type head."""
        if self.model is None or self.model.types is None:
            return [None] * len(utterances)
        rows = [type_features(text, toks) for text, toks in zip(utterances, tokens, strict=True)]
        return list(sentence_types(self.model.types, rows))

    def normalize_batch(self, utterances: list[str]) -> list[str]:
        tokens = self.rules.tokenize(utterances)
        hints = self.sentence_types(utterances, tokens)
        ruled, kinds, _ = self.rules.analyse_batch(utterances, hints, tokens)
        if self.model is None:
            return ruled
        rows: list[dict[str, int]] = []
        spans: list[tuple[int, list[str]]] = []
        appends: list[dict[str, int]] = []
        for text, toks, out, hint in zip(utterances, tokens, ruled, hints, strict=True):
            words, feats = word_features(text, toks, out, hint)
            spans.append((len(rows), words))
            rows.extend(feats)
            appends.append(append_features(text, toks, out, hint))
        edits = self.model.edits.predict(rows) if rows else []
        heads = self.model.append.predict(appends)
        results = []
        for (start, words), head, out, kind, hint in zip(spans, heads, ruled, kinds, hints, strict=True):
            if kind == "alternative" or (hint == "prohibition" and out.endswith("않기")):
                results.append(out)
                continue
            parts = [apply_edit(w, edits[start + k]) for k, w in enumerate(words)]
            text = " ".join(p for p in [*parts, head] if p)
            asked = out.split()[-1] if hint == "yes/no" and out and _asks(out) else None
            if asked is not None and not _asks(text) and asked not in text.split():
                text = f"{text} {asked}".strip()  # the edits dropped the predicate the rules re-inflected
            results.append(text or out)
        return results
