"""Kiwi morphology turned into typed mentions.

Contract: `Analyzer.analyze(text, names)` never raises on a string; it returns the Kiwi tokens and the noun-phrase
mentions of the text (each of the dialogue's `names` it says read whole: `_misread_names` where Kiwi read a word of
one as something other than nouns, and a name of several words no mention holds read again as proper nouns), each
typed time / place / person / item / org / quantity (entities), attribute (what is asked about: 날씨, 가격 …) or noun
(an untyped common noun), with character offsets into `text`.
Typing uses morphology (NNP, SN + bound noun, role nouns after a name, place suffixes) plus the general
lexicons of `dst.lexicon`: `dst.chunks` finds the noun chunks and types their units, `dst.mentions` groups
the units into mentions. Analyses are cached by text (and the dialogue's names it says): conversations re-read the
same turns.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property, lru_cache

from kiwipiepy import Kiwi

from dst import lexicon as lx
from dst.chunks import NOUN_TAGS, Tok
from dst.mentions import ENTITY_KINDS, QUOTES, Mention, find_mentions
from korean.frequency import NAME_RARITY, noun_rarity

__all__ = ["COMPOUNDS", "ENTITY_KINDS", "NOUN_TAGS", "Analysis", "Analyzer", "Mention", "Tok", "default_analyzer"]

_CONTRACTED = {"ᆫ": "는", "ᆯ": "를", "서": "에서", "다": "에다"}  # 거긴, 그걸, 거기서, 거기다


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

    def names(self, m: Mention) -> bool:
        """Whether a mention names a particular thing: a proper noun, a typed place, item, organisation or person,
        or a noun chunk whose nouns are rare in open Korean text (`korean.frequency`: shop, brand and product
        names)."""
        if m.proper or m.kind in ("place", "item", "org"):
            return True
        if m.kind not in ("person", "noun"):
            return False
        inside = self.within(m.start, m.end)
        if m.kind == "person":
            return any(t.pos == "NNP" for t in inside)
        nouns = [t.form for t in inside if t.pos in ("NNG", "NNP")]
        if len(nouns) >= 3 and len(self.text[m.start:m.end].split()) >= 3:
            return True  # "라틴 파이어 워크숍": three written words of nouns make a name, whatever each word's rarity
        return bool(nouns) and max(noun_rarity(n) for n in nouns) >= NAME_RARITY

    def within(self, start: int, end: int) -> tuple[Tok, ...]:
        """The tokens that start in [start, end), found by bisection: a long turn has thousands of mentions."""
        return self.tokens[bisect_left(self._starts, start):bisect_left(self._starts, end)]

    def before(self, offset: int) -> tuple[Tok, ...]:
        """The tokens that end by `offset`, found by bisection (tokens are ordered and do not overlap)."""
        return self.tokens[:bisect_right(self._ends, offset)]

    def after(self, offset: int, count: int) -> tuple[Tok, ...]:
        """The first `count` tokens that start at or after `offset`."""
        k = bisect_left(self._starts, offset)
        return self.tokens[k:k + count]

    @cached_property
    def _starts(self) -> list[int]:
        return [t.start for t in self.tokens]

    @cached_property
    def _ends(self) -> list[int]:
        return [t.end for t in self.tokens]

    @property
    def requests(self) -> bool:
        """Whether it asks for something with the benefactive 주다 ("찾아줘", "맞춰 주세요")."""
        return any(t.form == "주" and t.pos == "VX" for t in self.tokens)


class Analyzer:
    """Reads Korean for `dst` with the process's one Kiwi (`korean.kiwi.shared_kiwi`, the default). dst's typing
    expects the lexicon's compounds as single nouns (`COMPOUNDS`: "작은방", "주차비"): consecutive tokens of one
    written word that spell one of them are merged into one NNG token (`merge_compounds`).
    """

    def __init__(self, kiwi: Kiwi | None = None, cache_size: int = 4096) -> None:
        if kiwi is None:
            from korean.kiwi import shared_kiwi

            kiwi = shared_kiwi()
        self.kiwi = kiwi
        self._cached = lru_cache(maxsize=cache_size)(self._analyze)

    def analyze(self, text: str, names: Iterable[str] = ()) -> Analysis:
        """`names`: the names the dialogue has established (`DialogueState.names`); each one the text says is read
        as the dialogue read it, whole, where Kiwi alone would cut it ("라루나 탱고살롱" as 라루/NNP + 나/JC, "or")."""
        return self._cached(text, frozenset(n for n in names if n in text))

    def cache_clear(self) -> None:
        """Forget every cached analysis (a benchmark's turn is then read afresh, as a new turn is)."""
        self._cached.cache_clear()

    def tokens(self, text: str, names: frozenset[str] = frozenset(),
               whole: tuple[str, ...] = ()) -> tuple[Tok, ...]:
        """Kiwi's tokens, with the dialogue's `names` it misread as something other than nouns given to it as proper
        nouns, and each word of each `whole` name given as one proper noun wherever the text says it."""
        if not text.strip():
            return ()
        toks = self._kiwi_tokens(text)
        forced = _disjoint(_misread_references(text, toks) + _misread_names(text, toks, names)
                           + _name_words(text, whole))
        if forced:
            toks = self._kiwi_tokens(text, forced)
        return merge_compounds(text, toks)

    def _kiwi_tokens(self, text: str, forced: list[tuple[int, int, str]] | None = None) -> list[Tok]:
        return [Tok(t.form, t.tag, t.start, t.start + t.len) for t in self.kiwi.tokenize(text, pretokenized=forced)]

    def attach(self, text: str, particles: tuple[Tok, ...]) -> str:
        """`text` followed by `particles` in the allomorphs its last syllable needs (해운대는, 경복궁은, 경복궁엔)."""
        if not particles:
            return text
        forms = [(_CONTRACTED.get(p.form, p.form), p.tag) for p in particles]
        if not text or not ("가" <= text[-1] <= "힣"):
            return text + _fallback_particle(forms[0][0]) + "".join(f for f, _ in forms[1:])
        return self.kiwi.join([(text, "NNP"), *forms])

    def _analyze(self, text: str, names: frozenset[str] = frozenset()) -> Analysis:
        toks = self.tokens(text, names)
        mentions, chunks = find_mentions(text, toks)
        lost = tuple(n for n in names if " " in n and _unmentioned(n, text, mentions))
        if lost:
            # "'무약정 12개월권'은 …" then "무약정 12개월권이 맞아요": Kiwi reads the words as nouns (무/XPN 약정/NNG
            # 12/SN 개월/NNB 권/XSN), yet no mention comes of them; the dialogue's name is read as it was quoted. Only
            # a name of several words: a one-word name or a last word ("15일" of "'로밍나비 아시아 15일'") may be
            # said as a plain word ("15일짜리로")
            toks = self.tokens(text, names, lost)
            mentions, chunks = find_mentions(text, toks)
        return Analysis(text, toks, tuple(mentions), tuple(chunks))


@lru_cache(maxsize=1)
def default_analyzer() -> Analyzer:
    """The process-wide analyzer: Kiwi is loaded once however many injectors are built."""
    return Analyzer()


# What `_misread_references` looks for: the pronouns whose written word Kiwi may cut or misread in mid-sentence, the
# tags of a reading of them that needs no repair, and the demonstratives and time nouns of the two-word misreading.
_SPLIT_PRONOUNS = tuple(sorted(lx.TIME_PRONOUNS | lx.OBJECT_PRONOUNS, key=len, reverse=True))
_PRONOUN_TAGS = frozenset({"NP", "NNG", "NNB", "MM"})
_DEMONSTRATIVES = frozenset({"그", "이", "저"})
_TIME_NOUNS_LONGEST_FIRST = tuple(sorted(lx.TIME_CATEGORIES, key=len, reverse=True))


def _misread_references(text: str, toks: list[Tok]) -> list[tuple[int, int, str]]:
    """Spans to give Kiwi as fixed morphemes (its `pretokenized`) where, in mid-sentence, it cut or misread a word of
    reference:
    - a written word that begins with a time or thing pronoun, cut inside the pronoun or read as other words ("그럼
      그때로 두 명" -> 그/IC 때로/MAG, "that sometimes two"; "… 그거 수육처럼" -> 그/IC 거/MM): the pronoun is one
      word (NNG for a time, NP for a thing), its particles follow;
    - a time noun after a standalone demonstrative, read as an adverb or a determiner ("그 주로 예약해 줘" -> 그/IC
      주로/MAG, "mainly"; "그 주 예보" -> 주/MM): the demonstrative (MM) and the noun (NNG).
    Empty when nothing needs it, which is almost always."""
    forced: list[tuple[int, int, str]] = []
    starts = [t.start for t in toks]  # a long message has thousands of words: each looks its tokens up, no scan
    words = list(re.finditer(r"\S+", text))
    for k, word in enumerate(words):
        start, form = word.start(), word.group()
        pronoun = next((p for p in _SPLIT_PRONOUNS if form.startswith(p) and form[len(p):len(p) + 2] != p[:2]), None)
        if pronoun is not None:  # ("그때그때", now and then, is an adverb of its own)
            cut = start + len(pronoun)
            covering = toks[bisect_left(starts, start):bisect_left(starts, cut)]
            if not (any(t.end == cut for t in covering) and all(t.pos in _PRONOUN_TAGS for t in covering)):
                forced.append((start, cut, "NNG" if pronoun in lx.TIME_PRONOUNS else "NP"))
            continue
        if form in _DEMONSTRATIVES and k + 1 < len(words):
            nxt = words[k + 1]
            noun = next((c for c in _TIME_NOUNS_LONGEST_FIRST if nxt.group().startswith(c)), None)
            at = bisect_left(starts, nxt.start())
            first = toks[at] if at < len(toks) and toks[at].start == nxt.start() else None
            if noun is not None and first is not None and first.pos in ("MAG", "MM"):
                forced += [(start, word.end(), "MM"), (nxt.start(), nxt.start() + len(noun), "NNG")]
    return forced


_WHOLE_NAME_TAGS = frozenset({"NNG", "NNP", "NNB", "SL", "SN", "SH", "XSN", "XPN", "XR", "SW", "SO"})


def _disjoint(spans: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """The spans Kiwi is given, without overlaps (it refuses them): the longer of two that overlap is kept."""
    kept: list[tuple[int, int, str]] = []
    for span in sorted(set(spans), key=lambda x: (x[0] - x[1], x[0])):
        if all(span[1] <= k[0] or k[1] <= span[0] for k in kept):
            kept.append(span)
    return sorted(kept)


def _said(name: str, text: str) -> list[re.Match[str]]:
    """Where the text says a name at the start of a written word (after a space or a quote), not inside a longer
    word."""
    return [found for found in re.finditer(re.escape(name), text)
            if not found.start() or text[found.start() - 1].isspace() or text[found.start() - 1] in QUOTES]


def _unmentioned(name: str, text: str, mentions: list[Mention]) -> bool:
    """Whether the text says an established name where it starts a written word, and no mention holds it whole there
    (a mention of part of it: "'○○링크 프로'" said again as "○○링크 프로를" may be read as
    the mention ○○링크 and a word 프로)."""
    for found in _said(name, text):
        if not any(m.start <= found.start() and found.end() <= m.end for m in mentions):
            return True
    return False


def _name_words(text: str, names: tuple[str, ...]) -> list[tuple[int, int, str]]:
    """Each written word of each name, where the text says the name at a word's start, as a proper noun span."""
    spans: list[tuple[int, int, str]] = []
    for name in names:
        for found in _said(name, text):
            spans += [(found.start() + w.start(), found.start() + w.end(), "NNP") for w in re.finditer(r"\S+", name)]
    return spans


def _misread_names(text: str, toks: list[Tok], names: frozenset[str]) -> list[tuple[int, int, str]]:
    """Spans to give Kiwi as proper nouns (its `pretokenized`) where it read a word of a name the dialogue has
    established as something else than nouns: a last syllable taken for a particle ("숨결요가 정자점도" -> 숨결요 + 가,
    the subject marker; "라루나 탱고살롱" -> 라루 + 나, "or"). Only where the name starts a written word; a word Kiwi
    reads as nouns is left as it is."""
    forced: list[tuple[int, int, str]] = []
    starts = [t.start for t in toks]
    for name in names:
        for found in _said(name, text):
            for word in re.finditer(r"\S+", name):
                start, end = found.start() + word.start(), found.start() + word.end()
                inside = toks[bisect_left(starts, start):bisect_left(starts, end)]
                if any(t.pos not in _WHOLE_NAME_TAGS or t.end > end for t in inside):
                    forced.append((start, end, "NNP"))
    return forced


# The lexicon's compounds that dst reads as one noun ("작은방", "주차비", "초미세먼지").
COMPOUNDS = frozenset(word for word in lx.ROOMS | lx.ATTRIBUTE_NOUNS if len(word) >= 2)
_MAX_PARTS = 4  # the longest compound ("초미세먼지") is no more than four of Kiwi's tokens


def merge_compounds(text: str, toks: list[Tok]) -> tuple[Tok, ...]:
    """`toks` with each longest run of tokens that spells one of `COMPOUNDS` inside one written word
    ("작/VA 은/ETM 방/NNG" for 작은방, "주차/NNG 비/NNG" for 주차비) as one NNG token."""
    out: list[Tok] = []
    k = 0
    while k < len(toks):
        first = toks[k]
        # a compound never ends in a particle: "첫째 주가" is 주 + 가, not the attribute 주가 ("stock price")
        end = next((j for j in range(min(len(toks), k + _MAX_PARTS) - 1, k, -1)
                    if text[first.start:toks[j].end] in COMPOUNDS and not toks[j].pos.startswith("J")), None)
        if end is None:
            out.append(first)
            k += 1
            continue
        out.append(Tok(text[first.start:toks[end].end], "NNG", first.start, toks[end].end))
        k = end + 1
    return tuple(_humble_suffix(_ampersand_names(text, _glued_interjections(text, out))))


def _glued_interjections(text: str, toks: list[Tok]) -> list[Tok]:
    """An interjection glued to the noun after it inside one written word ("자개" as 자/IC 개/NNG, "자개 복원" read as
    "come on, dog restoration") as one common noun: an interjection is a word of its own, so Kiwi misread a noun. Not
    a demonstrative Kiwi read as one ("그다음" as 그/IC 다음/NNG is still "the next")."""
    out: list[Tok] = []
    for tok in toks:
        prev = out[-1] if out else None
        if (prev is not None and prev.pos == "IC" and prev.form not in _DEMONSTRATIVES and prev.end == tok.start
                and tok.pos == "NNG" and (prev.start == 0 or not text[prev.start - 1].isalnum())):
            out[-1] = Tok(text[prev.start:tok.end], "NNG", prev.start, tok.end)
        else:
            out.append(tok)
    return out


def _ampersand_names(text: str, toks: list[Tok]) -> list[Tok]:
    """A written word joined by "&" ("로미&줄리", "H&M") as one proper noun: Kiwi cuts it at the sign, and the
    halves read as two names (or a name and a common noun)."""
    out: list[Tok] = []
    k = 0
    while k < len(toks):
        tok = toks[k]
        if (out and tok.form == "&" and k + 1 < len(toks) and out[-1].end == tok.start
                and toks[k + 1].start == tok.end and out[-1].pos in _AMPERSAND_SIDES
                and toks[k + 1].pos in _AMPERSAND_SIDES):
            first = out.pop()
            end = k + 1
            while end + 1 < len(toks) and toks[end + 1].start == toks[end].end and toks[end + 1].pos in ("NNG", "NNP"):
                end += 1  # "파 + 우": the rest of the written word
            out.append(Tok(text[first.start:toks[end].end], "NNP", first.start, toks[end].end))
            k = end + 1
            continue
        out.append(tok)
        k += 1
    return out


_AMPERSAND_SIDES = ("NNG", "NNP", "SL", "SH")


def _humble_suffix(toks: list[Tok]) -> list[Tok]:
    """A verbal noun's humble 드리다 ("추천드려요", "연락드릴게요") read like its 하다: Kiwi tags 드리 a verb there and
    하 a suffix, and the noun before either is the predicate, not an argument ("두물양조소 추천드려요")."""
    return [Tok(t.form, "XSV", t.start, t.end)
            if t.form == "드리" and t.pos == "VV" and k and toks[k - 1].pos == "NNG" and toks[k - 1].end == t.start
            else t for k, t in enumerate(toks)]


def _fallback_particle(form: str) -> str:
    # After Latin letters or digits there is no syllable to choose an allomorph by; use the vowel form.
    return {"은": "는", "이": "가", "을": "를", "과": "와", "으로": "로"}.get(form, form)
