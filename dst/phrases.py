"""Text pieces of a rewrite: spliced replacements, the frame's noun phrase, the fragment's own words.

Contract: pure functions of strings and analyses. `splice(text, pieces)` replaces each (start, end) span of
`text` by its new text; `noun_phrase(frame, ...)` is the frame's noun phrase a new attribute or time is asked
about ("강남역 근처 주차장"); `strip_followups(analysis, start)` is the utterance from `start` without leading
follow-up adverbs.
"""

from __future__ import annotations

from dst import lexicon as lx
from dst.analysis import Analysis, Mention


def noun_phrase(
    frame: Analysis, used: set[int], replaced: list[tuple[Mention, Mention]], *, drop_attribute: bool,
    drop_nouns: bool = False, skip_kinds: frozenset[str] = frozenset(), keep_verb_args: bool = False,
) -> str:
    """The frame's noun phrase that a new attribute is asked about ("강남역 근처 주차장").

    A new head noun ("분위기 좋은 카페는?" after "황리단길 맛집 추천해줘") replaces the frame's untyped nouns.
    """
    repl = {t.start: m.text for m, t in replaced}
    keep = [
        fm for fm in frame.mentions
        if not (fm.kind == "attribute" and drop_attribute and fm.start not in repl)
        and not (fm.kind == "noun" and ((fm.followed_by_verb and not keep_verb_args) or drop_nouns))
        and fm.kind != "quantity" and fm.kind not in skip_kinds
    ]
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
