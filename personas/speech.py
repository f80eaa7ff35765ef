"""Speech level of Korean text, read from sentence-final endings with Kiwi.

Contract: `guess_speech_level(texts)` returns the majority level of the sentences in `texts` ("합쇼체",
"해요체" or "반말"), or None when no sentence has a recognisable ending (non-Korean text, fragments such as
"네!"). Kiwi splits sentences and tags endings, so word-order inversions ("무엇입니까 노트북과 태블릿 중에")
and contractions are handled by the analyser, not by string rules. Roleplay narration between asterisks
(`*고개를 든다.*`) is description, not speech, and is skipped. 하오체 endings (-오, -소, -구려) count as the
formal register, the closest of the three. The ending table is the one `generation.speech_level` uses (the
packages may not import each other; a test in tests/assistant pins that they agree). Analysis runs on the `kiwi`
passed in (the server shares one), else on a Kiwi built lazily, once per process (about a second).
"""

from __future__ import annotations

import re
import threading
from collections import Counter
from collections.abc import Sequence
from typing import Any

_NARRATION = re.compile(r"\*[^*]*\*")
_ENDING_TAGS = {"EF", "EC"}
_PUNCTUATION_TAGS = {"SF", "SP", "SS", "SE", "SO", "SW", "W_EMOJI"}
_HAO_ENDINGS = ("오", "소", "구려")
_FORMAL_ENDINGS = ("니다", "니까", "시오", "시다", *_HAO_ENDINGS)
_kiwi: Any = None
_kiwi_lock = threading.Lock()


def _analyser(kiwi: Any = None) -> Any:
    global _kiwi
    if kiwi is not None:
        return kiwi
    with _kiwi_lock:
        if _kiwi is None:
            from kiwipiepy import Kiwi

            _kiwi = Kiwi()
        return _kiwi


def level_of_ending(form: str, tag: str = "EF") -> str:
    if tag == "EC" and not form.endswith(("요", *_HAO_ENDINGS)):
        return "반말"  # a connective left at the end ("비가 와서") is colloquial; Kiwi tags 하오체 "반갑소" EC
    if form.endswith(_FORMAL_ENDINGS):
        return "합쇼체"
    if form.endswith(("요", "죠")):
        return "해요체"
    return "반말"


def _final_ending(tokens: Sequence[Any]) -> Any | None:
    """The sentence's final ending token: the last EF, else a sentence-final EC or polite 요."""
    endings = [t for t in tokens if t.tag == "EF"]
    if endings:
        return endings[-1]
    content = [t for t in tokens if t.tag not in _PUNCTUATION_TAGS]
    if content and (content[-1].tag in _ENDING_TAGS or (content[-1].tag == "JX" and content[-1].form == "요")):
        return content[-1]
    return None


def sentence_levels(text: str, kiwi: Any = None) -> list[str]:
    """The level of each spoken sentence of `text` that has a recognisable final ending."""
    spoken = _NARRATION.sub(" ", text)
    if not spoken.strip():
        return []
    levels = []
    for sentence in _analyser(kiwi).split_into_sents(spoken, return_tokens=True):
        ending = _final_ending(sentence.tokens)
        if ending is not None:
            levels.append(level_of_ending(ending.form, ending.tag))
    return levels


def guess_speech_level(texts: Sequence[str], kiwi: Any = None) -> str | None:
    votes = Counter(level for text in texts for level in sentence_levels(text, kiwi))
    return votes.most_common(1)[0][0] if votes else None
