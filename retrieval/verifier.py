"""Near-miss verifier: a learned pairwise model that re-checks the selector's best candidates.

Contract: a `Verifier` gives, for a query and stored questions, the probability that each question asks
the same thing as the query, and carries its `threshold`. `CrossEncoderVerifier` loads a
sentence-transformers CrossEncoder by hub id or local directory (as written by `assistant verifier
train`; its `manifest.json` holds the threshold fitted on held-out data) and raises `VerifierUnavailable`
when it cannot. `verify(selection, query, verifier)` can only veto: a "retrieve" selection keeps its hit
when the verifier's probability for that hit's question reaches the threshold, else the turn goes to
generation; a "generate" selection is returned unchanged (the verifier never reranks or promotes a
candidate). It never raises: a failing verifier keeps the original selection and says so in the reason.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Protocol, runtime_checkable

import numpy as np

from retrieval.errors import RetrievalError
from retrieval.types import Selection

log = logging.getLogger(__name__)


class VerifierUnavailable(RetrievalError, RuntimeError):
    """The configured verifier model cannot be loaded."""


@runtime_checkable
class Verifier(Protocol):
    name: str
    threshold: float

    def probabilities(self, query: str, questions: Sequence[str]) -> np.ndarray: ...


def manifest_threshold(name_or_path: str, default: float = 0.5) -> float:
    path = Path(name_or_path) / "manifest.json"
    if not path.is_file():
        return default
    value = json.loads(path.read_text(encoding="utf-8")).get("threshold", default)
    return float(value)


class CrossEncoderVerifier:
    """sentence-transformers CrossEncoder with one sigmoid output, on CPU unless told otherwise."""

    def __init__(self, name_or_path: str, *, threshold: float | None = None, device: str = "cpu",
                 batch_size: int = 32) -> None:
        try:
            from sentence_transformers import CrossEncoder

            self._model = CrossEncoder(name_or_path, device=device)
            resolved = manifest_threshold(name_or_path) if threshold is None else float(threshold)
        except Exception as exc:  # any loader failure (missing files, no network, bad manifest) is one reason
            raise VerifierUnavailable(f"cannot load verifier {name_or_path!r}: {exc}") from exc
        if not 0.0 <= resolved <= 1.0:
            raise VerifierUnavailable(f"verifier threshold must be in [0, 1], got {resolved}")
        self.name = name_or_path
        self.threshold = resolved
        self._batch_size = batch_size
        self._lock = threading.Lock()

    def probabilities(self, query: str, questions: Sequence[str]) -> np.ndarray:
        if not questions:
            return np.zeros(0, dtype=np.float32)
        with self._lock:
            scores = self._model.predict([(query, q) for q in questions], batch_size=self._batch_size,
                                         show_progress_bar=False, convert_to_numpy=True)
        return np.asarray(scores, dtype=np.float32).reshape(-1)


def verify(selection: Selection, query: str, verifier: Verifier) -> Selection:
    """Veto: a "retrieve" selection stays so only when the verifier accepts its hit; "generate" is kept.

    Measured (benchmarks/RESULTS.md): letting the verifier rerank or promote candidates lost
    accuracy, so it only confirms or refuses the calibrated choice.
    """
    if selection.decision != "retrieve" or selection.hit is None:
        return selection
    hit = selection.hit
    try:
        prob = float(verifier.probabilities(query, [hit.question])[0])
    except Exception:  # the verifier must never fail the turn
        log.exception("verifier failed; keeping the calibrated decision")
        return replace(selection, reason=selection.reason + " (verifier failed; calibrated decision kept)")
    if prob >= verifier.threshold:
        return replace(selection, reason=selection.reason + f"; verifier agrees ({prob:.2f} >= "
                                                            f"{verifier.threshold:.2f})")
    return replace(selection, decision="generate", hit=None, score=prob, threshold=verifier.threshold,
                   reason=f"verifier: stored question {hit.question!r} asks something else "
                          f"({prob:.2f} < {verifier.threshold:.2f})")
