"""Text pieces of a rewrite: spliced replacements, the frame's noun phrase, the fragment's own words.

Contract: pure functions of strings and analyses. `splice(text, pieces)` replaces each (start, end) span of
`text` by its new text; `noun_phrase(frame, ...)` is the frame's noun phrase a new attribute or time is asked
about ("강남역 근처 주차장"); `strip_followups(analysis, start)` is the utterance from `start` without leading
follow-up adverbs; `same_word(a, b)` says whether two words are one, as Kiwi may cut a compound differently in two
texts.
"""

from __future__ import annotations

import re

from dst import lexicon as lx
from dst.analysis import Analysis, Mention


def noun_phrase(
    frame: Analysis, used: set[int], replaced: list[tuple[Mention, Mention]], *, drop_attribute: bool,
    drop_nouns: bool = False, skip_kinds: frozenset[str] = frozenset(), keep_verb_args: bool = False,
    skip_adjuncts: bool = False,
) -> str:
    """The frame's noun phrase that a new attribute is asked about ("강남역 근처 주차장").

    A new head noun ("분위기 좋은 카페는?" after "황리단길 맛집 추천해줘") replaces the frame's untyped nouns.
    `skip_adjuncts`: leave out the frame's instruments, places and goals ("스피커로", "거실 TV에") when an argument
    remains: a follow-up command acts on the frame's object ("좀 더 크게 해 줘" after "스피커로 반주 틀어 줘").
    """
    repl = {t.start: m.text for m, t in replaced}
    keep = [
        fm for fm in frame.mentions
        if not (fm.kind == "attribute" and drop_attribute and fm.start not in repl)
        and not (fm.kind == "noun" and ((fm.followed_by_verb and not keep_verb_args) or drop_nouns))
        and (fm.kind != "quantity" or _labels_next(frame, fm)) and fm.kind not in skip_kinds
        and not _asked_which(frame, fm)
    ]
    if not drop_nouns and not keep_verb_args and not any(frame.names(fm) for fm in keep):
        # "햇살담 과수원 사과 따기 체험 1인당 얼마야?": the name is read as the verb's object; what the phrase is about
        # is still the named thing, which stays with the rest
        named = [fm for fm in frame.mentions if fm.kind == "noun" and fm.followed_by_verb and frame.names(fm)]
        keep = sorted([*keep, *named[:1]], key=lambda fm: fm.start) if named else keep
    if skip_adjuncts:
        # an adjunct goes with the words that modify it ("거실 스피커로")
        adjunct_starts = [fm.start for fm in frame.mentions if fm.particle in ADJUNCT_PARTICLES]
        arguments = [fm for fm in keep if fm.particle not in ADJUNCT_PARTICLES and not (
            fm.particle is None and any(s >= fm.end and not frame.text[fm.end : s].strip() for s in adjunct_starts))]
        keep = arguments if any(fm.kind != "attribute" for fm in arguments) else keep
    parts: list[str] = []
    prev_end: int | None = None
    for fm in keep:
        piece = repl.get(fm.start, fm.text)
        if prev_end is not None and fm.start < prev_end:
            # overlapping readings of one word ("재료" and "재료몰"): the longer stands
            if len(piece) > len(parts[-1]):
                parts[-1], prev_end = piece, fm.end
            continue
        if piece in parts:
            continue  # "1번 기관차 … 2번 기관차": the thing is named once
        gap = frame.text[prev_end : fm.start].strip() if prev_end is not None else ""
        if parts and gap and all(w in lx.SPATIAL_NOUNS for w in gap.split()):
            parts.append(gap)  # keep "근처" in "강남역 근처 주차장"
        parts.append(piece)
        prev_end = fm.end
    return " ".join(parts)


def _asked_which(frame: Analysis, m: Mention) -> bool:
    """A noun the frame's interrogative determiner asks about ("무슨 요일에 쉬어?", "어느 지점이"): the question's
    unknown, not a thing a follow-up is about."""
    before = frame.before(m.start)
    return bool(before) and before[-1].pos == "MM" and before[-1].form in lx.INTERROGATIVE_FORMS


_NUMBER_LABEL = re.compile(r"\d+번")


def _labels_next(frame: Analysis, quantity: Mention) -> bool:
    """Whether a number names the thing written right after it ("3번 건조기", "2번 출구"): a label, not an amount."""
    return (quantity.particle is None and bool(_NUMBER_LABEL.fullmatch(quantity.text))
            and any(fm.start == quantity.end + 1 and fm.kind in ("noun", "item", "place")
                    and frame.text[quantity.end] == " " for fm in frame.mentions))


# Particles of a frame's adjuncts: instrument, place, goal, source ("스피커로", "거실 TV에", "서울에서"). Unlike the
# tracker's reply adjuncts, 에 counts: a frame's "TV에" is where, not what.
ADJUNCT_PARTICLES = frozenset({"로", "으로", "에", "에서", "서", "에게", "한테", "까지", "부터"})


def strip_followups(analysis: Analysis, start: int = 0) -> str:
    """The fragment from `start` on (values already placed in the noun phrase are not repeated)."""
    if start > 0:
        return analysis.text[start:].strip(" ,")
    text = analysis.text
    for tok in analysis.tokens:
        if tok.pos in ("MAJ", "MAG", "IC") and tok.form in lx.FOLLOWUP_ADVERBS:
            text = analysis.text[tok.end :]
            continue
        break
    return text.strip(" ,")


def splice(text: str, pieces: list[tuple[int, int, str]]) -> str:
    for start, end, new in sorted(pieces, key=lambda p: p[0], reverse=True):
        text = text[:start] + new + text[end:]
    return text


def same_word(a: str, b: str) -> bool:
    """One word, or one a compound of the other that Kiwi cut differently in the two texts ("당일배송" / "당일"
    "배송")."""
    return a == b or (min(len(a), len(b)) >= 2 and (a in b or b in a))
