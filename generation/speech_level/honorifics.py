"""Listener-facing words that follow the speech level: person words, interjections and honorifics (closed classes).

Contract: `word_swaps(morphs, end, target)` gives the replacements for the morphemes before the ending at index `end`:
first/second-person words follow the level (나/우리/너/응/아니 <-> 저/저희/당신/네/아니요); in 반말, honorifics aimed
at the listener go (-시-, 드시다/주무시다/계시다, 드리다, 말씀, 감사하다/죄송하다), unless the sentence honours a third
person (께서, 께, -님, 할머니 …), whose -시- stays. `honour_verb` and `honours_third_person` serve the ending rules.
"""

from __future__ import annotations

from generation.speech_level.morphs import Morph
from generation.types import SpeechLevel

_HONORIFIC_PRONOUNS = {"나": "저", "우리": "저희", "너": "당신"}
_PLAIN_PRONOUNS = {v: k for k, v in _HONORIFIC_PRONOUNS.items()}
_POLITE_INTERJECTIONS = {"응": "네", "아니": "아니요"}
_PLAIN_INTERJECTIONS = {"네": "응", "예": "응", "아니요": "아니", "아뇨": "아니"}
# Suppletive honorific verbs and their plain verbs.
HONORIFIC_VERBS = {"드시": "먹", "주무시": "자", "계시": "있", "잡수시": "먹"}
SI = ("시", "으시")
_HUMBLE_VERBS = {"여쭈": ("묻", "VV-I"), "여쭙": ("묻", "VV-I"), "여쭤보": ("물어보", "VV"), "뵈": ("보", "VV"),
                 "뵙": ("보", "VV")}
_PLAIN_TO_HONORIFIC = {"자": "주무시", "먹": "드시"}
_HONOURED_NOUNS = {"할머니", "할아버지", "어머니", "아버지", "어르신", "부모님", "선생님", "교수님", "사장님"}


def honours_third_person(morphs: list[Morph]) -> bool:
    """The sentence honours someone other than the listener, so its -시- may be theirs ("할머니께서 주무셔")."""
    return any((m.tag.startswith("JK") and m.form in ("께서", "께")) or (m.tag == "XSN" and m.form == "님")
               or (m.tag.startswith("NN") and _honoured_noun(m.form)) for m in morphs)


def _honoured_noun(form: str) -> bool:
    return form in _HONOURED_NOUNS or (len(form) > 1 and form.endswith("님"))


def word_swaps(morphs: list[Morph], end: int, target: SpeechLevel) -> dict[int, list[tuple[str, str]]]:
    """Replacements for the words before the ending: person words, and in 반말 the listener's honorifics."""
    replace: dict[int, list[tuple[str, str]]] = {}
    pronouns = _PLAIN_PRONOUNS if target == "반말" else _HONORIFIC_PRONOUNS
    interjections = _PLAIN_INTERJECTIONS if target == "반말" else _POLITE_INTERJECTIONS
    listener = target == "반말" and not honours_third_person(morphs)
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


def _plain_word(morphs: list[Morph], i: int) -> list[tuple[str, str]] | None:
    """The 반말 for a listener-honouring morpheme, or None when it has none."""
    m = morphs[i]
    if m.tag == "EP" and m.form in ("시", "으시"):
        return []
    if m.tag == "VV" and m.form in HONORIFIC_VERBS:
        return [(HONORIFIC_VERBS[m.form], "VV")]
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


def honour_verb(pred: Morph, pred_i: int, replace: dict[int, list[tuple[str, str]]], seyo: bool = False) -> bool:
    """자다/먹다 take their own honorific verb where -시- is added (자렴 -> 주무십시오, 먹을까? -> 드시겠습니까?)."""
    honorific = _PLAIN_TO_HONORIFIC.get(pred.form) if pred.tag == "VV" else None
    if honorific is None:
        return False
    replace[pred_i] = [(honorific[:-1] if seyo else honorific, "VV")]
    return True


_SWAPPABLE_FORMS = frozenset({*_HONORIFIC_PRONOUNS, *_PLAIN_PRONOUNS, *_POLITE_INTERJECTIONS, *_PLAIN_INTERJECTIONS,
                              *HONORIFIC_VERBS, *_HUMBLE_VERBS, *_PLAIN_TO_HONORIFIC, "미안", "감사", "죄송", "안녕",
                              "안녕히", "드리", "말씀", *SI})


def risky_form(form: str, tag: str) -> bool:
    """Whether a morpheme is one `word_swaps` (or the ending rules) may rewrite at some level: a streamed reply holds
    back the eojeol that carries it until its sentence's ending is known (`generation.holdback`)."""
    return form in _SWAPPABLE_FORMS or tag in ("EP", "IC") or (tag.startswith("E") and tag != "EC" and tag != "ETM")
