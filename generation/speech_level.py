"""Korean speech-level control: find each sentence's final ending with Kiwi, judge its level, repair it.

Levels are read from the sentence-final ending (EF; a sentence-final EC or the polite particle 요 count too,
because colloquial text often ends that way): 합쇼체 ends in -ㅂ니다/-습니다/-ㅂ니까/-십시오/-ㅂ시다 (하오체
-오/-소/-구려 counts as 합쇼체), 해요체 in -요/-죠, anything else is 반말. A sentence without a recognisable ending
(a fragment such as "네!") has no level and never counts as a violation.

Repair swaps only the final ending (chosen by sentence mood: question, imperative, propositive, statement)
and the first-person pronouns (나/우리 <-> 저/저희), then lets Kiwi's `join` conjugate the word, so
contractions and vowel harmony come from the analyser rather than from string rules.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

from generation.types import SpeechLevel

_FINAL_TAGS = {"EF", "EC"}
_TRAILING_TAGS = {"SF", "SE", "SS", "SP", "SO", "SW", "SL", "SH", "SN", "W_EMOJI"}
_IMPERATIVE = ("라", "렴", "세요", "십시오", "시오", "소서")
_PROPOSITIVE = ("자", "시다", "세")
_ENDINGS: dict[str, dict[str, list[tuple[str, str]]]] = {
    "합쇼체": {"statement": [("습니다", "EF")], "question": [("습니까", "EF")],
             "imperative": [("시", "EP"), ("ᆸ시오", "EF")], "propositive": [("ᆸ시다", "EF")]},
    "해요체": {"statement": [("어요", "EF")], "question": [("어요", "EF")],
             "imperative": [("세요", "EF")], "propositive": [("어요", "EF")]},
    "반말": {"statement": [("어", "EF")], "question": [("어", "EF")],
           "imperative": [("어", "EF")], "propositive": [("자", "EF")]},
}
# 해요체 is 반말 + 요: endings outside the table ("ᆯ게요", "ᆯ까요", "군요", "네요") lose 요 and keep their meaning.
_TABLE_POLITE = {"요", "어요", "아요", "여요", "세요", "에요", "예요"}
# "안녕하세요" is a greeting formula, not a sentence to conjugate ("안녕해!", "안녕하십시오!" are wrong).
_GREETINGS: dict[str, list[tuple[str, str]]] = {
    "합쇼체": [("안녕", "NNG"), ("하", "XSA"), ("시", "EP"), ("ᆸ니까", "EF")],
    "해요체": [("안녕", "NNG"), ("하", "XSA"), ("세요", "EF")],
    "반말": [("안녕", "IC")],
}
_COPULA = {"합쇼체": "ᆸ니다", "해요체": "에요", "반말": "야"}
_COPULA_QUESTION = {"합쇼체": "ᆸ니까", "해요체": "에요", "반말": "야"}
_HONORIFIC_PRONOUNS = {"나": "저", "우리": "저희"}
_PLAIN_PRONOUNS = {v: k for k, v in _HONORIFIC_PRONOUNS.items()}
# 하오체 (-오, -소, -구려: "가오", "좋소", "오셨구려") is an old formal register; it counts as 합쇼체, the closest
# of the three, so a persona that speaks it keeps its voice under a 합쇼체 target.
_HAO_ENDINGS = ("오", "소", "구려")
_FORMAL_ENDINGS = ("니다", "니까", "시오", "시다", *_HAO_ENDINGS)


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


@dataclass(frozen=True)
class SentenceLevel:
    text: str
    level: SpeechLevel | None
    ending: str | None


class SpeechLevelControl:
    """Thread-safe wrapper over one Kiwi instance (building Kiwi takes about a second: share it)."""

    def __init__(self, kiwi: Any = None) -> None:
        self._kiwi = kiwi
        self._lock = threading.Lock()

    @property
    def kiwi(self) -> Any:
        with self._lock:
            if self._kiwi is None:
                from kiwipiepy import Kiwi

                self._kiwi = Kiwi()
            return self._kiwi

    def analyse(self, text: str) -> list[SentenceLevel]:
        result = []
        for sentence in self.kiwi.split_into_sents(text, return_tokens=True):
            idx = _final_index(sentence.tokens)
            if idx is None:
                result.append(SentenceLevel(sentence.text, None, None))
                continue
            token = sentence.tokens[idx]
            level = level_of_ending(token.form, token.tag)
            result.append(SentenceLevel(sentence.text, level, token.form))
        return result

    def complete_prefix(self, text: str) -> str:
        """`text` without a trailing unfinished sentence (kept whole when no sentence is complete)."""
        sentences = self.kiwi.split_into_sents(text, return_tokens=True)
        if not sentences:
            return text
        last = sentences[-1]
        tokens = last.tokens
        finished = bool(tokens) and (tokens[-1].tag == "SF" or (_final_index(tokens) is not None
                                     and tokens[_final_index(tokens)].tag == "EF"))
        if finished or len(sentences) == 1:
            return text
        return text[:sentences[-2].end].rstrip()

    def prefix_within(self, text: str, limit: int) -> str:
        """The longest run of whole sentences of `text` that fits in `limit` characters; a cut at the last
        space (or at `limit`) when even the first sentence is longer."""
        end = 0
        for sentence in self.kiwi.split_into_sents(text):
            if sentence.end > limit:
                break
            end = sentence.end
        if end:
            return text[:end].rstrip()
        cut = text[:limit]
        space = cut.rfind(" ")
        return (cut[:space] if space > 0 else cut).rstrip()

    def violations(self, text: str, target: SpeechLevel) -> list[SentenceLevel]:
        return [s for s in self.analyse(text) if s.level is not None and s.level != target]

    def repair(self, text: str, target: SpeechLevel) -> str:
        """Rewrite every sentence whose ending is not at `target` level; other text is left byte-for-byte."""
        out, cursor = [], 0
        for sentence in self.kiwi.split_into_sents(text, return_tokens=True):
            out.append(text[cursor:sentence.start])
            out.append(self._repair_sentence(text[sentence.start:sentence.end], sentence.tokens,
                                             sentence.start, target))
            cursor = sentence.end
        out.append(text[cursor:])
        return "".join(out)

    def _repair_sentence(self, text: str, tokens: list[Any], offset: int, target: SpeechLevel) -> str:
        idx = _final_index(tokens)
        if idx is None:
            return text
        final = tokens[idx]
        current = level_of_ending(final.form, final.tag)
        if current == target:
            return text
        if [t.form for t in tokens[:idx] if t.tag != "EP"] == ["안녕", "하"]:
            greeting: dict[int, list[tuple[str, str]]] = {i: [] for i in range(1, idx + 1)}
            greeting[0] = _GREETINGS[target]
            return self._rebuild(text, tokens, offset, greeting)
        if final.tag == "JX":  # "저도요": only the polite particle carries the level
            if target != "반말":
                return text
            replace: dict[int, list[tuple[str, str]]] = {idx: []}
        else:
            replace = {idx: self._new_ending(tokens, idx, text, target)}
        pronouns = _PLAIN_PRONOUNS if target == "반말" else _HONORIFIC_PRONOUNS
        for i, token in enumerate(tokens[:idx]):
            if token.tag == "NP" and token.form in pronouns:
                replace[i] = [(pronouns[token.form], "NP")]
        if idx > 0 and tokens[idx - 1].tag == "VCP" and final.tag != "JX":
            replace[idx - 1] = []  # the copula is part of the new ending
        return self._rebuild(text, tokens, offset, replace)

    def _new_ending(self, tokens: list[Any], idx: int, text: str, target: SpeechLevel) -> list[tuple[str, str]]:
        final = tokens[idx]
        mood = _mood(final.form, text)
        if idx > 0 and tokens[idx - 1].tag == "VCP":
            ending = (_COPULA_QUESTION if mood == "question" else _COPULA)[target]
            before = tokens[idx - 2].form if idx > 1 else ""
            if target == "해요체" and before and _open_syllable(before[-1]):
                return [("예요", "EF")]  # 친구예요, not 친구에요
            return [("이", "VCP"), (ending, "EF")]
        if target == "반말" and final.form.endswith("요") and final.form not in _TABLE_POLITE:
            return [(final.form[:-1], final.tag)]
        if target == "반말" and final.form == "죠":
            return [("지", final.tag)]
        endings = list(_ENDINGS[target][mood])
        if endings[0] == ("시", "EP") and idx > 0 and tokens[idx - 1].tag == "EP" and "시" in tokens[idx - 1].form:
            endings = endings[1:]
        if endings[0] == ("세요", "EF") and idx > 0 and tokens[idx - 1].tag == "EP" and "시" in tokens[idx - 1].form:
            endings = [("어요", "EF")]
        return endings

    def _rebuild(self, text: str, tokens: list[Any], offset: int, replace: dict[int, list[tuple[str, str]]]) -> str:
        """Re-join only the words (eojeol) that contain a replaced morpheme."""
        words: list[list[int]] = []
        word_end = -1
        for i, token in enumerate(tokens):
            begin = token.start - offset
            if words and begin <= word_end:  # touching the previous morpheme: same eojeol
                words[-1].append(i)
            else:
                words.append([i])
            word_end = max(word_end, begin + token.len)
        out, cursor = [], 0
        for word in words:
            start = tokens[word[0]].start - offset
            end = max(tokens[i].start + tokens[i].len for i in word) - offset
            out.append(text[cursor:start])
            if any(i in replace for i in word):
                morphs: list[tuple[str, str]] = []
                for i in word:
                    morphs.extend(replace.get(i, [(tokens[i].form, tokens[i].tag)]))
                out.append(self.kiwi.join(morphs))
            else:
                out.append(text[start:end])
            cursor = end
        out.append(text[cursor:])
        return "".join(out)


def _open_syllable(char: str) -> bool:
    """A Hangul syllable without a final consonant."""
    code = ord(char) - 0xAC00
    return 0 <= code < 11172 and code % 28 == 0


def _final_index(tokens: list[Any]) -> int | None:
    for i in range(len(tokens) - 1, -1, -1):
        tag = tokens[i].tag
        if tag in _TRAILING_TAGS:
            continue
        if tag in _FINAL_TAGS or (tag == "JX" and tokens[i].form == "요"):
            return i
        return None
    return None


def _mood(form: str, sentence: str) -> str:
    if sentence.rstrip().endswith("?") or form.endswith(("까", "니", "냐")):
        return "question"
    if form.endswith(_IMPERATIVE) or form in {"어라", "아라"}:
        return "imperative"
    if form.endswith(_PROPOSITIVE):
        return "propositive"
    return "statement"
