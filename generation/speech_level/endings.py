"""The sentence-final ending: what it means (its mood) and what replaces it at another speech level.

Contract: `source_ending(morphs, idx, text, previous, target)` reads the ending that ends at morpheme `idx` (with its
polite 요, -세요's -시-, and -잖아 as Kiwi splits it); `target_ending(morphs, ending, target, replace)` gives the new
ending's morphemes at `target` level and may rewrite the predicate before it through `replace`.
The new ending keeps the old one's meaning where the target level has one (-ㄹ게요 -> -겠습니다, -잖아요 ->
-지 않습니까?, -네/-군/-거든/-ㄹ까/-ㄹ래 <-> +요), otherwise it is chosen by mood (question, imperative,
propositive, statement); an ambiguous -어요 after an imperative or on -어 보- reads as propositive.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise

from generation.speech_level.honorifics import HONORIFIC_VERBS, SI, honour_verb, honours_third_person
from generation.speech_level.morphs import Morph
from generation.types import SpeechLevel
from korean.speech import FINAL_TAGS, level_of_ending

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
_COPULA = {"합쇼체": "ᆸ니다", "해요체": "에요", "반말": "야"}
_COPULA_QUESTION = {"합쇼체": "ᆸ니까", "해요체": "에요", "반말": "야"}


@dataclass(frozen=True)
class Ending:
    first: int  # first morpheme the new ending replaces (the final one, or 지+않+어 of -잖아, EF/EC before 요)
    base: str  # the ending without its polite 요 ("ᆯ게", "네", "잖아", "어"; -세요 is "어" with honorific)
    tag: str
    polite: bool
    honorific: bool  # the ending itself carries -시- (-세요)
    mood: str


def source_ending(morphs: list[Morph], idx: int, text: str, previous: str, target: SpeechLevel) -> Ending:
    final = morphs[idx]
    first, form, tag = idx, final.form, final.tag
    if tag == "JX" and form == "요" and idx > 0 and morphs[idx - 1].tag in FINAL_TAGS:
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
    return Ending(first, base, tag, polite, honorific, mood)


def _mood(morphs: list[Morph], first: int, base: str, tag: str, polite: bool, honorific: bool, text: str,
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
    if honorific or (polite and pred.tag == "VV" and pred.form in HONORIFIC_VERBS):  # -세요: 어떠세요 / 가세요
        if pred.tag in ("VA", "VA-I", "XSA", "VCP") or pred.form in ("있", "계시") or honours_third_person(morphs):
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


def target_ending(morphs: list[Morph], ending: Ending, target: SpeechLevel,
                  replace: dict[int, list[tuple[str, str]]]) -> list[tuple[str, str]]:
    """The morphemes of the new ending; may also rewrite the predicate before it (through `replace`)."""
    base, mood = ending.base, ending.mood
    pred_i = ending.first - 1
    pred = morphs[pred_i] if pred_i >= 0 else None
    keeps_yo_family = target != "합쇼체" and (base in _YO_FAMILY or base in _TO_POLITE)
    if pred is not None and pred.tag == "VCP" and not keeps_yo_family:
        return _copula(morphs, pred_i, mood, target, replace)
    si_before = pred is not None and (pred.form in HONORIFIC_VERBS or (pred.tag == "EP" and pred.form in SI))
    if target == "반말":
        if base in ("군", "는군") and ending.polite:
            return [(base[:-1] + "구나", "EF")]  # 왔군요 -> 왔구나: 반말 -군 is talking to oneself
        colloquial = ending.tag == "EC" and level_of_ending(base, "EC") == "반말"
        if base in _YO_FAMILY or base in _TO_POLITE or colloquial or (ending.polite and base not in ("어", "아")):
            return [(base, ending.tag)]
        if ending.honorific and honours_third_person(morphs):
            return [("시", "EP"), *_ENDINGS["반말"][mood]]  # 할머니가 오세요 -> 할머니가 오셔
        return list(_ENDINGS["반말"][mood])
    if target == "해요체":
        if base in _TO_POLITE:
            return [(_TO_POLITE[base], "EF")]
        colloquial = ending.tag == "EC" and level_of_ending(base, "EC") == "반말" and base not in ("니", "냐")
        if base in _YO_FAMILY or colloquial:
            return [(base + "요", ending.tag)]
        if mood == "imperative" and pred is not None:
            honour_verb(pred, pred_i, replace, seyo=True)
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
    if endings[0] == ("시", "EP") and pred is not None and honour_verb(pred, pred_i, replace):
        endings = endings[1:]
    if pred is not None and pred.form == "뵈":
        replace[pred_i] = [("뵙", "VV-R")]  # 뵐게요 -> 뵙겠습니다, not 뵈겠습니다
    return endings


def _formal_family(morphs: list[Morph], ending: Ending, si_before: bool) -> list[tuple[str, str]] | None:
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


def _copula(morphs: list[Morph], pred_i: int, mood: str, target: SpeechLevel,
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
