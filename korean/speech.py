"""Korean speech levels read from sentence-final endings: the one table of the project.

Contract: `level_of_ending(form, tag)` maps a sentence-final ending to 합쇼체, 해요체 or 반말; `final_index(tokens)`
finds the Kiwi token that decides a sentence's level (None for a fragment such as "네!", which has no level);
`sentence_levels(text, kiwi)` gives the level of each spoken sentence that has one, and `guess_speech_level(texts,
kiwi)` their majority (None when no sentence has a recognisable ending).
Levels come from the sentence-final ending (EF; a sentence-final EC or the polite particle 요 count too,
because colloquial text often ends that way): 합쇼체 ends in -ㅂ니다/-습니다/-ㅂ니까/-십시오/-ㅂ시다,
해요체 in -요/-죠, anything else is 반말. 하오체 (-오/-소/-구려: "가오", "좋소", "오셨구려") is an old
formal register; it counts as 합쇼체, the closest of the three, so a persona that speaks it keeps its voice
under a 합쇼체 target. Roleplay narration between asterisks (`*고개를 든다.*`) is description, not speech,
and is skipped. Kiwi splits sentences and tags endings, so inversions ("무엇입니까 노트북과 태블릿 중에")
and contractions are the analyser's business, not string rules'.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from typing import Any, Literal

SpeechLevel = Literal["해요체", "합쇼체", "반말"]
SPEECH_LEVELS: tuple[SpeechLevel, ...] = ("해요체", "합쇼체", "반말")

FINAL_TAGS = frozenset({"EF", "EC"})
_TRAILING_TAGS = frozenset({"SF", "SE", "SS", "SP", "SO", "SW", "SL", "SH", "SN", "W_EMOJI"})
_HAO_ENDINGS = ("오", "소", "구려")
_FORMAL_ENDINGS = ("니다", "니까", "시오", "시다", *_HAO_ENDINGS)
_NARRATION = re.compile(r"\*[^*]*\*")


def level_of_ending(form: str, tag: str = "EF") -> SpeechLevel:
    """Level of a sentence-final ending."""
    if tag == "EC" and not form.endswith(("요", *_HAO_ENDINGS)):
        return "반말"  # a connective left at the end ("비가 와서") is colloquial; Kiwi tags 하오체 "반갑소" EC
    if form.endswith(_FORMAL_ENDINGS):
        return "합쇼체"
    if form.endswith(("요", "죠")):
        return "해요체"
    return "반말"


def final_index(tokens: Sequence[Any]) -> int | None:
    """Index of the token that carries the sentence's level, skipping trailing punctuation; None for a fragment."""
    for i in range(len(tokens) - 1, -1, -1):
        tag = tokens[i].tag
        if tag in _TRAILING_TAGS:
            continue
        if tag in FINAL_TAGS or (tag == "JX" and tokens[i].form == "요"):
            return i
        return None
    return None


def sentence_levels(text: str, kiwi: Any) -> list[SpeechLevel]:
    """The level of each spoken sentence of `text` that has a recognisable final ending."""
    spoken = _NARRATION.sub(" ", text)
    if not spoken.strip():
        return []
    levels: list[SpeechLevel] = []
    for sentence in kiwi.split_into_sents(spoken, return_tokens=True):
        idx = final_index(sentence.tokens)
        if idx is not None:
            token = sentence.tokens[idx]
            levels.append(level_of_ending(token.form, token.tag))
    return levels


def guess_speech_level(texts: Sequence[str], kiwi: Any) -> SpeechLevel | None:
    """The majority level of the sentences in `texts`, or None when none has a recognisable ending."""
    votes = Counter(level for text in texts for level in sentence_levels(text, kiwi))
    return votes.most_common(1)[0][0] if votes else None
