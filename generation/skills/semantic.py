"""The semantic rewrite strategy: queries close in meaning to a null query that are known to find something.

Contract: `SemanticMemory(encoder, size)` keeps, per search backend, the texts known to get hits: queries and
rewrites that got hits on that backend (`remember`), plus what the backend itself offers when it has a
`titles() -> list[str]` method (stored questions, indexed titles). `neighbours(backend_name, backend, query, k,
min_cosine)` returns up to `k` of those texts, the closest first by the encoder's cosine (multilingual-e5-small
through `korean.encoder`), each at least `min_cosine` and never the query itself. They are still counted on the
backend like every other rewrite, so only those that get hits now are returned. The memory is bounded (oldest
forgotten first) and thread-safe; vectors are computed once per text.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any

import numpy as np


class SemanticMemory:
    def __init__(self, encoder: Any, size: int) -> None:
        self.encoder = encoder
        self.size = size
        self._texts: dict[str, OrderedDict[str, np.ndarray | None]] = {}
        self._lock = threading.Lock()

    def remember(self, backend_name: str, texts: list[str]) -> None:
        with self._lock:
            known = self._texts.setdefault(backend_name, OrderedDict())
            for text in texts:
                known[text] = known.pop(text, None)
                while len(known) > self.size:
                    known.popitem(last=False)

    def _vectors(self, backend_name: str) -> tuple[list[str], np.ndarray]:
        with self._lock:
            known = self._texts.get(backend_name, OrderedDict())
            missing = [t for t, v in known.items() if v is None]
        if missing:
            rows = self.encoder.encode(missing)
            with self._lock:
                for text, row in zip(missing, rows, strict=True):
                    if text in known:
                        known[text] = row
        with self._lock:
            pairs = [(t, v) for t, v in known.items() if v is not None]
        if not pairs:
            return [], np.zeros((0, 1), dtype=np.float32)
        return [t for t, _ in pairs], np.vstack([v for _, v in pairs])

    def neighbours(self, backend_name: str, backend: Any, query: str, k: int, min_cosine: float) -> list[str]:
        titles = getattr(backend, "titles", None)
        if callable(titles):
            self.remember(backend_name, [t for t in titles() if isinstance(t, str) and t.strip()][: self.size])
        texts, matrix = self._vectors(backend_name)
        if not texts:
            return []
        scores = matrix @ self.encoder.encode([query])[0]
        order = np.argsort(-scores)
        clean = " ".join(query.split())
        return [texts[i] for i in order[: k + 1] if scores[i] >= min_cosine and texts[i] != clean][:k]
