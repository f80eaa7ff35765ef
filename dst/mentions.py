"""Typed mentions of one text, built from its noun chunks.

Contract: `find_mentions(text, toks)` returns the noun-phrase mentions of `text` sorted by start, each typed
time / place / person / item / org / quantity (entities), attribute (what is asked about: 날씨, 가격 …) or
noun (an untyped common noun), with character offsets into `text`, and the noun chunks as
(start, end, following particle). Quoted titles (『…』, "…") are item mentions of their own, except a full name
with an honoured title ("'김선도 실장님'", a person); a compound of common nouns headed by a product noun ("발뮤다
토스터") is an item. Two times joined by a tilde or a dash ("오전 8시~10시") are one time. A written word Kiwi cut
(`whole_words`) is one name, also where it read an adverb or a subject particle inside it ("늘봄방문간호센터",
"온새미재가간호센터").
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, replace

from dst import lexicon as lx
from dst.chunks import Tok, Unit, noun_chunks, typed_units
from korean.frequency import NAME_RARITY, noun_rarity
from korean.lexicon import name_shaped

ENTITY_KINDS = frozenset({"time", "place", "person", "item", "org", "quantity"})
TITLE_RE = re.compile(r"[『「《〈<“\"']([^』」》〉>”\"'\n]{1,60})[』」》〉>”\"']")


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
    modifier: bool = False  # a name follows in its noun chunk: "양평" in "양평 은하수천문대가"

    @property
    def is_entity(self) -> bool:
        return self.kind in ENTITY_KINDS


def find_mentions(text: str, toks: tuple[Tok, ...]) -> tuple[list[Mention], list[tuple[int, int, str | None]]]:
    mentions: list[Mention] = []
    spans: list[tuple[int, int, str | None]] = []
    titles = [(m.start(1), m.end(1)) for m in TITLE_RE.finditer(text) if m.group(1).strip()]
    for start, end in titles:
        after = next((t for t in toks if t.start >= end + 1), None)
        particle = after.form if after is not None and after.pos.startswith("J") else None
        quoted = text[start:end].strip()
        words = quoted.split()
        # "'김선도 실장님'": a full name and an honoured title, quoted, is a person, not a titled thing
        if len(words) == 2 and name_shaped(words[0]) and words[1].endswith(_HONORIFICS) and len(words[1]) >= 2:
            mentions.append(Mention(quoted, "person", start, end, proper=True, particle=particle,
                                    role=words[1].removesuffix("님")))
            continue
        mentions.append(Mention(quoted, "item", start, end, proper=True, particle=particle))
    for chunk, after_idx in noun_chunks(text, toks, titles):
        after = toks[after_idx] if after_idx < len(toks) else None
        if after is not None and after.pos == "XSN" and after.form not in lx.APPROXIMATE_SUFFIXES:
            continue  # derivation ("베트남계", "한국식"): a modifier, not a referent ("5시쯤" is still a time)
        predicative = after is not None and (
            after.pos == "VCP" or (after.pos.startswith("J") and _vcp_next(toks, after_idx))
            or _locative_predicate(toks, after_idx)
        )
        particle = after.form if after is not None and after.pos.startswith("J") else None
        verb_next = after is not None and after.pos in ("VV", "VX")
        spans.append((chunk[0].start, chunk[-1].end, particle))
        grouped = _group(text, typed_units(text, chunk), predicative, particle, verb_next)
        if grouped and grouped[-1].kind == "item" and grouped[-1].proper and _motion_goal(toks, after_idx):
            grouped[-1] = replace(grouped[-1], kind="place")  # "태종대 가는 버스": the goal of 가다 is a place
        mentions.extend(grouped)
    # "생각보다 비싸네": the measure of a comparison, not a referent
    mentions = sorted((m for m in mentions if not (m.particle == "보다" and m.text in lx.EXPECTATION_NOUNS)),
                      key=lambda m: m.start)
    mentions = _compound_times(text, mentions)
    named = named_kinds(text, toks, titled_names(text, toks, whole_words(text, toks, mentions)))
    return time_ranges(text, quoted_heads(text, appositions(text, locators(text, named)))), spans


def _compound_times(text: str, mentions: list[Mention]) -> list[Mention]:
    """A time word written glued to the noun after it ("새벽배송", "주말반", "평일반") names a kind of service or
    class, not a time talked about: it is no mention of its own (the compound's noun stays one)."""
    return [m for m in mentions if not (
        m.kind == "time" and not m.particle and m.end < len(text) and "가" <= text[m.end] <= "힣"
        and any(n is not m and n.kind != "time" and (n.start == m.end or (n.start == m.start and n.end > m.end))
                for n in mentions))]


def time_ranges(text: str, mentions: list[Mention]) -> list[Mention]:
    """Two times joined as a range are one time: "9월 9일부터 9월 13일까지", "오후 3시에서 5시 사이" ("그 기간", "그
    시간" mean the whole range, not its start)."""
    out: list[Mention] = []
    for m in mentions:
        prev = out[-1] if out else None
        if prev is not None and prev.kind == m.kind == "time" and re.fullmatch(r"\s*[~〜-]\s*", text[prev.end:m.start]):
            # "오전 8시~10시": a range written with a tilde or a dash
            out[-1] = replace(prev, text=text[prev.start:m.end], end=m.end, particle=m.particle,
                              predicative=m.predicative)
            continue
        if (prev is not None and prev.kind == m.kind == "time" and prev.particle in ("부터", "에서")
                and text[prev.end:m.start].strip() == prev.particle):
            tail = re.match(r"\s*(까지|사이)", text[m.end:])
            if tail is not None:
                end = m.end + tail.end()
                out[-1] = replace(prev, text=text[prev.start:end], end=end, particle=None,
                                  predicative=m.predicative)
                continue
        out.append(m)
    return out


# a name-shaped word, quoted or not ("'박지안' 행정사님": replies quote the names they give), then a space
_NAME_WORD = re.compile(
    r"(?<!\w)(?:(?P<open>['\"‘“])(?=[가-힣]{3,4}['\"’”]))?(?P<word>[가-힣]{3,4})(?(open)['\"’”])(?=\s)")
_HONORIFICS = ("님", "씨")
# Last syllables of nouns for occupations and titles ("수의사", "관리자", "작가", "상담원", "실장", "교수",
# "트레이너", "매니저", "큐레이터", the person suffix 인 of "명인", "장인", "시인", and "명창"): after a name-shaped
# word, such a noun makes the pair a titled person.
_TITLE_ENDINGS = frozenset("사 자 가 원 장 관 수 너 저 터 더 치 프 인 창")
# kinds of places and goods, which a name also stands before ("소담재 한정식"): no title, however often repeated
_NO_TITLES = lx.PLACE_CATEGORIES | lx.VENUE_CATEGORIES | lx.PRODUCT_NOUNS | {"센터", *lx.PLACE_SUFFIXES}


def titled_names(text: str, toks: tuple[Tok, ...], mentions: list[Mention]) -> list[Mention]:
    """A name-shaped word (`korean.lexicon.name_shaped`) before a title noun is one titled person: "강태민
    트레이너님이", "김도윤 수의사예요", "한서린 작가가", and quoted ("'박지안' 행정사님이" is "박지안 행정사님", the
    quote left out of its text). A bare 님 or 씨 is a title too ("김나래 님 차", "'정민수' 님도"). Kiwi knows few given
    names and cuts them ("강 + 태 + 민", "한 + 서리 + ㄴ"), so the person is read from the written words. No common
    noun of two or more syllables may stand in the word ("김밥집", "이번주", "고양이": Kiwi reads a common noun there
    that open text often uses), and the title noun must be a role noun or end like one. A noun that ends with a kind
    of place ("서다온 스포츠센터") or a 장 Kiwi cut off ("도담이 썰매 + 장") makes the pair a named place instead."""
    starts = [t.start for t in toks]
    out = list(mentions)
    found_titles: list[tuple[re.Match[str], int, int, str, bool | None]] = []  # honoured None: the title is 님 / 씨
    for found in _NAME_WORD.finditer(text):
        word, start = found.group("word"), found.start("word")
        if not name_shaped(word):
            continue
        inside = toks[bisect_left(starts, start):bisect_left(starts, found.end("word"))]
        if any(len(t.form) >= 2 and t.pos == "NNG" and noun_rarity(t.form) < NAME_RARITY for t in inside):
            continue
        k = bisect_right(starts, found.end())  # the first token after the word (one long turn has many words)
        if k >= len(toks) or text[found.end():toks[k].start].strip():
            continue
        j = k + 1
        if toks[k].form in _HONORIFICS and toks[k].pos in ("NNB", "NNG", "XSN"):
            found_titles.append((found, k, j, toks[k].form, None))
        elif toks[k].pos in ("NNG", "NNP"):
            while j < len(toks) and toks[j].start == toks[j - 1].end and toks[j].pos == "NNG":
                j += 1  # a title Kiwi cuts: "트레이너" whole, "상담 + 실장" glued
            glued = j < len(toks) and toks[j].start == toks[j - 1].end and toks[j].form == "님"
            found_titles.append((found, k, j, text[toks[k].start:toks[j - 1].end], glued))
    # one noun after two different name-shaped words is a title whatever it ends in ("오전엔 구하람 가이드, 오후엔
    # 임도경 가이드가"): the text sets two people side by side by what they do. Known misreading: two shops whose
    # names have a person's shape before their kind ("소담재 한정식, 송림정 한정식"); telling 한정식 from 가이드 needs a
    # model of what a noun denotes (a logistic probe on e5 word embeddings did not separate them)
    # (the names Kiwi reads an adjective or a verb in, "고운당" as 곱 + 은 + 당, are descriptive names of shops)
    pairs = {(t[3], t[0].group("word")) for t in found_titles if not any(
        x.pos in ("VA", "VV") for x in toks[bisect_left(starts, t[0].start("word")):t[1]])}
    shared = {title for title, _ in pairs if sum(other == title for other, _ in pairs) >= 2}
    for found, k, j, title, honoured in found_titles:
        word, start = found.group("word"), found.start("word")
        # a noun that ends with a kind of place ("서다온 스포츠센터", "한결이 복지관"), or with the 장 of a place (場),
        # which Kiwi cuts off where it keeps a title's 장 (長) whole ("도담이 썰매 + 장"): the pair is a named place
        kind = "place" if honoured is False and title not in lx.ROLE_NOUNS and title not in lx.PERSON_NOUNS and (
            any(len(noun) >= 2 and title.endswith(noun) for noun in _NO_TITLES)
            or (j - k >= 2 and toks[j - 1].form == "장")) else "person"
        if honoured is None:
            if any(m.kind == "person" and m.start <= start < m.end for m in out):
                continue  # "부회장 이서진 씨": the person is read already, with the role that says who
        else:
            if toks[k].pos == "NNP" and not (title.endswith("사") or title in shared):
                continue  # Kiwi reads a title as a proper noun now and then: "감정사", "소믈리에"
            if not (title in lx.ROLE_NOUNS or title in lx.PERSON_NOUNS or title[-1] in _TITLE_ENDINGS or honoured
                    or (title in shared and title not in _NO_TITLES)):
                continue  # (a noun that takes 님 is a title whatever it ends in: "이도윤 사범님")
            if title in lx.ATTRIBUTE_NOUNS and not honoured:
                continue  # what is asked of a thing is no title: "하부역 위치 알려줘"
            if not honoured and j < len(toks) and toks[j].pos in ("XSV", "XSA") and toks[j].start == toks[j - 1].end:
                continue  # a verbal noun the sentence predicates is no title: "11시 반으로 접수할게요"
        end = toks[j - 1].end
        if j < len(toks) and toks[j].start == end and toks[j].form in _HONORIFICS:
            end, j = toks[j].end, j + 1
        after = toks[j] if j < len(toks) and toks[j].start == end else None
        if after is not None and after.pos == "SSC" and j + 1 < len(toks) and toks[j + 1].start == after.end \
                and toks[j + 1].pos.startswith("JK") and kind == "person" and not title.endswith("장"):
            j += 1  # "'조은이 경매사'가": the case particle after the closing quote is the person's
            after = toks[j]
        particle = after.form if after is not None and after.pos.startswith("J") else None
        predicative = after is not None and (after.pos == "VCP" or (after.pos.startswith("J") and _vcp_next(toks, j)))
        out = [m for m in out if m.end <= start or m.start >= end]
        out.append(Mention(word + text[found.end():end], kind, start, end, role=title if kind == "person" else None,
                           predicative=predicative, proper=True, particle=particle))
    return sorted(out, key=lambda m: m.start)


QUOTES = "'\"‘’“”『』「」《》〈〉<>"  # the marks that quote a name
_NAMED_KINDS = frozenset({"place", "item", "org"})


def locators(text: str, mentions: list[Mention]) -> list[Mention]:
    """A place that stands bare before a name, across a quote or a spatial noun, locates that name the way a
    modifier inside one noun chunk does: "일산 '점프킹덤'", "수원역 쪽 '대성사우나'는", "인계동 '해온스파랜드'예요"; so
    does an untyped proper noun right before a quoted name ("횡성 '달래울 농장'").
    Only a bare word qualifies (a particle ends the phrase: "강남역에서 '빛담'까지" names two places)."""
    out = list(mentions)
    for k in range(len(out) - 1):
        m, n = out[k], out[k + 1]
        gap = text[m.end:n.start]
        # a name Kiwi could not type is still a place when a quoted name follows it bare: "횡성 '달래울 농장'"
        placed = m.kind == "place" or (m.kind == "item" and m.proper and gap.strip() in QUOTES and gap.strip()
                                       and (m.start == 0 or text[m.start - 1] not in QUOTES))
        if m.modifier or m.particle or not placed or not _named(n):
            continue
        if gap[:1] in QUOTES:
            continue  # a quoted name before its kind noun is the name: "'슬립웰 Q' 매트리스"
        if "\n" not in gap and all(not w or w in lx.SPATIAL_NOUNS for w in (w.strip(QUOTES) for w in gap.split())):
            out[k] = replace(m, modifier=True)
    return out


def named_kinds(text: str, toks: tuple[Tok, ...], mentions: list[Mention]) -> list[Mention]:
    """An unknown name written before the kind noun or facility it names is one noun phrase with it: "솔마루
    루지파크", "하늘바람 짚라인이", "새솔웨딩홀 3층 그랜드볼룸에서" (a floor may stand between). Kiwi leaves such a
    name a bare noun, so `_group` read it as a word that qualifies the head, and "거기" or an elided topic then
    found the kind noun without its name. The name is a proper noun or a noun rare in open text
    (`korean.frequency`); a place before a name ("양평 은하수천문대") and a head followed by a spatial noun
    ("경부고속도로 부산 방향") only locate. Quoted names are `quoted_heads`' and `locators`' to join."""
    out: list[Mention] = []
    starts = [t.start for t in toks]
    k = 0
    while k < len(mentions):
        m = mentions[k]
        j = k + 1
        while j < len(mentions) and mentions[j].kind == "quantity" and mentions[j].modifier \
                and text[mentions[j - 1].end:mentions[j].start] == " ":
            j += 1  # "3층" between the name and its hall
        n = mentions[j] if j < len(mentions) else None
        # "신사 바버샵 2호점": a numbered branch is always of the name before it, whatever Kiwi made of that name
        branch = n is not None and _BRANCH.match(n.text) is not None
        if (n is None or not m.modifier or m.kind not in ("noun", "item", *(("place",) if branch else ()))
                or m.particle or m.predicative
                or n.kind not in ("place", "noun", "item") or text[mentions[j - 1].end:n.start] != " "
                or (m.start > 0 and text[m.start - 1] in QUOTES) or text[n.start - 1] in QUOTES
                or not (m.proper or branch or noun_rarity(m.text.split()[-1]) >= NAME_RARITY)
                or _located_by(toks, starts, n)):
            out.append(m)
            k += 1
            continue
        kind = m.kind if branch and m.kind == "place" else "item" if n.kind == "noun" and (m.proper or branch) \
            else n.kind
        out.append(replace(n, text=text[m.start:n.end], start=m.start, proper=m.proper or n.proper or branch,
                           kind=kind))
        k = j + 1
    return out


_BRANCH = re.compile(r"^\d+\s?호[점관]$")
_BRANCH_END = re.compile(r"\d+\s?호[점관]$")


def _located_by(toks: tuple[Tok, ...], starts: list[int], m: Mention) -> bool:
    """Whether the next word is a spatial noun ("부산 방향으로", "역 앞에"): `m` is then a point of reference."""
    k = bisect_right(starts, m.end)
    return k < len(toks) and toks[k].start == m.end + 1 and toks[k].form in lx.SPATIAL_NOUNS


def appositions(text: str, mentions: list[Mention]) -> list[Mention]:
    """A description right before a quoted name is that name's kind, not a second referent: in "천연 왁스 크림
    '레더밤 프로'" the cream is 레더밤 프로, so the description becomes a modifier and its head noun the name's
    role ("그 크림" then finds the name). Only a bare description (no particle) directly before the quote counts."""
    out = list(mentions)
    for k in range(len(out) - 1):
        m, n = out[k], out[k + 1]
        if m.modifier or m.particle or m.predicative or m.proper or m.kind not in ("noun", "item"):
            continue
        gap = text[m.end:n.start]
        if not (n.proper and n.kind == "item" and gap.strip() in QUOTES and gap.strip()):
            continue
        out[k] = replace(m, modifier=True)
        if n.role is None:
            out[k + 1] = replace(n, role=m.text.split()[-1])
    # "'물레숲'이라는 공방", "'한빛'이라고 하는 센터": the noun after a name said to be called so is the name's kind
    # (`dst.anaphora.called`: "그 공방" finds the name); the noun describes the name and is no second referent
    for k in range(len(out) - 1):
        n, m = out[k], out[k + 1]
        called = _CALLED.fullmatch(text[n.end:m.end])
        # the kind is the next mention's own words: "'빛담'이라는 데서 파스타" names no kind 파스타
        if not (n.proper and n.kind in ("item", "place", "org") and called
                and called.start("head") + n.end >= m.start):
            continue
        head = called.group("head")
        out[k] = replace(n, role=head.split()[-1])
        # the noun keeps only its own words ("이라는 의자" was read as one person with the role 의자)
        out[k + 1] = replace(m, text=head, start=m.end - len(head), kind="noun", role=None, proper=False,
                             predicative=True)
    return out


_HEAD_PARTICLES = frozenset({"이", "가", "은", "는", "을", "를"})  # a subject, topic or object: the whole phrase


def quoted_heads(text: str, mentions: list[Mention]) -> list[Mention]:
    """A quoted name directly before a noun phrase that takes the sentence's particle is one noun phrase with it, as
    it is unquoted ("'눈길싹' 접이식 제설삽이" is read as "눈길싹 접이식 제설삽이" is: one named thing, the head noun
    its kind): the quote marks a name, it does not end the phrase. The phrase keeps the name's place as quoted (a
    title) and takes the head's particle; "그 삽" then finds it with its name. Not for a time, an amount, an
    attribute asked about or a noun that is the start of a predicate ("'손끝네일' 예약 가능해요": no particle)."""
    out: list[Mention] = []
    for m in mentions:
        n = out[-1] if out else None
        if (n is not None and n.proper and n.kind == "item" and n.particle is None and not n.modifier
                and text[n.end:m.start][:1] in QUOTES and text[n.end + 1:m.start] == " "
                and m.kind in ("noun", "item") and not m.proper and m.particle in _HEAD_PARTICLES
                and len(m.text) >= 2 and n.start > 0 and text[n.start - 1] in QUOTES):
            out[-1] = replace(m, text=f"{n.text} {m.text}", start=n.start, kind="item", proper=True,
                              role=m.text.split()[-1])
            continue
        out.append(m)
    return out


# a name's closing quote, then "(이)라는" / "(이)란" / "(이)라고 하는", then the noun phrase that names its kind
_CALLED = re.compile(r"\s*[" + re.escape(QUOTES) + r"]?\s*(?:이)?(?:라는|란|라고\s*하는)\s+"
                     r"(?P<head>[^\s'\"]+(?:\s[^\s'\"]+)?)")


_NAME_TAGS = ("NNG", "NNP", "SL", "SN", "SH")
_WORD_KINDS = frozenset({"place", "person", "item", "org", "noun"})


def whole_words(text: str, toks: tuple[Tok, ...], mentions: list[Mention]) -> list[Mention]:
    """Names are written as one word even where Kiwi splits an unknown compound ("늘솔작은도서관" as 늘솔 + 작 + 은 +
    도서관, "두바퀴공방" as 두 + 바퀴 + 공방, "소담반찬" as the root 소담 + 반찬): a mention that starts or ends
    inside a written word is widened to that word, from its first token (a noun, a number, a determiner or a root)
    to its last noun, and the mentions it then covers are merged into it (a place if either was one)."""
    starts = [t.start for t in toks]
    out: list[Mention] = []
    for m in mentions:
        if out and out[-1].kind in _WORD_KINDS and out[-1].start <= m.start and m.end <= out[-1].end \
                and m.kind in (*_WORD_KINDS, "attribute", "quantity"):
            # inside a word already widened: "도서관" of "늘솔작은도서관", "비" of "설치비"; the word's head takes
            # the sentence's particle ("청솔체육관에서": Kiwi's 청솔 is a modifier with none, 체육관 has 에서)
            if m.end == out[-1].end:
                out[-1] = replace(out[-1], particle=m.particle, predicative=m.predicative, modifier=m.modifier,
                                  followed_by_verb=m.followed_by_verb,
                                  kind="place" if m.kind == "place" else out[-1].kind)
            continue
        if m.kind not in _WORD_KINDS:
            out.append(m)
            continue
        start, end = _word_start(text, toks, starts, m.start), _word_end(text, toks, starts, m.end)
        if (start, end) == (m.start, m.end):
            out.append(m)
            continue
        widened = replace(m, text=text[start:end], start=start, end=end)
        while out and (out[-1].kind in _WORD_KINDS or out[-1].start > start) and out[-1].end > start:
            # (a time word inside the name, "봄" of "늘봄방문간호센터", goes too; "목요일반" keeps its day)
            prev = out.pop()
            first = min(prev.start, widened.start)
            widened = replace(widened, text=text[first:end], start=first,
                              kind="place" if "place" in (prev.kind, m.kind) else m.kind)
        out.append(widened)
    # "청솔옹기 2호점": a numbered branch after a word of its own is a named thing, whatever Kiwi made of the word
    return [replace(m, kind="item", proper=True) if m.kind == "noun" and " " in m.text and _BRANCH_END.search(m.text)
            else m for m in out]


def _between(toks: tuple[Tok, ...], starts: list[int], lo: int, hi: int) -> tuple[Tok, ...]:
    """The tokens starting in [lo, hi)."""
    return toks[bisect_left(starts, lo):bisect_left(starts, hi)]


def _word_start(text: str, toks: tuple[Tok, ...], starts: list[int], start: int) -> int:
    word = text.rfind(" ", 0, start) + 1
    inside = _between(toks, starts, word, start)
    # an interjection never runs into a noun inside one written word: "아이뷰 X9" read as 아이/IC or 아/IC 이/MM
    if inside and all(t.tag in _NAME_TAGS or t.pos in ("MM", "XPN", "NR", "XR", "NNB", "IC") for t in inside):
        return word
    # an unknown name's first part read as an adverb ("한결대학교병원": 한결/MAG) or as an adnominal verb
    # ("세운시계공방": 세우/VV ㄴ/ETM, "잔멸치": 잘/VA ㄴ/ETM, "다온쉼터": 다/MAG 오/VV ㄴ/ETM)
    lead = [t.pos for t in inside]
    if lead in (["MAG"], ["VV", "ETM"], ["VA", "ETM"], ["MAG", "VV", "ETM"], ["MAG", "VA", "ETM"]):
        return word
    # the same adverb before nouns ("늘봄방문간호센터": 늘/MAG 봄 방문 …), and a name that Kiwi ended with a subject
    # particle run into the next noun ("온새미재가간호센터": 온새미재 가/JKS 간호 센터); a written word does not glue a
    # particle to the noun after it
    if lead[:1] == ["MAG"] and len(inside) > 1 and all(t.tag in _NAME_TAGS for t in inside[1:]):
        return word
    if len(inside) == 2 and inside[0].pos == "NNP" and len(inside[0].form) >= 3 and inside[1].pos == "JKS" \
            and inside[1].end == start and _compound_at(text, toks, starts, start):
        return word  # (a compound after it: "민지가회사에" is two words typed together)
    # "종이와연필", "물과빛": 와 / 과 run into the next noun inside one written word joins a name's two parts (a list
    # is spaced: "종이와 연필"); the spoken 랑 / 하고 run together is casual typing, not a name
    if lead == ["NNG", "JC"] and inside[1].form in ("와", "과"):
        return word
    return start


def _compound_at(text: str, toks: tuple[Tok, ...], starts: list[int], start: int) -> bool:
    """Whether two or more nouns run together from `start` to the end of its written word ("간호센터")."""
    space = text.find(" ", start)
    glued = 0
    for t in _between(toks, starts, start, len(text) if space < 0 else space):
        if t.tag not in _NAME_TAGS:
            break
        glued += 1
    return glued >= 2


def _name_numeral(inside: tuple[Tok, ...], k: int, end: int) -> bool:
    """A one-syllable numeral that ends a name Kiwi cut ("김태오" as 김 + 태 + 오/NR): right after the mention or a
    noun of its word, and with nothing but particles after it in the word (a count takes its counter: "오 개")."""
    tok = inside[k]
    if tok.tag != "NR" or len(tok.form) != 1:
        return False
    glued = tok.start == end or (k > 0 and inside[k - 1].tag in _NAME_TAGS and inside[k - 1].end == tok.start)
    return glued and all(t.pos.startswith("J") for t in inside[k + 1:])


_BRANCH_BOUND = frozenset({"점", "호점"})  # "2호점" as 2 + 호 + 점: the bound noun of a branch ends the name


def _word_end(text: str, toks: tuple[Tok, ...], starts: list[int], end: int) -> int:
    space = text.find(" ", end)
    inside = _between(toks, starts, end, len(text) if space < 0 else space)
    nouns = [t for k, t in enumerate(inside) if t.tag in _NAME_TAGS or _name_numeral(inside, k, end)
             or (t.pos == "NNB" and t.form in _BRANCH_BOUND and t.start == (inside[k - 1].end if k else end))]
    if not nouns or any(
        t.pos.startswith(("J", "EF", "EC", "EP", "VCP", "VV", "VX")) or (t.pos.startswith("S") and t.tag not in
                                                                            _NAME_TAGS)
        for t in inside if t.end <= nouns[-1].start):
        return end  # nor across a quote or a bracket: "'미니 스탠드'(15평 이하)" ends at the quote
    return nouns[-1].end


def _motion_goal(toks: tuple[Tok, ...], idx: int) -> bool:
    if idx < len(toks) and toks[idx].pos == "JKB" and toks[idx].form in ("에", "로", "으로", "까지"):
        idx += 1
    return idx < len(toks) and toks[idx].pos == "VV" and toks[idx].form in lx.MOTION_VERBS


_DISTANCE_FORMS = frozenset({"걷", "가깝", "멀", "도보", "오", "가", "바로"})


def _locative_predicate(toks: tuple[Tok, ...], idx: int) -> bool:
    # "용산구 이촌동에 있어요" says where something is, "금남로4가역에서 걸어서 5분" how to reach it: the place
    # describes, it is not the new topic
    if idx + 1 >= len(toks) or toks[idx].pos != "JKB":
        return False
    nxt = toks[idx + 1]
    if toks[idx].form == "에":
        return nxt.form == "있" and nxt.pos in ("VA", "VV")
    return toks[idx].form == "에서" and (nxt.form in _DISTANCE_FORMS or (
        nxt.pos == "SN" and idx + 2 < len(toks) and toks[idx + 2].form == "분"))


def _vcp_next(toks: tuple[Tok, ...], idx: int) -> bool:
    return idx + 1 < len(toks) and toks[idx + 1].pos == "VCP" and toks[idx].form in ("이", "가")


def _group(text: str, units: list[Unit], predicative: bool, particle: str | None, verb_next: bool) -> list[Mention]:
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
            elif len(run) > 1 and run[-1].form in lx.PRODUCT_NOUNS:
                # a modifier before a product noun names one thing: "발뮤다 토스터" (a brand Kiwi does not know)
                out.append(_mk(text, run, "item", predicative, particle if at_end else None))
            else:
                out.append(_mk(text, run, "noun", predicative, particle if at_end else None,
                               verb_next=verb_next and at_end))
        elif u.kind == "A":
            out.append(_mk(text, [u], "attribute", predicative, particle if last else None))
        elif u.kind == "R":
            out.append(_mk(text, [u], "noun", predicative, particle if last else None))
        # spatial nouns (S) locate the neighbouring place and are kept only in the surface text
        i = j
    # a word before a name in one noun phrase locates or qualifies it ("양평 은하수천문대", "성수동 빛담스튜디오")
    named = [k for k, m in enumerate(out) if _named(m)]
    return [replace(m, modifier=True) if any(k > i for k in named) else m for i, m in enumerate(out)]


def _named(m: Mention) -> bool:
    return m.proper or m.kind in _NAMED_KINDS or (m.kind == "noun" and noun_rarity(m.text.split()[-1]) >= NAME_RARITY)


def _hangul_name(unit: Unit) -> bool:
    return unit.kind == "X" and all("가" <= ch <= "힣" for ch in unit.form)


def _merge_place_heads(units: list[Unit], text: str) -> list[Unit]:
    """A name followed by a place head noun is a place: "전주 한옥 마을", "여의도 한강 공원", "홍대 입구 역"."""
    out: list[Unit] = []
    for u in units:
        if u.kind != "PH":
            out.append(u)
            continue
        k = len(out)
        while k > 0 and out[k - 1].kind in ("P", "X", "N", "D"):
            k -= 1
        if any(x.kind in ("P", "X") for x in out[k:]):
            start = out[k].start
            out[k:] = [Unit("P", start, u.end, text[start : u.end])]
        else:
            out.append(Unit("N", u.start, u.end, u.form))
    return out


def _mk(text: str, units: list[Unit], kind: str, predicative: bool, particle: str | None, *,
        role: str | None = None, proper: bool = False, verb_next: bool = False) -> Mention:
    start, end = units[0].start, units[-1].end
    return Mention(text[start:end], kind, start, end, role=role, predicative=predicative, proper=proper,
                   particle=particle, followed_by_verb=verb_next)
