"""Noun chunks of a Kiwi token stream, and the typed units inside each chunk.

Contract: `noun_chunks(text, toks, skip)` returns the maximal runs of adjacent noun-like tokens (nouns, numbers
with their counters, native numerals with theirs ("두 명"), spoken clock times, role nouns after a name, an
honorific 님 on a noun, the branch 점 glued to a proper noun ("목포점"); not verbal nouns, not tokens inside `skip`),
each with the index of the token after it. `typed_units(text, chunk)` types the tokens of one chunk, joining
multi-token lexicon entries (미세+먼지, 다음+주, 7+시) into one unit: T time, Q quantity, A attribute, R role,
S spatial, P place, PH place head, H person noun, O org, X proper, D digits, N noun.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise

from dst import lexicon as lx

NOUN_TAGS = frozenset({"NNP", "NNG", "SN", "SL", "SH", "NR"})


@dataclass(frozen=True)
class Tok:
    form: str
    tag: str
    start: int
    end: int

    @property
    def pos(self) -> str:
        return self.tag.split("-")[0]  # "VA-I" (irregular) -> "VA"


def adnominal_adjective(a: Tok, b: Tok) -> bool:
    """Whether the two tokens are an adjective in its adnominal form ("짧은", "빨간", "가벼운": VA, then ETM)."""
    return a.pos == "VA" and b.pos == "ETM"


@dataclass
class Unit:
    kind: str  # T time, Q quantity, A attribute, R role, S spatial, P place, H person noun, N noun, X proper
    start: int
    end: int
    form: str


def _adjacent(text: str, a: Tok | Unit, b: Tok | Unit) -> bool:
    return b.start >= a.end and not text[a.end : b.start].strip()


_IDLE_SUFFIXES = frozenset({"님", "들", "적", "성"})


def _is_nounish(tok: Tok, prev: Tok | None, nxt: Tok | None) -> bool:
    if tok.form in lx.TIME_PRONOUNS or tok.form in lx.LIGHT_PREDICATES:
        return False
    if _ordinal_of_time(tok, nxt) or (prev is not None and _ordinal_of_time(prev, tok)):
        return True  # "첫 평일", "둘째 주", "둘째 날", "마지막 토요일": an ordinal picks one time of a series
    if tok.pos == "XPN":
        return ((nxt is not None and nxt.pos in ("NNG", "NNP") and nxt.start == tok.end)  # "초미세먼지"
                or _final_prefix(tok, prev, nxt))
    if nxt is not None and nxt.pos in ("XSV", "XSA") and tok.pos == "NNG":
        return False  # a verbal noun ("추천해줘", "유명해요") is the predicate, not an argument
    if tok.pos in NOUN_TAGS:
        return True
    if (tok.pos == "XSN" and tok.form not in _IDLE_SUFFIXES and prev is not None
            and (prev.pos in ("NNG", "NNP") or (prev.pos == "XSN" and prev.form not in _IDLE_SUFFIXES))
            and prev.end == tok.start):
        # a noun suffix glued to a noun makes a noun ("우대율", "신청서"), and so does one glued to such a suffix
        # ("박/NNP 가/XSN 네/XSN": the shop called 박가네); the plural 들, the honorific 님 and the property nouns of
        # 적/성 ("인간적", "가능성") are not things a reference points at
        return True
    if tok.pos == "NNB" and prev is not None and prev.pos in ("SN", "NR") and prev.end == tok.start:
        return True  # "7시", "3,000원", "155만원"
    if tok.form == "점" and tok.pos == "NNB" and prev is not None and prev.pos == "NNP" and prev.end == tok.start:
        return True  # "부산점": a branch, glued to its place, is one name
    if _counted(tok, nxt):
        return True
    if _native_clock(tok, nxt) or (tok.form == "시" and tok.pos == "NNB" and prev is not None
                                   and prev.form in lx.NATIVE_ORDINALS):
        return True  # "세 시", "아홉 시": spoken clock times with native numerals
    if tok.pos == "NNB" and tok.form in lx.ROLE_NOUNS and prev is not None and prev.pos in ("NNP", "NNG"):
        return True  # "지수 씨", "원장님"
    if _honorific(tok, prev):
        return True  # Kiwi may read 님 as a suffix: "원장/NNG 님/XSN"
    if tok.pos == "NNB" and prev is not None and _counted(prev, tok):
        return True  # "두 명", "다섯 개": a count with a native numeral
    if tok.pos == "NNB" and tok.form in lx.PERIOD_PARTS and prev is not None and prev.pos in ("NNB", "NNG"):
        return True  # "8월 초", "주말 즈음": a part of the period said before it
    return tok.pos in ("MAG", "NNB") and tok.form in lx.TIME_WORDS


def _final_prefix(tok: Tok, prev: Tok | None, nxt: Tok | None) -> bool:
    """A "prefix" Kiwi reads at the end of a written word, glued to a noun ("구름/NNG 재/XPN 곤돌라", "초등/NNG
    부/XPN"): a prefix never ends a word, so it is the end of that noun, as a suffix is."""
    return (tok.pos == "XPN" and prev is not None and prev.pos in ("NNG", "NNP") and prev.end == tok.start
            and (nxt is None or nxt.start > tok.end))


def _ordinal_of_time(tok: Tok, nxt: Tok | None) -> bool:
    """An ordinal before a time noun: the two make one time ("둘째 주", "마지막 토요일", "첫 평일", "둘째 날")."""
    ordinal = (tok.form in lx.ORDINAL_WORDS and tok.pos in ("NR", "NNG", "MM")) or (
        tok.form == "첫" and tok.pos == "MM")
    return ordinal and nxt is not None and (nxt.form in lx.TIME_CATEGORIES or nxt.form in lx.TIME_WORDS)


def _day_word(tok: Tok) -> bool:
    """A day noun with its ordinal glued on: "첫날", "전날", "다음날", "마지막날"."""
    return tok.pos == "NNG" and tok.form.endswith("날") and tok.form[:-1] in lx.DAY_PREFIXES


def typed_units(text: str, toks: list[Tok]) -> list[Unit]:
    """Type the tokens of one noun chunk, joining multi-token lexicon entries (미세+먼지, 다음+주, 7+시)."""
    # Over 60 lines on purpose: one left-to-right scan whose cases share the cursor and look-ahead; split into
    # helpers, each would need the whole scan state back and forth.
    units: list[Unit] = []
    i = 0
    while i < len(toks):
        tok = toks[i]
        nxt = toks[i + 1] if i + 1 < len(toks) else None
        if _ordinal_of_time(tok, nxt) and nxt is not None:
            units.append(Unit("T", tok.start, nxt.end, text[tok.start : nxt.end]))
            i += 2
            continue
        if _day_word(tok):
            units.append(Unit("T", tok.start, tok.end, tok.form))
            i += 1
            continue
        if tok.form in lx.DAY_PREFIXES and nxt is not None and nxt.form == "날" and nxt.pos == "NNG":
            # Kiwi cuts "다음날" / "다음 날" into two nouns: the day word all the same
            units.append(Unit("T", tok.start, nxt.end, text[tok.start : nxt.end]))
            i += 2
            continue
        if tok.form in lx.NATIVE_ORDINALS and nxt is not None and nxt.form == "시" and nxt.pos == "NNB":
            end = toks[i + 2].end if i + 2 < len(toks) and toks[i + 2].form == "반" else nxt.end
            start = tok.start
            if units and units[-1].form == "열":  # "열두 시"
                start = units.pop().start
            units.append(Unit("T", start, end, text[start:end]))
            i += 3 if end != nxt.end else 2
            continue
        if nxt is not None and _counted(tok, nxt):
            start = units.pop().start if units and units[-1].form == "열" else tok.start  # "열두 명"
            units.append(Unit("Q", start, nxt.end, text[start : nxt.end]))
            i += 2
            continue
        if ((tok.pos == "XSN" and not _honorific(tok, toks[i - 1] if i else None)) or _final_prefix(
                tok, toks[i - 1] if i else None, nxt)) and units and units[-1].end == tok.start:
            # a noun suffix belongs to the noun it is glued to ("이상형" is not 이상 + the person noun 형)
            units[-1].end = tok.end
            units[-1].form = text[units[-1].start : tok.end]
            i += 1
            continue
        if _honorific(tok, toks[i - 1] if i else None):
            if units and units[-1].kind in ("R", "H") and units[-1].end == tok.start:
                # "원장님" keeps the role 원장; a person noun with 님 is a title too: "박지후 팀장님"
                units[-1].kind = "R"
                units[-1].end = tok.end
            else:
                units.append(Unit("R", tok.start, tok.end, tok.form))  # "지수님": a name with an honorific
            i += 1
            continue
        if tok.pos == "SN" and nxt is not None and (nxt.pos in ("NNB", "NNG", "NR") or (
                nxt.pos == "SL" and nxt.start == tok.end and nxt.form in lx.QUANTITY_UNITS)):
            unit_form = nxt.form
            dated = bool(units) and units[-1].kind == "T" and units[-1].form.endswith("월")
            if unit_form in lx.TIME_UNITS and not (nxt.form == "일" and _duration_follows(toks, i + 2, dated)):
                # "6시 반" / "3시반": the half hour is part of the time, as after a native numeral ("두 시 반")
                half = unit_form == "시" and i + 2 < len(toks) and toks[i + 2].form == "반"
                end = toks[i + 2].end if half else nxt.end
                units.append(Unit("T", tok.start, end, text[tok.start : end]))
                i += 3 if half else 2
                continue
            j = i + 1
            while j < len(toks) and toks[j].pos in ("NR", "NNB", "NNG") and toks[j].form in ("만", "천", "억", "원"):
                j += 1
            if unit_form in lx.QUANTITY_UNITS or j > i + 1:
                end = toks[max(j - 1, i + 1)].end
                units.append(Unit("Q", tok.start, end, text[tok.start : end]))
                i = max(j, i + 2)
                continue
        if units and units[-1].kind == "T" and tok.pos in ("NNB", "NNG") and tok.form in lx.PERIOD_PARTS and (
                text[units[-1].end:tok.start].strip() == ""):
            units[-1].end = tok.end  # "8월 초", "5월 중순": the part of the period is part of the time
            units[-1].form = text[units[-1].start : tok.end]
            i += 1
            continue
        matched = False
        for span in (3, 2, 1):
            if i + span > len(toks):
                continue
            group = toks[i : i + span]
            if span > 1 and not all(_adjacent(text, a, b) or a.end == b.start for a, b in pairwise(group)):
                continue
            joined = "".join(t.form for t in group)
            kind = _lexicon_kind(joined, group)
            if kind is not None and (span > 1 or kind != "N"):
                units.append(Unit(kind, group[0].start, group[-1].end, text[group[0].start : group[-1].end]))
                i += span
                matched = True
                break
        if matched:
            continue
        if tok.pos in ("NNP", "SL", "SH"):
            kind = "X"
        elif tok.pos == "NR" and tok.form not in lx.ORDINAL_WORDS:
            kind = "Q"  # a numeral on its own counts: "하나 더 주문해 줘"
        elif tok.pos == "SN":
            kind = "D"
        elif tok.pos == "NNG" and tok.form in lx.PLACE_HEADS and units and units[-1].kind in ("P", "X", "N", "D", "PH"):
            kind = "PH"
        elif tok.pos == "NNG" and any(tok.form.endswith(x) and len(x) > 1 for x in lx.PLACE_SUFFIXES) and not (
            nxt is not None and nxt.pos == "NNG" and nxt.start == tok.end
        ):
            # facility nouns (미술관, 공원) are places, unless glued to the next noun: "해변열차" is a train
            kind = "P"
        else:
            kind = "N"
        units.append(Unit(kind, tok.start, tok.end, tok.form))
        i += 1
    return units


def _duration_follows(toks: list[Tok], j: int, dated: bool) -> bool:
    """"3일 동안", and without a month before it "5일 전까지", "2일 후": a count of days, not a day of a month
    ("3월 5일 전에" is before the 5th)."""
    return j < len(toks) and (toks[j].form in ("동안", "간") or (
        not dated and toks[j].form in ("전", "후", "뒤", "이내", "만")))


def _lexicon_kind(joined: str, group: list[Tok]) -> str | None:
    if joined in lx.TIME_WORDS:
        return "T"
    if len(group) == 2 and group[0].form in lx.TIME_PREFIXES and (
        group[1].form in lx.TIME_PREFIX_UNITS or group[1].form in lx.TIME_WORDS
    ):
        return "T"
    if joined in lx.ATTRIBUTE_NOUNS:
        return "A"
    if joined in lx.REGIONS or joined in lx.ROOMS or joined in lx.DIRECTIONS:
        return "P"
    if len(group) == 1:
        tok = group[0]
        if tok.form in lx.ROLE_NOUNS or (len(tok.form) >= 2 and tok.form.endswith("님")):
            return "R"  # the honorific 님 ends a role, also where Kiwi keeps it inside one noun ("스님", "도련님")
        if tok.form in lx.SPATIAL_NOUNS:
            return "S"
        if tok.form in lx.PERSON_NOUNS:
            return "H"
        if tok.pos == "NNP" and len(tok.form) >= 2:
            if tok.form.endswith(lx.ORG_SUFFIXES) and len(tok.form) > 2:
                return "O"
            if any(tok.form.endswith(s) and len(tok.form) > len(s) for s in lx.PLACE_SUFFIXES):
                return "P"
    return None


def _counted(tok: Tok, nxt: Tok | None) -> bool:
    """A native numeral and what it counts: a counter ("두 명", "다섯 개"), or any noun after a numeral determiner
    ("한 캔", "두 병": 한/두/세 before a noun always count it)."""
    if not _native_numeral(tok) or nxt is None:
        return False
    spaced = tok.pos == "MM" and nxt.pos in ("NNB", "NNG") and nxt.start > tok.end  # "한송이레터" is a name
    return (nxt.pos == "NNB" and nxt.form in lx.NATIVE_COUNTERS) or spaced


def _native_numeral(tok: Tok) -> bool:
    return tok.pos in ("MM", "NR") and tok.form in lx.NATIVE_ORDINALS and tok.form != "첫"


def _honorific(tok: Tok, prev: Tok | None) -> bool:
    return (tok.form == "님" and tok.pos == "XSN" and prev is not None and prev.end == tok.start
            and prev.pos in ("NNG", "NNP"))


def _native_clock(tok: Tok, nxt: Tok | None) -> bool:
    return (tok.pos in ("MM", "NR") and tok.form in lx.NATIVE_ORDINALS and nxt is not None
            and nxt.form == "시" and nxt.pos == "NNB")


def _inner_hyphen(tok: Tok, prev: Tok | None, nxt: Tok | None, in_chunk: bool) -> bool:
    """A hyphen inside a model name ("WH-1000XM5") joins it; a spaced one separates."""
    return (tok.form == "-" and in_chunk and prev is not None and nxt is not None and prev.end == tok.start
            and tok.end == nxt.start and nxt.pos in ("SN", "SL", "NNP", "NNG"))


def noun_chunks(text: str, toks: tuple[Tok, ...], skip: list[tuple[int, int]]) -> list[tuple[list[Tok], int]]:
    """Maximal runs of adjacent noun tokens, with the index of the token after each run."""
    chunks: list[tuple[list[Tok], int]] = []
    current: list[Tok] = []
    for idx, tok in enumerate(toks):
        inside_title = any(s <= tok.start < e for s, e in skip)
        prev_tok = toks[idx - 1] if idx else None
        next_tok = toks[idx + 1] if idx + 1 < len(toks) else None
        nounish = not inside_title and (
            _is_nounish(tok, prev_tok, next_tok) or _inner_hyphen(tok, prev_tok, next_tok, bool(current))
        )
        if nounish and (not current or _adjacent(text, current[-1], tok) or current[-1].end == tok.start):
            current.append(tok)
            continue
        if current:
            chunks.append((current, idx))
        current = [tok] if nounish else []
    if current:
        chunks.append((current, len(toks)))
    return chunks

