"""An encoder wrapper for tests: which texts a real encoder was asked to embed, and whether a bulk context opened."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import numpy as np

from korean.encoder import Encoder


class CountingEncoder:
    """A real encoder, recording which texts it was asked to embed and whether a bulk context was open."""

    def __init__(self, inner: Encoder) -> None:
        self.inner = inner
        self.name = inner.name
        self.dimension = inner.dimension
        self.embedded: list[str] = []
        self.bulk_calls = 0

    def encode(self, texts: Sequence[str], *, passage: bool = False) -> np.ndarray:
        self.embedded.extend(texts)
        return self.inner.encode(texts, passage=passage)

    @contextmanager
    def bulk(self) -> Iterator[bool]:
        self.bulk_calls += 1
        yield True
