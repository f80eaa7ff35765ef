"""Kiwi morphology turned into typed mentions.

Contract: `Analyzer.analyze(text)` never raises on a string; it returns the Kiwi tokens and the noun-phrase
mentions of the text, each typed time / place / person / item / org / quantity (entities), attribute (what is
asked about: 날씨, 가격 …) or noun (an untyped common noun), with character offsets into `text`.
Typing uses morphology (NNP, SN + bound noun, role nouns after a name, place suffixes) plus the general
lexicons of `dst.lexicon`. Analyses are cached by text: conversations re-read the same turns.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import lru_cache
from itertools import pairwise

from kiwipiepy import Kiwi

from dst import lexicon as lx

NOUN_TAGS = frozenset({"NNP", "NNG", "SN", "SL", "SH", "NR"})
ENTITY_KINDS = frozenset({"time", "place", "person", "item", "org", "quantity"})
_TITLE_RE = re.compile(r"[『「《〈<“\"']([^』」》〉>”\"'\n]{1,60})[』」》〉>”\"']")
_CONTRACTED = {"ᆫ": "는", "ᆯ": "를", "서": "에서"}


@dataclass(frozen=True)
class Tok:
    form: str
    tag: str
    start: int
    end: int

    @property
    def pos(self) -> str:
        return self.tag.split("-")[0]  # "VA-I" (irregular) -> "VA"


@dataclass(frozen=True)
class Mention:
    text: str
    kind: str
    start: int
    end: int
    role: str | None = None
    predicative: bool = False
    proper: bool = False
    particle: str | None = None
    followed_by_verb: bool = False

    @property
    def is_entity(self) -> bool:
        return self.kind in ENTITY_KINDS


@dataclass(frozen=True)
class Analysis:
    text: str
    tokens: tuple[Tok, ...]
    mentions: tuple[Mention, ...]
    chunks: tuple[tuple[int, int, str | None], ...] = ()  # noun chunks: start, end, following particle

    def entities(self) -> list[Mention]:
        return [m for m in self.mentions if m.is_entity]

    def of_kind(self, kind: str) -> list[Mention]:
        return [m for m in self.mentions if m.kind == kind]


@dataclass
class _Unit:
    kind: str  # T time, Q quantity, A attribute, R role, S spatial, P place, H person noun, N noun, X proper
    start: int
    end: int
    form: str


class Analyzer:
    """One Kiwi instance (about 3 s to load) shared by everything that reads Korean in `dst`."""

    def __init__(self, kiwi: Kiwi | None = None, cache_size: int = 4096) -> None:
        self.kiwi = kiwi if kiwi is not None else Kiwi()
        _add_lexicon(self.kiwi)
        self.analyze = lru_cache(maxsize=cache_size)(self._analyze)

    def tokens(self, text: str) -> tuple[Tok, ...]:
        if not text.strip():
            return ()
        return tuple(Tok(t.form, t.tag, t.start, t.start + t.len) for t in self.kiwi.tokenize(text))

    def attach(self, text: str, particles: tuple[Tok, ...]) -> str:
        """`text` followed by `particles` in the allomorphs its last syllable needs (해운대는, 경복궁은, 경복궁엔)."""
        if not particles:
            return text
        forms = [(_CONTRACTED.get(p.form, p.form), p.tag) for p in particles]
        if not text or not ("가" <= text[-1] <= "힣"):
            return text + _fallback_particle(forms[0][0]) + "".join(f for f, _ in forms[1:])
        return self.kiwi.join([(text, "NNP"), *forms])

    def _analyze(self, text: str) -> Analysis:
        toks = self.tokens(text)
        mentions, chunks = _mentions(text, toks)
        return Analysis(text, toks, tuple(mentions), tuple(chunks))


@lru_cache(maxsize=1)
def default_analyzer() -> Analyzer:
    """The process-wide analyzer: Kiwi is loaded once however many injectors are built."""
    return Analyzer()


def _add_lexicon(kiwi: Kiwi) -> None:
    """Teach Kiwi the lexicon's compounds so that "작은방", "주차비", "초미세먼지" stay one noun."""
    # (not the region names: as user words they would split "성수동" into 성수 + 동)
    for words, tag in ((lx.ROOMS, "NNG"), (lx.ATTRIBUTE_NOUNS, "NNG")):
        for word in words:
            if len(word) >= 2:
                kiwi.add_user_word(word, tag, 0.0)


