"""Shared Korean morphology helpers for skills: one lazily built Kiwi analyser and eojeol grouping.

Contract: `get_kiwi()` returns the process-wide `kiwipiepy.Kiwi`: the one installed with `use_kiwi` (the server
shares one Kiwi between packages), else one built on first use (~1 s). Kiwi's analysis is read-only and safe to
share between threads; skills never add user words to it. `eojeols(text, tokens)` groups Kiwi tokens by the
whitespace-separated word (eojeol) they start in, keeping each word's original surface.
`hangul_ratio(text)` is the share of letters that are Hangul, used to refuse non-Korean input.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from kiwipiepy import Kiwi

_WORD = re.compile(r"\S+")


_installed: Kiwi | None = None


def use_kiwi(kiwi: Kiwi) -> None:
    """Analyse with `kiwi` from now on (instead of building one)."""
    global _installed
    _installed = kiwi


def get_kiwi() -> Kiwi:
    return _installed if _installed is not None else _own_kiwi()


@lru_cache(maxsize=1)
def _own_kiwi() -> Kiwi:
    return Kiwi()


@dataclass
class Eojeol:
    start: int
    end: int
    surface: str
    tokens: list[Any] = field(default_factory=list)

    def tags(self) -> list[str]:
        return [t.tag for t in self.tokens]


def eojeols(text: str, tokens: list[Any]) -> list[Eojeol]:
    words = [Eojeol(m.start(), m.end(), m.group()) for m in _WORD.finditer(text)]
    i = 0
    for tok in tokens:
        while i < len(words) - 1 and tok.start >= words[i].end:
            i += 1
        if words:
            words[i].tokens.append(tok)
    return [w for w in words if w.tokens]


def hangul_ratio(text: str) -> float:
    letters = [c for c in text if c.isalpha()]
    if not letters:
        return 0.0
    hangul = sum(1 for c in letters if "\uac00" <= c <= "\ud7a3" or "\u3131" <= c <= "\u318e")
    return hangul / len(letters)
