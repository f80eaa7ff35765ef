"""Kiwi's tokens as the repair sees them: positions relative to the sentence, known misreadings corrected.

Contract: `sentence_morphs(tokens, offset, text)` returns one `Morph` per Kiwi token of the sentence `text` (which
starts at `offset` in the analysed text), with Kiwi's misread honorific -세요 verbs replaced by verb + 어요, so the
ending rules can conjugate them, and a sentence-final "요" after a word that is not a predicate ("정말요?", read as
an ending) retagged as the polite particle it is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

# Tags after which "요" cannot be a verbal ending: it is the polite particle on a noun, adverb or particle.
_NON_PREDICATE = ("N", "MA", "MM", "J", "IC", "XR", "SN", "SL")

# Suppletive honorific verbs written with -세요 that Kiwi misreads ("드세요" as 드세/VA + 어요).
_MISREAD_STEMS = re.compile(r"(드|주무|계|잡수)세요")


@dataclass(frozen=True)
class Morph:
    """A Kiwi token with its start relative to its sentence (repair may substitute corrected ones)."""
    form: str
    tag: str
    start: int
    len: int


def sentence_morphs(tokens: list[Any], offset: int, text: str) -> list[Morph]:
    """Kiwi's tokens relative to the sentence, with misread honorific -세요 verbs corrected: Kiwi reads "드세요" as
    드세/VA + 어요 and "주무세요"/"계세요" as a noun + copula, which no ending rule can conjugate."""
    result = [Morph(t.form, t.tag, t.start - offset, t.len) for t in tokens]
    for i, m in enumerate(result):
        if m.form == "요" and m.tag == "EF" and i > 0 and result[i - 1].tag.startswith(_NON_PREDICATE):
            result[i] = Morph("요", "JX", m.start, m.len)
    for match in reversed(list(_MISREAD_STEMS.finditer(text))):
        stem, at = match.group(1) + "시", match.start()
        if any(m.form == stem and m.start == at for m in result):
            continue
        before = [m for m in result if m.start + m.len <= at]
        if before and before[-1].start + before[-1].len == at and before[-1].tag != "EC":
            continue  # inside another word ("설계세요"), not an auxiliary after -어 ("챙겨드세요")
        after = [m for m in result if m.start >= match.end()]
        fixed = [Morph(stem, "VV", at, len(stem)), Morph("어요", "EF", match.end() - 2, 2)]
        result = before + fixed + after
    return result