def _fallback_particle(form: str) -> str:
    # After Latin letters or digits there is no syllable to choose an allomorph by; use the vowel form.
    return {"은": "는", "이": "가", "을": "를", "과": "와", "으로": "로"}.get(form, form)


def _adjacent(text: str, a: Tok | _Unit, b: Tok | _Unit) -> bool:
    return b.start >= a.end and not text[a.end : b.start].strip()


def _is_nounish(tok: Tok, prev: Tok | None, nxt: Tok | None) -> bool:
    if tok.form in lx.TIME_PRONOUNS or tok.form in lx.LIGHT_PREDICATES:
        return False
    if tok.pos == "XPN":
        return nxt is not None and nxt.pos in ("NNG", "NNP") and nxt.start == tok.end  # "초미세먼지"
    if nxt is not None and nxt.pos in ("XSV", "XSA") and tok.pos == "NNG":
        return False  # a verbal noun ("추천해줘", "유명해요") is the predicate, not an argument
    if tok.pos in NOUN_TAGS:
        return True
    if tok.pos == "NNB" and prev is not None and prev.pos in ("SN", "NR") and prev.end == tok.start:
        return True  # "7시", "3,000원", "155만원"
    if _native_clock(tok, nxt) or (tok.form == "시" and tok.pos == "NNB" and prev is not None
                                   and prev.form in lx.NATIVE_ORDINALS):
        return True  # "세 시", "아홉 시": spoken clock times with native numerals
    if tok.pos == "NNB" and tok.form in lx.ROLE_NOUNS and prev is not None and prev.pos in ("NNP", "NNG"):
        return True  # "지수 씨", "원장님"
    return tok.pos in ("MAG", "NNB") and tok.form in lx.TIME_WORDS


def _units(text: str, toks: list[Tok]) -> list[_Unit]:
    """Type the tokens of one noun chunk, joining multi-token lexicon entries (미세+먼지, 다음+주, 7+시)."""
    units: list[_Unit] = []
    i = 0
    while i < len(toks):
        tok = toks[i]
        nxt = toks[i + 1] if i + 1 < len(toks) else None
        if tok.form in lx.NATIVE_ORDINALS and nxt is not None and nxt.form == "시" and nxt.pos == "NNB":
            end = toks[i + 2].end if i + 2 < len(toks) and toks[i + 2].form == "반" else nxt.end
            start = tok.start
            if units and units[-1].form == "열":  # "열두 시"
                start = units.pop().start
            units.append(_Unit("T", start, end, text[start:end]))
            i += 3 if end != nxt.end else 2
            continue
        if tok.pos == "SN" and nxt is not None and nxt.pos in ("NNB", "NNG", "NR"):
            unit_form = nxt.form
            if unit_form in lx.TIME_UNITS and not (nxt.form == "일" and _duration_follows(toks, i + 2)):
                units.append(_Unit("T", tok.start, nxt.end, text[tok.start : nxt.end]))
                i += 2
                continue
            j = i + 1
            while j < len(toks) and toks[j].pos in ("NR", "NNB", "NNG") and toks[j].form in ("만", "천", "억", "원"):
                j += 1
            if unit_form in lx.QUANTITY_UNITS or j > i + 1:
                end = toks[max(j - 1, i + 1)].end
                units.append(_Unit("Q", tok.start, end, text[tok.start : end]))
                i = max(j, i + 2)
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
                units.append(_Unit(kind, group[0].start, group[-1].end, text[group[0].start : group[-1].end]))
                i += span
                matched = True
                break
        if matched:
            continue
        if tok.pos in ("NNP", "SL", "SH"):
            kind = "X"
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
        units.append(_Unit(kind, tok.start, tok.end, tok.form))
        i += 1
    return units


