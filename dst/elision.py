"""Whether an utterance reads as missing the topic or object its predicate takes ("몇 시까지 해?", "주차돼요?",
"두 개 더 주문해줘"), from its meaning rather than from a list of predicates.

Contract: `ElisionModel(weights, bias, meta=)` is a logistic model over the sentence encoder's embedding of the
utterance (multilingual-e5-small, 384 dimensions, `korean.encoder`); `probability(embedding)` is in [0, 1];
`save(path)` writes JSON that `ElisionModel.load(path)` reads back, or None when the file is missing or unreadable
(logged). `elision_score(model, encoder)` is the callable the zero-anaphora detector reads (`dst.zero`): text ->
probability, never raising (0.0 when the encoder fails). The model is fitted on open data only by
`dst.training.elision` (questions and requests of sae4k and 3i4k, with one argument deleted, against those that
name nothing as written) and ships as `data/elision_model.json`.
"""

from __future__ import annotations

import json
import logging
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

log = logging.getLogger(__name__)

BUNDLED = Path(__file__).resolve().parent / "data" / "elision_model.json"
ElisionScore = Callable[[str], float]


class ElisionModel:
    def __init__(self, weights: np.ndarray, bias: float, *, meta: dict[str, Any] | None = None) -> None:
        self.weights = np.asarray(weights, dtype=np.float32).ravel()
        self.bias = float(bias)
        self.meta = meta or {}

    def probability(self, embedding: np.ndarray) -> float:
        z = float(np.asarray(embedding, dtype=np.float32).ravel() @ self.weights) + self.bias
        return 1.0 / (1.0 + math.exp(-max(-60.0, min(60.0, z))))

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        data = {"weights": [round(float(w), 6) for w in self.weights], "bias": self.bias, "meta": self.meta}
        path.write_text(json.dumps(data, ensure_ascii=False) + "\n", encoding="utf-8")

    @classmethod
    def load(cls, path: Path | None = None) -> ElisionModel | None:
        try:
            data = json.loads((path or BUNDLED).read_text(encoding="utf-8"))
            weights = np.array(data["weights"], dtype=np.float32)
            return cls(weights, float(data["bias"]), meta=dict(data.get("meta", {})))
        except FileNotFoundError:
            return None
        except (OSError, ValueError, KeyError, TypeError) as exc:
            log.warning("elision model %s not usable (%s); the zero-anaphora detector decides without it",
                        path or BUNDLED, exc)
            return None


def elision_score(model: ElisionModel, encoder: Any) -> ElisionScore:
    """The model over the encoder's (cached) embedding of a text; the detector encodes the utterance anyway."""

    def score(text: str) -> float:
        try:
            return model.probability(encoder.encode([text])[0])
        except Exception:  # the encoder only adds evidence; the detector decides without it
            log.exception("elision score failed; deciding without it")
            return 0.0

    return score
