"""Reading a sentence's speech level from its final ending.

Contract: `level_of_ending(form, tag)` maps a sentence-final ending to 합쇼체, 해요체 or 반말; `final_index(tokens)`
finds the ending that decides a sentence's level (None for a fragment such as "네!", which has no level).
Levels are read from the sentence-final ending (EF; a sentence-final EC or the polite particle 요 count too, because
colloquial text often ends that way): 합쇼체 ends in -ㅂ니다/-습니다/-ㅂ니까/-십시오/-ㅂ시다 (하오체 -오/-소/-구려
counts as 합쇼체), 해요체 in -요/-죠, anything else is 반말.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from generation.types import SpeechLevel

FINAL_TAGS = {"EF", "EC"}
_TRAILING_TAGS = {"SF", "SE", "SS", "SP", "SO", "SW", "SL", "SH", "SN", "W_EMOJI"}
# 하오체 (-오, -소, -구려: "가오", "좋소", "오셨구려") is an old formal register; it counts as 합쇼체, the closest
# of the three, so a persona that speaks it keeps its voice under a 합쇼체 target.
_HAO_ENDINGS = ("오", "소", "구려")
_FORMAL_ENDINGS = ("니다", "니까", "시오", "시다", *_HAO_ENDINGS)


@dataclass(frozen=True)
class SentenceLevel:
    text: str
    level: SpeechLevel | None
    ending: str | None


def level_of_ending(form: str, tag: str = "EF") -> SpeechLevel:
    """Level of a sentence-final ending. Same rules as `personas.speech.level_of_ending` (the two packages may not
    import each other; tests/assistant/test_speech_level_agreement.py pins that they agree)."""
    if tag == "EC" and not form.endswith(("요", *_HAO_ENDINGS)):
        return "반말"  # a connective left at the end ("비가 와서") is colloquial; Kiwi tags 하오체 "반갑소" EC
    if form.endswith(_FORMAL_ENDINGS):
        return "합쇼체"
    if form.endswith(("요", "죠")):
        return "해요체"
    return "반말"


def final_index(tokens: list[Any]) -> int | None:
    """Index of the token that carries the sentence's level, skipping trailing punctuation; None for a fragment."""
    for i in range(len(tokens) - 1, -1, -1):
        tag = tokens[i].tag
        if tag in _TRAILING_TAGS:
            continue
        if tag in FINAL_TAGS or (tag == "JX" and tokens[i].form == "요"):
            return i
        return None
    return None