def _duration_follows(toks: list[Tok], j: int) -> bool:
    return j < len(toks) and toks[j].form in ("동안", "간")


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
        if tok.form in lx.ROLE_NOUNS:
            return "R"
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


def _native_clock(tok: Tok, nxt: Tok | None) -> bool:
    return (tok.pos in ("MM", "NR") and tok.form in lx.NATIVE_ORDINALS and nxt is not None
            and nxt.form == "시" and nxt.pos == "NNB")


def _inner_hyphen(tok: Tok, prev: Tok | None, nxt: Tok | None, in_chunk: bool) -> bool:
    """A hyphen inside a model name ("WH-1000XM5") joins it; a spaced one separates."""
    return (tok.form == "-" and in_chunk and prev is not None and nxt is not None and prev.end == tok.start
            and tok.end == nxt.start and nxt.pos in ("SN", "SL", "NNP", "NNG"))


def _chunks(text: str, toks: tuple[Tok, ...], skip: list[tuple[int, int]]) -> list[tuple[list[Tok], int]]:
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


def _mentions(text: str, toks: tuple[Tok, ...]) -> tuple[list[Mention], list[tuple[int, int, str | None]]]:
    mentions: list[Mention] = []
    spans: list[tuple[int, int, str | None]] = []
    titles = [(m.start(1), m.end(1)) for m in _TITLE_RE.finditer(text) if m.group(1).strip()]
    for start, end in titles:
        after = next((t for t in toks if t.start >= end + 1), None)
        particle = after.form if after is not None and after.pos.startswith("J") else None
        mentions.append(Mention(text[start:end].strip(), "item", start, end, proper=True, particle=particle))
    for chunk, after_idx in _chunks(text, toks, titles):
        after = toks[after_idx] if after_idx < len(toks) else None
        if after is not None and after.pos == "XSN":
            continue  # derivation ("베트남계", "한국식"): a modifier, not a referent
        predicative = after is not None and (
            after.pos == "VCP" or (after.pos.startswith("J") and _vcp_next(toks, after_idx))
            or _locative_predicate(toks, after_idx)
        )
        particle = after.form if after is not None and after.pos.startswith("J") else None
        verb_next = after is not None and after.pos in ("VV", "VX")
        spans.append((chunk[0].start, chunk[-1].end, particle))
        grouped = _group(text, _units(text, chunk), predicative, particle, verb_next)
        if grouped and grouped[-1].kind == "item" and grouped[-1].proper and _motion_goal(toks, after_idx):
            grouped[-1] = replace(grouped[-1], kind="place")  # "태종대 가는 버스": the goal of 가다 is a place
        mentions.extend(grouped)
    mentions.sort(key=lambda m: m.start)
    return mentions, spans


def _motion_goal(toks: tuple[Tok, ...], idx: int) -> bool:
    if idx < len(toks) and toks[idx].pos == "JKB" and toks[idx].form in ("에", "로", "으로", "까지"):
        idx += 1
    return idx < len(toks) and toks[idx].pos == "VV" and toks[idx].form in lx.MOTION_VERBS


def _locative_predicate(toks: tuple[Tok, ...], idx: int) -> bool:
    # "용산구 이촌동에 있어요" says where something is; the place describes, it is not the new topic
    return (idx + 1 < len(toks) and toks[idx].form == "에" and toks[idx].pos == "JKB"
            and toks[idx + 1].form == "있" and toks[idx + 1].pos in ("VA", "VV"))


