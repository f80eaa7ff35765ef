"""Korean speech-level control: find each sentence's final ending with Kiwi, judge its level, repair it.

Levels are read from the sentence-final ending (EF; a sentence-final EC or the polite particle 요 count too,
because colloquial text often ends that way): 합쇼체 ends in -ㅂ니다/-습니다/-ㅂ니까/-십시오/-ㅂ시다 (하오체
-오/-소/-구려 counts as 합쇼체), 해요체 in -요/-죠, anything else is 반말. A sentence without a recognisable ending
(a fragment such as "네!") has no level and never counts as a violation.

Repair swaps the final ending and a few listener-facing words, then lets Kiwi's `join` conjugate the word, so
contractions and vowel harmony come from the analyser rather than from string rules:
- the new ending keeps the old one's meaning where the target level has one (-ㄹ게요 -> -겠습니다, -잖아요 ->
  -지 않습니까?, -네/-군/-거든/-ㄹ까/-ㄹ래 <-> +요), otherwise it is chosen by mood (question, imperative,
  propositive, statement); an ambiguous -어요 after an imperative or on -어 보- reads as propositive;
- first/second-person words follow the level (나/우리/너/응/아니 <-> 저/저희/당신/네/아니요);
- in 반말, honorifics aimed at the listener go (-시-, 드시다/주무시다/계시다, 드리다, 말씀, 감사하다/죄송하다),
  unless the sentence honours a third person (께서, 께, -님, 할머니 …), whose -시- stays;
- a closed table of formulas (farewells, 천만에요, 안녕하세요) maps whole sentences to their counterpart.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

from generation.types import SpeechLevel

_FINAL_TAGS = {"EF", "EC"}
_TRAILING_TAGS = {"SF", "SE", "SS", "SP", "SO", "SW", "SL", "SH", "SN", "W_EMOJI"}
_ENDINGS: dict[str, dict[str, list[tuple[str, str]]]] = {
    "합쇼체": {"statement": [("습니다", "EF")], "question": [("습니까", "EF")],
             "imperative": [("시", "EP"), ("ᆸ시오", "EF")], "propositive": [("ᆸ시다", "EF")]},
    "해요체": {"statement": [("어요", "EF")], "question": [("어요", "EF")],
             "imperative": [("세요", "EF")], "propositive": [("어요", "EF")]},
    "반말": {"statement": [("어", "EF")], "question": [("어", "EF")],
           "imperative": [("어", "EF")], "propositive": [("자", "EF")]},
}
_IMPERATIVE = {"어라", "아라", "여라", "라", "렴", "려무나", "ᆸ시오", "시오", "십시오", "소서"}
_PROPOSITIVE = {"자", "ᆸ시다", "읍시다", "시다"}
# 해요체 is 반말 + 요 for these endings, and 합쇼체 has its own way of saying most of them (_formal_family).
_YO_FAMILY = {"네", "군", "는군", "거든", "더라고", "ᆯ게", "을게", "ᆯ래", "을래", "ᆯ까", "을까", "나", "ᆫ가", "은가",
              "는가", "는데", "은데", "ᆫ데", "잖아", "지"}
_TO_POLITE = {"지": "죠", "구나": "군요", "는구나": "는군요", "더라": "더라고요"}
_WH_WORDS = {"뭐", "무엇", "누구", "어디", "언제", "왜", "어떻", "어떠", "얼마", "몇", "어느", "무슨", "어떤"}
_GREETINGS: dict[str, list[tuple[str, str]]] = {
    "합쇼체": [("안녕", "NNG"), ("하", "XSA"), ("시", "EP"), ("ᆸ니까", "EF")],
    "해요체": [("안녕", "NNG"), ("하", "XSA"), ("세요", "EF")],
    "반말": [("안녕", "IC")],
}
_LEVEL_INDEX = {"합쇼체": 0, "해요체": 1, "반말": 2}
# Formulas whose counterpart is another expression, not another conjugation (잘 자 is no 반말 of 안녕히 주무세요
# by any ending rule). Columns: 합쇼체, 해요체, 반말, then other spellings that map to the same row.
_FORMULAS: tuple[tuple[str, ...], ...] = (
    ("안녕히 주무십시오", "안녕히 주무세요", "잘 자", "잘 자요", "잘 자라", "안녕히 주무셔요"),
    ("안녕히 가십시오", "안녕히 가세요", "잘 가", "잘 가요", "잘 가라"),
    ("안녕히 계십시오", "안녕히 계세요", "잘 있어", "잘 있어요", "잘 있어라"),
    ("천만의 말씀입니다", "천만에요", "천만에", "천만의 말씀이에요", "별말씀을요", "별말씀을 다 하세요"),
    ("잘 먹겠습니다", "잘 먹을게요", "잘 먹을게"),
    ("안녕하십니까", "안녕하세요", "안녕"),
)
_FORMULA_INDEX = {variant: row for row in _FORMULAS for variant in row}
_PUNCTUATED = re.compile(r"(\s*)(.*?)([\s.!?~…]*)", re.S)
_HONORIFIC_PRONOUNS = {"나": "저", "우리": "저희", "너": "당신"}
_PLAIN_PRONOUNS = {v: k for k, v in _HONORIFIC_PRONOUNS.items()}
_POLITE_INTERJECTIONS = {"응": "네", "아니": "아니요"}
_PLAIN_INTERJECTIONS = {"네": "응", "예": "응", "아니요": "아니", "아뇨": "아니"}
# Suppletive honorific verbs and their plain verbs; Kiwi misreads some -세요 forms ("드세요" as 드세/VA + 어요).
_HONORIFIC_VERBS = {"드시": "먹", "주무시": "자", "계시": "있", "잡수시": "먹"}
_SI = ("시", "으시")
_HUMBLE_VERBS = {"여쭈": ("묻", "VV-I"), "여쭙": ("묻", "VV-I"), "여쭤보": ("물어보", "VV"), "뵈": ("보", "VV"),
                 "뵙": ("보", "VV")}
_PLAIN_TO_HONORIFIC = {"자": "주무시", "먹": "드시"}
_MISREAD_STEMS = re.compile(r"(드|주무|계|잡수)세요")
_HONOURED_NOUNS = {"할머니", "할아버지", "어머니", "아버지", "어르신", "부모님", "선생님", "교수님", "사장님"}
_COPULA = {"합쇼체": "ᆸ니다", "해요체": "에요", "반말": "야"}
_COPULA_QUESTION = {"합쇼체": "ᆸ니까", "해요체": "에요", "반말": "야"}
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


@dataclass(frozen=True)
class _Morph:
    """A Kiwi token with its start relative to its sentence (repair may substitute corrected ones)."""
    form: str
    tag: str
    start: int
    len: int


@dataclass(frozen=True)
class _Ending:
    first: int  # first morpheme the new ending replaces (the final one, or 지+않+어 of -잖아, EF/EC before 요)
    base: str  # the ending without its polite 요 ("ᆯ게", "네", "잖아", "어"; -세요 is "어" with honorific)
    tag: str
    polite: bool
    honorific: bool  # the ending itself carries -시- (-세요)
    mood: str

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
        """Rewrite every sentence whose ending is not at `target` level, and formulaic fragments ("네!", "천만에요!");
        other text is left byte-for-byte."""
        out, cursor, previous = [], 0, "statement"
        for sentence in self.kiwi.split_into_sents(text, return_tokens=True):
            out.append(text[cursor:sentence.start])
            body = text[sentence.start:sentence.end]
            morphs = _morphs(sentence.tokens, sentence.start, body)
            repaired, previous = self._repair_sentence(body, morphs, target, previous)
            out.append(repaired)
            cursor = sentence.end
        out.append(text[cursor:])
        return "".join(out)

    def _repair_sentence(self, text: str, morphs: list[_Morph], target: SpeechLevel,
                         previous: str) -> tuple[str, str]:
        """The sentence at `target` level, and its mood (the next sentence's ambiguous -어요 may depend on it)."""
        idx = _final_index(morphs)
        ending = _source_ending(morphs, idx, text, previous, target) if idx is not None else None
        if idx is not None and ending is not None and level_of_ending(morphs[idx].form, morphs[idx].tag) == target:
            return text, ending.mood
        formula = _formula(text, target)
        if formula is not None:
            return formula, "imperative"
        if idx is None or ending is None:  # a fragment: only interjections and pronouns carry a level ("네!" -> "응!")
            return self._rebuild(text, morphs, _word_swaps(morphs, len(morphs), target)), previous
        final = morphs[idx]
        if [t.form for t in morphs[:idx] if t.tag != "EP"] == ["안녕", "하"]:
            greeting: dict[int, list[tuple[str, str]]] = {i: [] for i in range(1, idx + 1)}
            greeting[0] = _GREETINGS[target]
            return self._rebuild(text, morphs, greeting), ending.mood
        replace = _word_swaps(morphs, ending.first, target)
        if final.tag == "JX" and ending.first == idx:  # "저도요": only the polite particle carries the level
            if target == "반말":
                replace[idx] = []
            return self._rebuild(text, morphs, replace), ending.mood
        for i in range(ending.first, idx + 1):
            replace[i] = []
        replace[ending.first] = _target_ending(morphs, ending, target, replace)
        if (target == "합쇼체" and ending.base == "잖아" and idx + 1 < len(morphs)
                and morphs[idx + 1].form == "."):
            replace[idx + 1] = [("?", "SF")]  # "그렇잖아요." asks for agreement: "그렇지 않습니까?"
        return self._rebuild(text, morphs, replace), ending.mood

    def _rebuild(self, text: str, morphs: list[_Morph], replace: dict[int, list[tuple[str, str]]]) -> str:
        """Re-join only the words (eojeol) that contain a replaced morpheme."""
        words: list[list[int]] = []
        word_end = -1
        for i, morph in enumerate(morphs):
            if words and morph.start <= word_end:  # touching the previous morpheme: same eojeol
                words[-1].append(i)
            else:
                words.append([i])
            word_end = max(word_end, morph.start + morph.len)
        out, cursor = [], 0
        for word in words:
            start = morphs[word[0]].start
            end = max(morphs[i].start + morphs[i].len for i in word)
            out.append(text[cursor:start])
            changed = [i for i in word if i in replace]
            if changed:
                # keep the word's surface up to the morpheme before the first change ("최저임금" is not re-spaced)
                keep = max(word[0], changed[0] - 1)
                while keep > word[0] and not _verbatim_before(text, morphs[keep - 1], morphs[keep]):
                    keep -= 1
                joined: list[tuple[str, str]] = []
                for i in word[word.index(keep):]:
                    joined.extend(replace.get(i, [(morphs[i].form, morphs[i].tag)]))
                out.append(text[start:morphs[keep].start] + (self.kiwi.join(joined) if joined else ""))
            else:
                out.append(text[start:end])
            cursor = end
        out.append(text[cursor:])
        return "".join(out)


def _verbatim_before(text: str, before: _Morph, morph: _Morph) -> bool:
    """`before` is written as its form and ends where `morph` starts, so joining may begin at `morph`."""
    end = before.start + before.len
    return end == morph.start and text[before.start:end] == before.form and not before.tag.startswith("V")


def _morphs(tokens: list[Any], offset: int, text: str) -> list[_Morph]:
    """Kiwi's tokens relative to the sentence, with misread honorific -세요 verbs corrected: Kiwi reads "드세요" as
    드세/VA + 어요 and "주무세요"/"계세요" as a noun + copula, which no ending rule can conjugate."""
    morphs = [_Morph(t.form, t.tag, t.start - offset, t.len) for t in tokens]
    for match in reversed(list(_MISREAD_STEMS.finditer(text))):
        stem, at = match.group(1) + "시", match.start()
        if any(m.form == stem and m.start == at for m in morphs):
            continue
        before = [m for m in morphs if m.start + m.len <= at]
        if before and before[-1].start + before[-1].len == at and before[-1].tag != "EC":
            continue  # inside another word ("설계세요"), not an auxiliary after -어 ("챙겨드세요")
        after = [m for m in morphs if m.start >= match.end()]
        fixed = [_Morph(stem, "VV", at, len(stem)), _Morph("어요", "EF", match.end() - 2, 2)]
        morphs = before + fixed + after
    return morphs


def _formula(text: str, target: SpeechLevel) -> str | None:
    parts = _PUNCTUATED.fullmatch(text)
    row = _FORMULA_INDEX.get(parts.group(2)) if parts else None
    if parts is None or row is None:
        return None
    return parts.group(1) + row[_LEVEL_INDEX[target]] + parts.group(3)


def _honours_third_person(morphs: list[_Morph]) -> bool:
    """The sentence honours someone other than the listener, so its -시- may be theirs ("할머니께서 주무셔")."""
    return any((m.tag.startswith("JK") and m.form in ("께서", "께")) or (m.tag == "XSN" and m.form == "님")
               or (m.tag.startswith("NN") and _honoured_noun(m.form)) for m in morphs)


def _honoured_noun(form: str) -> bool:
    return form in _HONOURED_NOUNS or (len(form) > 1 and form.endswith("님"))


def _word_swaps(morphs: list[_Morph], end: int, target: SpeechLevel) -> dict[int, list[tuple[str, str]]]:
    """Replacements for the words before the ending: person words, and in 반말 the listener's honorifics."""
    replace: dict[int, list[tuple[str, str]]] = {}
    pronouns = _PLAIN_PRONOUNS if target == "반말" else _HONORIFIC_PRONOUNS
    interjections = _PLAIN_INTERJECTIONS if target == "반말" else _POLITE_INTERJECTIONS
    listener = target == "반말" and not _honours_third_person(morphs)
    for i, m in enumerate(morphs[:end]):
        following = morphs[i + 1] if i + 1 < len(morphs) else None
        if m.tag == "NP" and m.form in pronouns:
            replace[i] = [(pronouns[m.form], "NP")]
        elif m.tag == "IC" and m.form in interjections:
            replace[i] = [(interjections[m.form], "IC")]
        elif target == "합쇼체" and (m.form, m.tag) == ("미안", "NNG"):
            replace[i] = [("죄송", "XR")]
        elif target != "반말":
            continue
        elif (m.form, m.tag) == ("감사", "NNG") and following is not None and following.form == "하":
            replace[i], replace[i + 1] = [("고맙", "VA-I")], []
        elif (m.form, m.tag) == ("죄송", "XR"):
            replace[i] = [("미안", "NNG")]
        elif (m.form, m.tag) == ("안녕히", "MAG"):
            replace[i] = [("잘", "MAG")]
        elif listener:
            swap = _plain_word(morphs, i)
            if swap is not None:
                replace[i] = swap
    return replace


def _plain_word(morphs: list[_Morph], i: int) -> list[tuple[str, str]] | None:
    """The 반말 for a listener-honouring morpheme, or None when it has none."""
    m = morphs[i]
    if m.tag == "EP" and m.form in ("시", "으시"):
        return []
    if m.tag == "VV" and m.form in _HONORIFIC_VERBS:
        return [(_HONORIFIC_VERBS[m.form], "VV")]
    if m.tag.startswith("VV") and m.form in _HUMBLE_VERBS:
        return [_HUMBLE_VERBS[m.form]]
    if m.form == "드리" and m.tag in ("VV", "VX"):
        prev = morphs[i - 1] if i > 0 else None
        if prev is not None and prev.tag == "NNG" and prev.start + prev.len == m.start:
            return [("하", "XSV")]  # 말씀드리다, 부탁드리다 -> 말하다, 부탁하다
        return [("주", m.tag)]  # 도와 드리다 -> 도와주다: giving to the listener
    if (m.form, m.tag) == ("말씀", "NNG"):
        return [("말", "NNG")]
    return None


def _source_ending(morphs: list[_Morph], idx: int, text: str, previous: str, target: SpeechLevel) -> _Ending:
    final = morphs[idx]
    first, form, tag = idx, final.form, final.tag
    if tag == "JX" and form == "요" and idx > 0 and morphs[idx - 1].tag in _FINAL_TAGS:
        first, form, tag = idx - 1, morphs[idx - 1].form + "요", morphs[idx - 1].tag  # "할래/EF 요/JX"
    polite = form.endswith(("요", "죠"))
    base = "지" if form == "죠" else form[:-1] if form.endswith("요") and len(form) > 1 else form
    honorific = base in ("세", "으세")
    if honorific:
        base = "어"
    if base.startswith("잖아"):
        base = "잖아"
    elif (base in ("어", "아") and first >= 2 and morphs[first - 1].form == "않" and morphs[first - 2].form == "지"
          and "잖" in text[morphs[first - 2].start:final.start + final.len]):
        first, base = first - 2, "잖아"  # Kiwi reads "그렇잖아요" as 그렇 + 지 + 않 + 어요
    mood = _mood(morphs, first, base, tag, polite, honorific, text, previous, target)
    return _Ending(first, base, tag, polite, honorific, mood)


def _mood(morphs: list[_Morph], first: int, base: str, tag: str, polite: bool, honorific: bool, text: str,
          previous: str, target: SpeechLevel) -> str:
    if text.rstrip().endswith("?") or (tag == "EF" and base.endswith(("까", "니", "냐"))):
        return "question"
    if base in _IMPERATIVE or base.endswith("시오"):
        return "imperative"
    if base in _PROPOSITIVE:
        return "propositive"
    pred = morphs[first - 1] if first > 0 else None
    if pred is None or base != "어":
        return "statement"
    if honorific or (polite and pred.tag == "VV" and pred.form in _HONORIFIC_VERBS):  # -세요: 어떠세요 / 가세요
        if pred.tag in ("VA", "VA-I", "XSA", "VCP") or pred.form in ("있", "계시") or _honours_third_person(morphs):
            return "statement"
        return "imperative"
    # 해요체 -어요 is also a request or an invitation ("물 자주 마시고 시원하게 지내요", "같이 해 봐요"); 합쇼체 must
    # choose: a subjectless action verb after a request is one too, an invitation when it is done together.
    if target != "합쇼체" or not polite or pred.tag not in ("VV", "VX", "XSV") or pred.form in ("있", "없"):
        return "statement"
    if any(m.tag in ("JKS", "NP") or (m.tag == "JX" and m.form in ("은", "는", "ᆫ")) for m in morphs[:first]):
        return "statement"
    together = pred.form in ("만나", "보") or any(m.form in ("같이", "함께") for m in morphs[:first])
    if together and (pred.tag == "VX" or previous in ("imperative", "propositive")):
        return "propositive"
    return "imperative" if previous in ("imperative", "propositive") else "statement"


def _target_ending(morphs: list[_Morph], ending: _Ending, target: SpeechLevel,
                   replace: dict[int, list[tuple[str, str]]]) -> list[tuple[str, str]]:
    """The morphemes of the new ending; may also rewrite the predicate before it (through `replace`)."""
    base, mood = ending.base, ending.mood
    pred_i = ending.first - 1
    pred = morphs[pred_i] if pred_i >= 0 else None
    keeps_yo_family = target != "합쇼체" and (base in _YO_FAMILY or base in _TO_POLITE)
    if pred is not None and pred.tag == "VCP" and not keeps_yo_family:
        return _copula(morphs, pred_i, mood, target, replace)
    si_before = pred is not None and (pred.form in _HONORIFIC_VERBS or (pred.tag == "EP" and pred.form in _SI))
    if target == "반말":
        if base in ("군", "는군") and ending.polite:
            return [(base[:-1] + "구나", "EF")]  # 왔군요 -> 왔구나: 반말 -군 is talking to oneself
        colloquial = ending.tag == "EC" and level_of_ending(base, "EC") == "반말"
        if base in _YO_FAMILY or base in _TO_POLITE or colloquial or (ending.polite and base not in ("어", "아")):
            return [(base, ending.tag)]
        if ending.honorific and _honours_third_person(morphs):
            return [("시", "EP"), *_ENDINGS["반말"][mood]]  # 할머니가 오세요 -> 할머니가 오셔
        return list(_ENDINGS["반말"][mood])
    if target == "해요체":
        if base in _TO_POLITE:
            return [(_TO_POLITE[base], "EF")]
        colloquial = ending.tag == "EC" and level_of_ending(base, "EC") == "반말" and base not in ("니", "냐")
        if base in _YO_FAMILY or colloquial:
            return [(base + "요", ending.tag)]
        if mood == "imperative" and pred is not None:
            _honour_verb(pred, pred_i, replace, seyo=True)
        if si_before and pred is not None and (mood != "propositive"):
            if pred.tag == "EP":
                replace[pred_i] = []
            else:  # 드시 + ᆸ시오 -> 드세요, not 드셔요
                replace[pred_i] = [(pred.form[:-1], "VV")]
            return [("세요", "EF")]
        return list(_ENDINGS["해요체"][mood])
    endings = _formal_family(morphs, ending, si_before)
    if endings is None:
        endings = list(_ENDINGS["합쇼체"][mood])
        if ending.honorific and mood != "imperative":
            endings.insert(0, ("시", "EP"))  # 어떠세요? -> 어떠십니까?
        if endings[0] == ("시", "EP") and si_before:
            endings = endings[1:]
    if endings[0] == ("시", "EP") and pred is not None and _honour_verb(pred, pred_i, replace):
        endings = endings[1:]
    if pred is not None and pred.form == "뵈":
        replace[pred_i] = [("뵙", "VV-R")]  # 뵐게요 -> 뵙겠습니다, not 뵈겠습니다
    return endings


def _honour_verb(pred: _Morph, pred_i: int, replace: dict[int, list[tuple[str, str]]], seyo: bool = False) -> bool:
    """자다/먹다 take their own honorific verb where -시- is added (자렴 -> 주무십시오, 먹을까? -> 드시겠습니까?)."""
    honorific = _PLAIN_TO_HONORIFIC.get(pred.form) if pred.tag == "VV" else None
    if honorific is None:
        return False
    replace[pred_i] = [(honorific[:-1] if seyo else honorific, "VV")]
    return True


def _formal_family(morphs: list[_Morph], ending: _Ending, si_before: bool) -> list[tuple[str, str]] | None:
    """합쇼체 for endings whose meaning a plain -습니다/-습니까 would lose; None for the mood-chosen ending."""
    base, before = ending.base, morphs[:ending.first]
    has = {m.form for m in before if m.tag == "EP"}
    if base in ("ᆯ게", "을게"):
        return [("겠", "EP"), ("습니다", "EF")]  # 할게요 -> 하겠습니다 (a promise, not a statement)
    if base in ("ᆯ래", "을래"):
        if ending.mood == "question":  # 들려주실래요? -> 들려주시겠습니까?
            return ([] if si_before else [("시", "EP")]) + [("겠", "EP"), ("습니까", "EF")]
        return [("겠", "EP"), ("습니다", "EF")]
    if base in ("ᆯ까", "을까"):
        offer = any(m.form == "드리" for m in before) or any(
            m.tag == "NP" and m.form in ("저", "저희", "나", "우리") and n.tag == "JKS" for m, n in pairwise(before))
        if offer:  # 도와 드릴까요? -> 도와 드리면 되겠습니까?
            return [("면", "EC"), ("되", "VV"), ("겠", "EP"), ("습니까", "EF")]
        if any(m.form in ("같이", "함께") for m in before) and not si_before:  # 같이 갈까요? -> 같이 가시겠습니까?
            return [("시", "EP"), ("겠", "EP"), ("습니까", "EF")]
        return [("겠", "EP"), ("습니까", "EF")]  # 비가 올까요? -> 비가 오겠습니까?
    if base == "잖아" or (base == "지" and ending.mood == "question" and not any(m.form in _WH_WORDS for m in before)):
        return [("지", "EC"), ("않", "VX"), ("습니까", "EF")]  # 그렇죠? -> 그렇지 않습니까?
    if base in ("네", "군", "는군", "구나", "는구나"):
        if has & {"시", "으시"} and "겠" not in has:
            return [("겠", "EP"), ("습니다", "EF")]  # 피곤하시군요 -> 피곤하시겠습니다
        return [("습니다", "EF")]
    if base in ("더라", "더라고", "더군"):
        return [("습니다", "EF")] if has & {"었", "았", "였"} else [("었", "EP"), ("습니다", "EF")]
    return None


def _copula(morphs: list[_Morph], pred_i: int, mood: str, target: SpeechLevel,
            replace: dict[int, list[tuple[str, str]]]) -> list[tuple[str, str]]:
    """The copula and its ending (the old copula morpheme is dropped: it is part of the new ending)."""
    replace[pred_i] = []
    noun = morphs[pred_i - 1] if pred_i > 0 else None
    if target == "합쇼체":
        if noun is not None and (noun.form, noun.tag) == ("거", "NNB"):
            replace[pred_i - 1] = [("것", "NNB")]  # 할 거예요 -> 할 것입니다
        return [("이", "VCP"), ((_COPULA_QUESTION if mood == "question" else _COPULA)[target], "EF")]
    if noun is not None and noun.form and _open_word(noun.form):
        return [("예요" if target == "해요체" else "야", "EF")]  # 친구예요, AI야 (not 친구에요, AI이야)
    return [("이", "VCP"), (_COPULA[target], "EF")]


def _open_word(word: str) -> bool:
    """The word is read ending in a vowel: a Hangul syllable without a final consonant, or a Latin acronym or digit
    whose Korean name does ("AI" 에이아이, "2" 이; not "HTML" 엘, "1" 일)."""
    last = word[-1]
    if last.isascii() and last.isalpha():
        return last.isupper() and last not in "LMNR"
    if last.isascii() and last.isdigit():
        return last in "2459"
    return _open_syllable(last)


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
