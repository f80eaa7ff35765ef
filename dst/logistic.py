"""The fitted logistic models of context injection, in one shape: named feature weights, a bias, a decision
threshold and the fitting report (`meta`), stored as JSON.

Contract: `LogisticModel(weights, bias, threshold, meta=)` refuses a weight for a feature outside the subclass's
`FEATURE_NAMES`; `probability(values)` is the logistic of bias + weights · values (missing features count 0);
`save(path)` writes the JSON that `read_model(cls, path, **extra)` turns back into the model, or None when the file
is missing or unreadable (logged with the subclass's `FALLBACK`, what happens without it). `feature_matrix(rows,
names)` is the dense matrix the training code fits on.
"""

from __future__ import annotations

import json
import logging
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any, ClassVar, TypeVar

import numpy as np

log = logging.getLogger(__name__)
M = TypeVar("M", bound="LogisticModel")


class LogisticModel:
    FEATURE_NAMES: ClassVar[tuple[str, ...]] = ()
    NAME: ClassVar[str] = "model"
    FALLBACK: ClassVar[str] = ""

    def __init__(self, weights: dict[str, float], bias: float, threshold: float, *,
                 meta: dict[str, Any] | None = None) -> None:
        unknown = set(weights) - set(self.FEATURE_NAMES)
        if unknown:
            raise ValueError(f"{self.NAME} has unknown features {sorted(unknown)}")
        self.weights, self.bias, self.threshold = weights, bias, threshold
        self.meta = meta or {}

    def probability(self, values: dict[str, float]) -> float:
        z = self.bias + sum(self.weights.get(name, 0.0) * v for name, v in values.items())
        return 1.0 / (1.0 + math.exp(-max(-60.0, min(60.0, z))))

    def to_dict(self) -> dict[str, Any]:
        return {"weights": self.weights, "bias": self.bias, "threshold": self.threshold, "meta": self.meta}

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(self.to_dict(), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def read_model(cls: type[M], path: Path, **extra: Any) -> M | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return cls({k: float(v) for k, v in data["weights"].items()}, float(data["bias"]),
                   float(data["threshold"]), meta=dict(data.get("meta", {})), **extra)
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError) as exc:
        log.warning("%s %s not usable (%s); %s", cls.NAME, path, exc, cls.FALLBACK)
        return None


def feature_matrix(rows: Sequence[dict[str, float]], names: Sequence[str]) -> np.ndarray:
    index = {name: i for i, name in enumerate(names)}
    x = np.zeros((len(rows), len(names)))
    for r, row in enumerate(rows):
        for name, value in row.items():
            x[r, index[name]] = value
    return x
