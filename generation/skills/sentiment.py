"""The learned Korean review-sentiment model: character and Kiwi-morpheme n-grams, one linear layer.

Contract:
- `features(text, tokens)` turns one review (and its Kiwi tokens) into the set of feature strings the model
  reads: character 1-3-grams of the whitespace-normalised text (`c:`), character 2-4-grams of the text without
  spaces and with letter runs cut to two (`n:`, "ㅋㅋㅋㅋ" = "ㅋㅋ"), morpheme forms with their tag group (`m:`),
  and morpheme pairs (`b:`) and triples (`t:`). Training and inference call this same function.
- `SentimentModel.probability(items)` gives P(positive) per review: binary TF-IDF weights of the features the
  model knows (idf from training), L2-normalised, dotted with the weights, plus the bias, through a logistic.
  Exactly what scikit-learn's `TfidfVectorizer(binary=True)` + `LogisticRegression` computed when it was fitted
  (the naive-Bayes log-count ratios the features were scaled by in training are folded into the weights).
- `SentimentModel.label(p)`: "positive" from `upper`, "negative" up to `lower`, "neutral" between. The two
  thresholds are fitted on validation movies (never the held-out ones) so that the per-movie 3-way shares
  match the ratings' (1-4 negative, 5-7 neutral, 8-10 positive).
- `load_model(path=None)` reads the shipped file `models/sentiment.npz` once per process; it returns None
  when the file is absent, and the summariser then falls back to the lexicon (`lexicon.py`).
The file is trained by `assistant skill-train sentiment` from NSMC movies (`sentiment_train.py`).
"""

from __future__ import annotations

import functools
import itertools
import json
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

MODEL_PATH = Path(__file__).resolve().parent / "models" / "sentiment.npz"
_TAG_GROUP = {"NNG": "N", "NNP": "N", "NNB": "N", "NR": "N", "NP": "N", "VV": "V", "VA": "A", "VX": "X",
              "XR": "R", "MAG": "M", "MAJ": "M", "IC": "I", "SW": "W", "SL": "L", "SN": "D"}


_RUNS = re.compile(r"(.)\1{2,}")


def _tag(tag: str) -> str:
    base = tag.split("-")[0]
    return _TAG_GROUP.get(base, base[:2])


def features(text: str, tokens: Iterable[Any]) -> set[str]:
    """The feature strings of one review: char n-grams with and without spaces, morpheme 1-3-grams."""
    flat = " " + " ".join(text.split()) + " "
    out = {"c:" + flat[i : i + n] for n in (1, 2, 3) for i in range(len(flat) - n + 1)}
    out.discard("c: ")
    # review spacing is erratic: the same n-grams over the text without spaces, letter runs cut to two
    tight = _RUNS.sub(r"\1\1", "".join(text.split()))
    out.update("n:" + tight[i : i + n] for n in (2, 3, 4) for i in range(len(tight) - n + 1))
    morphs = [f"{t.form}/{_tag(t.tag)}" for t in tokens]
    out.update("m:" + m for m in morphs)
    out.update(f"b:{a} {b}" for a, b in itertools.pairwise(morphs))
    out.update(f"t:{a} {b} {c}" for a, b, c in zip(morphs, morphs[1:], morphs[2:], strict=False))
    return out


def three_way(p: float, lower: float, upper: float) -> str:
    """"positive" from `upper`, "negative" up to `lower`, "neutral" between."""
    if p >= upper:
        return "positive"
    if p <= lower:
        return "negative"
    return "neutral"


@dataclass(frozen=True)
class SentimentModel:
    index: dict[str, int]
    idf: np.ndarray
    weights: np.ndarray
    bias: float
    lower: float
    upper: float
    meta: dict[str, Any]

    def scores(self, feature_sets: Sequence[set[str]]) -> np.ndarray:
        """The linear scores (log-odds of positive) of reviews given as feature sets."""
        out = np.empty(len(feature_sets), dtype=np.float64)
        index, idf, weights = self.index, self.idf, self.weights
        for row, feats in enumerate(feature_sets):
            cols = [index[f] for f in feats if f in index]
            if not cols:
                out[row] = self.bias
                continue
            x = idf[cols]
            out[row] = float(x @ weights[cols]) / math.sqrt(float(x @ x)) + self.bias
        return out

    def probability(self, items: Sequence[tuple[str, Sequence[Any]]]) -> np.ndarray:
        """P(positive) of each (text, Kiwi tokens) review."""
        z = self.scores([features(text, tokens) for text, tokens in items])
        return 1.0 / (1.0 + np.exp(-z))

    def label(self, p: float) -> str:
        return three_way(p, self.lower, self.upper)


def save_model(path: Path, vocabulary: Sequence[str], idf: np.ndarray, weights: np.ndarray, bias: float,
               lower: float, upper: float, meta: dict[str, Any]) -> None:
    """Write the model as a compressed npz: the vocabulary as one newline-joined string, float16 arrays."""
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(
        path,
        vocabulary=np.frombuffer("\n".join(vocabulary).encode("utf-8"), dtype=np.uint8),
        idf=np.asarray(idf, dtype=np.float16),
        weights=np.asarray(weights, dtype=np.float16),
        scalars=np.array([bias, lower, upper], dtype=np.float64),
        meta=np.frombuffer(json.dumps(meta, ensure_ascii=False).encode("utf-8"), dtype=np.uint8),
    )


def read_model(path: Path) -> SentimentModel:
    with np.load(path) as data:
        vocabulary = data["vocabulary"].tobytes().decode("utf-8").split("\n")
        bias, lower, upper = (float(v) for v in data["scalars"])
        return SentimentModel(
            index={f: i for i, f in enumerate(vocabulary)},
            idf=data["idf"].astype(np.float64),
            weights=data["weights"].astype(np.float64),
            bias=bias, lower=lower, upper=upper,
            meta=json.loads(data["meta"].tobytes().decode("utf-8")),
        )


@functools.cache
def _load(path: Path) -> SentimentModel | None:
    return read_model(path) if path.is_file() else None


def load_model(path: Path | None = None) -> SentimentModel | None:
    """The model in `path` (default: the shipped file), read once per process; None when there is no file."""
    return _load((path or MODEL_PATH).resolve())