def _vcp_next(toks: tuple[Tok, ...], idx: int) -> bool:
    return idx + 1 < len(toks) and toks[idx + 1].pos == "VCP" and toks[idx].form in ("이", "가")


def _group(text: str, units: list[_Unit], predicative: bool, particle: str | None, verb_next: bool) -> list[Mention]:
    """Merge typed units into mentions: "토요일 저녁 7시" -> time, "아이폰 16 프로" -> item, "장재현 감독" -> person.

    `predicative` belongs to the whole chunk: in "크리스마스 이브네요" both words describe, neither introduces.
    """
    units = _merge_place_heads(units, text)
    for k in range(len(units) - 1):
        if units[k].kind == "A" and units[k + 1].kind == "R":
            units[k].kind = "X"  # a word before a role noun is a name: "지수 씨", not the attribute 지수
    out: list[Mention] = []
    i = 0
    while i < len(units):
        u = units[i]
        j = i + 1
        last = j == len(units)
        if u.kind in ("T", "P", "Q"):
            while j < len(units) and (units[j].kind == u.kind or (u.kind == "P" and _hangul_name(units[j]))):
                j += 1  # a region before a Korean name makes one place: "담양 죽녹원", "강화도 마니산"
            kind = {"T": "time", "P": "place", "Q": "quantity"}[u.kind]
            out.append(_mk(text, units[i:j], kind, predicative, particle if j == len(units) else None))
        elif u.kind in ("X", "N", "O", "H", "D"):
            while j < len(units) and units[j].kind in ("X", "N", "O", "D"):
                j += 1
            run = units[i:j]
            has_proper = any(x.kind in ("X", "O") for x in run)
            at_end = j == len(units)
            if j < len(units) and units[j].kind == "R":
                role = units[j].form
                out.append(_mk(text, [*run, units[j]], "person", predicative,
                               particle if j + 1 == len(units) else None, role=role, proper=has_proper))
                j += 1
            elif has_proper:
                kind = "org" if any(x.kind == "O" for x in run) else "item"
                # trailing common nouns after a name belong to the thing's name only when nothing follows
                out.append(_mk(text, run, kind, predicative, particle if at_end else None, proper=True))
            elif any(x.kind == "H" for x in run):
                out.append(_mk(text, run, "person", predicative, particle if at_end else None))
            else:
                out.append(_mk(text, run, "noun", predicative, particle if at_end else None,
                               verb_next=verb_next and at_end))
        elif u.kind == "A":
            out.append(_mk(text, [u], "attribute", predicative, particle if last else None))
        elif u.kind == "R":
            out.append(_mk(text, [u], "noun", predicative, particle if last else None))
        # spatial nouns (S) locate the neighbouring place and are kept only in the surface text
        i = j
    return out


def _hangul_name(unit: _Unit) -> bool:
    return unit.kind == "X" and all("가" <= ch <= "힣" for ch in unit.form)


def _merge_place_heads(units: list[_Unit], text: str) -> list[_Unit]:
    """A name followed by a place head noun is a place: "전주 한옥 마을", "여의도 한강 공원", "홍대 입구 역"."""
    out: list[_Unit] = []
    for u in units:
        if u.kind != "PH":
            out.append(u)
            continue
        k = len(out)
        while k > 0 and out[k - 1].kind in ("P", "X", "N", "D"):
            k -= 1
        if any(x.kind in ("P", "X") for x in out[k:]):
            start = out[k].start
            out[k:] = [_Unit("P", start, u.end, text[start : u.end])]
        else:
            out.append(_Unit("N", u.start, u.end, u.form))
    return out


def _mk(text: str, units: list[_Unit], kind: str, predicative: bool, particle: str | None, *,
        role: str | None = None, proper: bool = False, verb_next: bool = False) -> Mention:
    start, end = units[0].start, units[-1].end
    return Mention(text[start:end], kind, start, end, role=role, predicative=predicative, proper=proper,
                   particle=particle, followed_by_verb=verb_next)
