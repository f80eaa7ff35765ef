"""Calibration: fusion weights, the confidence model and the retrieve/generate threshold.

Contract: a `Calibration` is data, fitted by `assistant index calibrate` (see `retrieval.fitting`) and
stored as JSON. Ranking uses `fused = sum(weights[r] * score_r)` over retrievers present in the index.
Confidence is a logistic model over features of the top candidate (fused score, per-retriever scores,
term coverage both ways, plain and idf-weighted with unseen query terms weighing most, margin to the best
candidate with a different answer; with the dense retriever, the cosine's lead over the closest other answer and
whether the best candidate is also the nearest by meaning), so
`score` is a probability in [0, 1] that the retrieved answer is right; the selector retrieves when it is at least
`threshold`. The package ships two, each produced by the command recorded inside it: `data/calibration.json`
fitted with the default encoder (multilingual-e5-small) in the fusion, and `data/calibration-lexical.json` for
selection without an encoder (`Calibration.load(dense=False)`).
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

BUNDLED_CALIBRATION = Path(__file__).resolve().parent / "data" / "calibration.json"
BUNDLED_LEXICAL_CALIBRATION = BUNDLED_CALIBRATION.with_name("calibration-lexical.json")
FEATURES: tuple[str, ...] = ("fused", "bm25", "char", "dense", "cover_query", "cover_doc", "cover_query_idf",
                             "cover_doc_idf", "unmatched_query", "substitution", "margin", "dense_margin",
                             "dense_first")


@dataclass(frozen=True)
class Calibration:
    weights: dict[str, float]
    coef: dict[str, float]
    intercept: float
    threshold: float
    meta: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.weights or any(w < 0 or not math.isfinite(w) for w in self.weights.values()):
            raise ValueError("calibration weights must be finite, non-negative and not empty")
        if not 0.0 <= self.threshold <= 1.0:
            raise ValueError("calibration threshold must be in [0, 1]")
        unknown = set(self.coef) - set(FEATURES)
        if unknown:
            raise ValueError(f"calibration has unknown features {sorted(unknown)}")

    def confidence(self, features: dict[str, float]) -> float:
        z = self.intercept + sum(c * features.get(name, 0.0) for name, c in self.coef.items())
        z = max(-60.0, min(60.0, z))
        return 1.0 / (1.0 + math.exp(-z))

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Calibration:
        try:
            return cls(weights={k: float(v) for k, v in data["weights"].items()},
                       coef={k: float(v) for k, v in data["coef"].items()},
                       intercept=float(data["intercept"]), threshold=float(data["threshold"]),
                       meta=dict(data.get("meta", {})))
        except (KeyError, TypeError, AttributeError) as exc:
            raise ValueError(f"calibration file is missing or has a malformed field: {exc}") from exc

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(self.to_dict(), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")

    @property
    def uses_dense(self) -> bool:
        return self.weights.get("dense", 0.0) > 0

    @classmethod
    def load(cls, path: Path | None = None, *, dense: bool = True) -> Calibration:
        """Load a calibration file; None loads the one shipped with the package for selection with (`dense`) or
        without an encoder."""
        bundled = BUNDLED_CALIBRATION if dense else BUNDLED_LEXICAL_CALIBRATION
        text = Path(path or bundled).read_text(encoding="utf-8")
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ValueError(f"calibration file {path or 'bundled'} is not valid JSON: {exc.msg}") from exc
        return cls.from_dict(data)


# Used only before the first `assistant index calibrate` run (bootstrap); never shipped as the default.
UNFITTED = Calibration(weights={"bm25": 0.5, "char": 0.5}, coef={"fused": 8.0}, intercept=-4.0,
                       threshold=0.5, meta={"note": "unfitted bootstrap values"})
