"""Korean helpers of the skills: eojeol grouping and the Hangul share of a text.

Contract: `eojeols(text, tokens)` groups Kiwi tokens by the whitespace-separated word (eojeol) they start in,
keeping each word's original surface. Skills analyse with the process's plain Kiwi (`korean.kiwi.shared_kiwi`) and
never add user words to it.
`hangul_ratio(text)` is the share of letters that are Hangul, used to refuse non-Korean input.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

_WORD = re.compile(r"\S+")


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
