"""The dialogue-state tracker: folds one turn into a new `DialogueState`.

Contract: `observe(state, text, speaker)` is pure (returns a new state) and never raises on a string. It adds
the typed entities of the turn (a repeated mention moves to the front of recency instead of duplicating),
the ordinal lists an assistant offered ("1. A 2. B", "A와 B"), the topic (the last attribute a user asked
about) and the domain slots. An assistant's answer to a wh-question ("누구야?" -> "장재현 감독이에요")
introduces its referent, so it is not marked predicative.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import replace

from dst import lexicon as lx
from dst import wos
from dst.analysis import Analysis, Analyzer, Mention, Tok
from dst.lists import offered_list, offered_options
from dst.mentions import TITLE_RE
from dst.types import (
    MAX_ENTITIES,
    MAX_LISTS,
    MAX_REPLY_CHARS,
    MAX_REQUESTS,
    DialogueState,
    Entity,
    OrdinalList,
    Role,
)
from korean.frequency import noun_rarity

_TOPIC = frozenset({"은", "는", "ᆫ"})
_ARGUMENT = frozenset({"이", "가", "을", "를", "ᆯ"})  # what a clause has or takes, not what it is about

_ADJUNCT_PARTICLES = frozenset({"에서", "서", "로", "으로", "까지", "부터", "에게", "한테"})
_LOCATIVE = frozenset({"에", "에서", "서"})
# Which entity type a wh-word asks for.
_WH_TYPES = {"누구": "person", "누가": "person", "언제": "time", "몇": "time", "어디": "place", "뭐": "item",
             "무엇": "item", "어떤": "item", "어느": "item"}


def _single(form: str) -> str:
    """A reduplicated question word said once ("누구누구" -> "누구", "뭐뭐" -> "뭐": who and what, several)."""
    half = len(form) // 2
    return form[:half] if len(form) >= 2 and len(form) % 2 == 0 and form[:half] == form[half:] else form


_CATEGORIES_LONGEST_FIRST = sorted(lx.VENUE_CATEGORIES | lx.ITEM_CATEGORIES, key=lambda c: (-len(c), c))




def _sets_request(m: Mention, analysis: Analysis) -> bool:
    """Whether a user's place locates a request for something in it ("분당에 괜찮은 한의원 있어?", "성수동에서 카페
    추천해 줘"): the answer is the thing, the place its setting."""
    return (m.kind == "place" and m.particle in _LOCATIVE
            and any(t.form in lx.ASKING_FOR_ONE for t in analysis.tokens if t.start >= m.end))


def _repeats_setting(text: str, entities: list[Entity]) -> bool:
    """Whether a reply's `text` repeats a word the user located the request with: a place written with a
    locative particle ("성수동에 …", "수원에" for 수원역) or before the head of its noun phrase ("단양" of "단양
    패러글라이딩 업체")."""
    for u in entities:
        if u.speaker != "user":
            continue
        located = u.particle in _LOCATIVE or (u.modifier and u.type == "place")
        if located and (text == u.text or (len(u.text) >= 2 and text.startswith(u.text))):
            return True
        if text in u.text.split()[:-1]:
            return True
    return False


class Tracker:
    def __init__(self, analyzer: Analyzer) -> None:
        self.analyzer = analyzer

    def observe(
        self, state: DialogueState, text: str, speaker: Role, *, standalone: str | None = None
    ) -> DialogueState:
        """State after `speaker` said `text`; for a user turn `standalone` is its rewrite (the new frame)."""
        turn = state.turn + 1
        source = standalone if speaker == "user" and standalone else text
        # a name the turn quotes and says again unquoted is read whole both times ("'소리다듬 조율실'이 있어요.
        # 소리다듬 조율실은 …", which Kiwi alone reads as 소리 + 다듬-); only those, since forcing a title said once
        # changes how its quote reads ("'한지선 집사님'")
        own = {name for q in TITLE_RE.finditer(source) if (name := q.group(1).strip()) and source.count(name) > 1}
        analysis = self.analyzer.analyze(source, state.names | own)
        answered = self._asked_types(state.last_query, state.names) if speaker == "assistant" else set()
        asked_for = self._asked_for(state.last_query, state.names) if speaker == "assistant" else ()
        requested = self._requested_category(state.last_query, state.names) if speaker == "assistant" else None
        entities = list(state.entities)
        new: list[Entity] = []
        retyped = _copula_types(analysis)
        index = _TokenIndex(analysis)
        referents = _referents(analysis)
        for order, m in enumerate(referents):
            if m.start in retyped:
                kind, head = retyped[m.start]
                m = replace(m, kind=kind, role=head if kind in ("person", "item") else m.role)
            is_answer = (m.predicative and (m.kind in answered or (m.proper and "person" in answered))) or (
                # "어디서 타?" -> "'남포 연안여객터미널'에서 타시면 돼요": the named place the reply locates it at
                # (or a place by its kind: "… 청솔체육관에서 열려요")
                "place" in answered and speaker == "assistant" and m.particle == "에서"
                and (m.proper or m.kind == "place")
                and m.text not in (state.last_query or ""))
            if is_answer and m.predicative and _said_of_named(m, referents, index):
                is_answer = False  # "달토끼 루나는 한정판이라 …": the complement describes the name before it
            title = m.kind == "item" and _is_title(source, m)
            role = "title" if title else m.role
            salience = 3 if is_answer else 2 if title else 1
            if m.particle == "의" and m.kind != "time":
                salience = -1
            elif speaker == "assistant" and m.particle in _ADJUNCT_PARTICLES and not is_answer:
                salience = 0
            if (requested and salience >= 1 and not m.predicative and m.kind in ("item", "org", "place")
                    and (m.proper or title)):
                # "빵집 추천해줘" -> "밀알당을 추천해요": the offered name is the requested thing, the new center
                salience = 3
                role = requested if requested in lx.VENUE_CATEGORIES or not title else role
            kind = "thing" if m.kind == "noun" else m.kind
            given_for = (asked_for if (m.proper or title) and kind in ("item", "org", "place") and not m.predicative
                         and m.text not in (state.last_query or "") else ())
            new.append(Entity(m.text, kind, turn, speaker, role, m.predicative and not is_answer, m.proper, salience,
                              index.rarity(m), order, m.particle, index.context(m, referents), m.modifier,
                              _repeats_setting(m.text, entities) if speaker == "assistant"
                              else _sets_request(m, analysis), given_for, index.sentence(m)))
        for entity in new:
            earlier = [e for e in entities if _same_referent(e, entity)]
            if earlier:
                entity = _merged(entity, earlier)
            entities = [e for e in entities if not _same_referent(e, entity)]
            entities.append(entity)
        lists = list(state.lists)
        if speaker == "assistant":
            offered, numbered = offered_list(text, analysis)
            if offered:
                lists.append(OrdinalList(tuple(offered), turn, numbered))
        topic = state.topic
        slots = state.slots
        last_query = state.last_query
        domain = state.domain
        requests = state.requests
        last_reply = text[:MAX_REPLY_CHARS] if speaker == "assistant" else state.last_reply
        if speaker == "user":
            attributes = analysis.of_kind("attribute")
            if attributes:
                topic = attributes[-1].text
            domain = wos.detect_domain(source) or domain
            slots = wos.update_slots(slots, [(e.type, e.text) for e in new], source, domain)
            # A greeting, a thanks or a bare reaction asks nothing: the question before it stays the frame of a later
            # "부산은?".
            if source.strip() and not _is_social(analysis) and not _is_reaction(analysis):
                last_query, last_reply = source, None
                if analysis.requests and "?" not in source:
                    requests = (*requests, source)[-MAX_REQUESTS:]
        return DialogueState(
            tuple(entities[-MAX_ENTITIES:]), tuple(lists[-MAX_LISTS:]), topic, last_query, slots, turn, domain,
            requests, last_reply,
        )

    def _asked_for(self, query: str | None, names: frozenset[str] = frozenset()) -> tuple[str, ...]:
        """The words of what a question or request asked for: its thing and noun mentions, not where, when or who
        ("성수동에 가죽공방 원데이 클래스 있어?" -> 가죽공방, 원데이, 클래스); () for a statement."""
        if not query:
            return ()
        analysis = self.analyzer.analyze(query, names)
        if "?" not in query and not analysis.requests and not any(t.form in ("추천", "찾") for t in analysis.tokens):
            return ()
        return tuple(dict.fromkeys(w for m in analysis.mentions if m.kind in ("noun", "item")
                                   and m.particle not in _LOCATIVE for w in m.text.split()))

    def _requested_category(self, query: str | None, names: frozenset[str] = frozenset()) -> str | None:
        """The category noun of a request ("일식당을 찾아주세요" -> 일식당 … 식당), if the last query was one."""
        if not query:
            return None
        toks = self.analyzer.analyze(query, names).tokens
        if not any(t.form == "주" and t.pos == "VX" for t in toks) and not any(t.form == "추천" for t in toks):
            return None
        for tok in toks:
            for cat in _CATEGORIES_LONGEST_FIRST:  # "이어폰" must win over its suffix "폰", in every process
                if tok.pos == "NNG" and tok.form.endswith(cat):
                    return cat
        return None

    def _asked_types(self, query: str | None, names: frozenset[str] = frozenset()) -> set[str]:
        if not query:
            return set()
        toks = self.analyzer.analyze(query, names).tokens
        asked = {_WH_TYPES[w] for t in toks if (w := _single(t.form)) in _WH_TYPES}
        if asked and any(t.form in ("이름", "성함") for t in toks):
            asked.add("person")  # "사육사 이름이 뭐였지?" asks for a person's name
        return asked

    def ordinal_list(self, text: str, analysis: Analysis | None = None) -> list[str]:
        """Options offered in order (`dst.lists.offered_options`)."""
        return offered_options(text, analysis or self.analyzer.analyze(text))


def _copula_types(analysis: Analysis) -> dict[int, tuple[str, str]]:
    """Types given by a copula: in "불국사는 신라 시대 사찰이에요" the head 사찰 makes the topic a place.

    Maps the start of the topic-marked name to (type, head noun).
    """
    out: dict[int, tuple[str, str]] = {}
    toks = analysis.tokens
    for k, tok in enumerate(toks):
        if tok.pos != "VCP" or k == 0 or toks[k - 1].pos not in ("NNG", "NNP"):
            continue
        head = toks[k - 1].form
        if head in lx.PLACE_HEADS or head in lx.PLACE_CATEGORIES:
            kind = "place"
        elif head in lx.ROLE_NOUNS or head in lx.PERSON_NOUNS or head == "사람":
            kind = "person"
        elif head in lx.ITEM_CATEGORIES:
            kind = "item"
        else:
            continue
        topic = next(
            (m for m in analysis.mentions if m.end <= toks[k - 1].start and m.particle in ("은", "는", "ᆫ")
             and m.proper and m.kind in ("item", "org")),
            None,
        )
        if topic is not None:
            out[topic.start] = (kind, head)
    return out


def _referents(analysis: Analysis) -> list[Mention]:
    """The mentions a later pronoun may point at: typed entities and untyped noun chunks ("thing"s), but not one set
    aside ("인천항 말고 …", "커피 빼고"): what the speaker excludes is not what is talked about next."""
    return [m for m in analysis.mentions if (m.is_entity or (m.kind == "noun" and m.text not in lx.SOCIAL_NOUNS))
            and not _set_aside(analysis, m)]


def _said_of_named(m: Mention, referents: list[Mention], index: _TokenIndex) -> bool:
    """Whether a complement of 이다 follows, in its sentence, a name of its own kind that is the topic or subject
    there: it says what that name is, and answers no which-question itself ("공중그네는 아나벨 최가 메인이에요"
    names the one asked for: a person said of a thing)."""
    return any(r.proper and r.kind == m.kind and r.start < m.start and r.particle in lx.TOPIC_OR_SUBJECT_PARTICLES
               and index.sentence(r) == index.sentence(m) for r in referents if r is not m)


def _set_aside(analysis: Analysis, m: Mention) -> bool:
    after = analysis.after(m.end, 2)
    return (len(after) == 2 and after[0].form in ("말", "빼") and after[0].pos == "VV"
            and after[1].form in ("고", "구", "고도") and after[1].pos == "EC")


CONTEXT_TAGS = ("NNG", "NNP", "VV", "VA", "XR", "SL")
MAX_CONTEXT = 12


_NAMED = frozenset({"item", "org", "place", "person"})
_CLAUSE_STARTS = ("NN", "MM", "SL", "SS", "SN")
_COORDINATING = frozenset({"고", "며", "으며", "지만", "는데", "은데", "ᆫ데", "데", "나", "으나", "거나", "든지",
                           "든가"})


class _TokenIndex:
    """Token starts and sentence bounds of one analysis, built once per turn: a long turn has thousands of
    mentions, and scanning every token per mention made a 60,000-character turn quadratic."""

    def __init__(self, analysis: Analysis) -> None:
        self.analysis = analysis
        self._indexed: tuple[list[Mention], list[tuple[int, Mention]], list[int]] | None = None
        self.toks = analysis.tokens
        self.starts = [t.start for t in self.toks]
        self.bounds = [0] + [k + 1 for k, t in enumerate(self.toks) if t.tag == "SF"] + [len(self.toks)]
        # clauses of a sentence: after a comma, or after a connective ending that a new noun phrase follows
        # ("A는 다이어트반이 따로 있고, B는 …", "주중반은 A 강사님이, 주말반은 B 강사님이 맡아요")
        # a conditional or causal ending subordinates its clause to what follows ("더 가벼운 걸 원하시면 '바람길'도
        # 있어요" says 가볍다 of 바람길): only coordinating ones end a clause; a new noun phrase may begin with a number
        # ("12일은 이미 마감됐고 26일은 아직 자리가 …")
        # any ending before a new contrastive topic ends a clause too ("오전 11시는 단체 전용이라 개인은 오후 3시에만
        # …": what follows 개인은 is said of another option)
        self.clauses = sorted({*self.bounds, *(k + 1 for k, t in enumerate(self.toks[:-1]) if t.tag == "SP" or (
            t.tag == "EC" and self.toks[k + 1].tag.startswith(_CLAUSE_STARTS)
            and (t.form in _COORDINATING or self._topic_at(k + 1))))})

    def _topic_at(self, k: int) -> bool:
        """Whether a noun phrase starting at token k ends in the contrastive topic particle 은 / 는."""
        while k < len(self.toks) and self.toks[k].tag.startswith(("NN", "SN", "XSN")):
            k += 1
        return k < len(self.toks) and self.toks[k].tag == "JX" and self.toks[k].form in _TOPIC

    def within(self, m: Mention) -> tuple[Tok, ...]:
        return self.toks[bisect_left(self.starts, m.start):bisect_left(self.starts, m.end)]

    def sentence(self, m: Mention) -> int:
        """The index of the sentence that holds the mention, counted from 0 within its turn."""
        return bisect_right(self.bounds, bisect_left(self.starts, m.start)) - 1

    def context(self, m: Mention, referents: list[Mention] | None = None) -> tuple[str, ...]:
        """Content words of the sentence around a mention, its own words left out; of its clause only (and the
        clauses after it that name no rival), when another referent of its kind shares the sentence (two people, two
        places: what one clause says is about one)."""
        inside = bisect_left(self.starts, m.start)
        bounds = self.bounds
        start = bounds[bisect_right(bounds, inside) - 1]
        end = bounds[bisect_right(bounds, inside)] if inside < len(self.toks) else len(self.toks)
        near = self._between(referents or [], start, end)  # the referents of this sentence only: a long turn has
        rivals = [k for k, r in near if r is not m and self._rivals(r, m)]  # thousands, and pairs of all are quadratic
        if rivals:
            sentence_end = end
            bounds = self.clauses
            start = bounds[bisect_right(bounds, inside) - 1]
            end = bounds[bisect_right(bounds, inside)] if inside < len(self.toks) else len(self.toks)
            # a following clause with no rival in it goes on about the same one ("'연남 김치살롱'이 있고 토요일
            # 클래스가 있어요"); after a topic, so does one whose only rival is what the topic has ("'A'는 90만 원대이고
            # 유압 디스크 브레이크가 달려 있어요": one common noun with a case particle; several are options set side
            # by side, "A는 주 3회 라이트 플랜이 …, 주 5회 스탠다드 플랜이 …")
            had = [k for k, r in near if r is not m and self._rivals(r, m) and r.start > m.end and not r.proper
                   and r.kind != "person" and r.particle in _ARGUMENT]
            if m.particle in _TOPIC and len(had) == 1:
                rivals = [k for k in rivals if k not in had]
            while end < sentence_end and not any(end <= k < bounds[bisect_right(bounds, end)] for k in rivals):
                end = bounds[bisect_right(bounds, end)]
            if m.proper or m.kind in _NAMED:
                start, end = self._segment(m, [r for k, r in near if r is not m and (r.proper or r.kind in _NAMED)
                                                and start <= k < end], start, end)
        # the adverb 없이 ("예약 없이 가셔도") says what an option lacks as 없다 does ("예약이 없어도"); what it is
        # said not to be ("지정점이 아니라서") is not said of it
        denied = _denied(self.toks, start, end)
        # a negated predicate ("주말 방문이 안 되고", "거의 안 남아요") says what the option lacks, as 없다 does
        words = ["없" if _lacking(t) else t.form for k, t in enumerate(self.toks[start:end])
                 if (t.pos in CONTEXT_TAGS or _lacking(t))
                 and not (m.start <= t.start < m.end) and start + k not in denied]
        # each 없 stays where it was said: which words it follows tells what the option lacks (`dst.chosen`)
        kept: list[str] = []
        for w in words:
            if w == "없" or w not in kept:
                kept.append(w)
        return tuple(kept[:MAX_CONTEXT])

    def _between(self, referents: list[Mention], start: int, end: int) -> list[tuple[int, Mention]]:
        """(token index, referent) of the referents that start in tokens [start, end); the index of a list is built
        once."""
        if self._indexed is None or self._indexed[0] is not referents:
            placed = sorted(((bisect_left(self.starts, r.start), r) for r in referents), key=lambda pair: pair[0])
            self._indexed = (referents, placed, [k for k, _ in placed])
        _, placed, keys = self._indexed
        return placed[bisect_left(keys, start):bisect_left(keys, end)]

    def _segment(self, m: Mention, rivals: list[Mention], start: int, end: int) -> tuple[int, int]:
        """Within one clause, a name's own words when other names are coordinated with it ("포토존이 포함된 '스윗
        패키지'와 노래방이 포함된 '올나잇 패키지'가 있어요"): from the conjunction after the name before it (a
        modifier comes before its head) to the conjunction after it; the last one keeps the shared predicate."""
        rivals = sorted([*(r for r in rivals if r is not m), m], key=lambda r: r.start)
        k = next(i for i, r in enumerate(rivals) if r is m)
        if k > 0:
            joint = self._joint(rivals[k - 1], m)
            if joint is not None:
                start = max(start, joint + 1)
        if k + 1 < len(rivals):
            joint = self._joint(m, rivals[k + 1])
            if joint is not None:
                end = min(end, joint + 1)
        return start, end

    def _joint(self, a: Mention, b: Mention) -> int | None:
        """The conjunction (와/과/랑, a comma) between two mentions, if they are coordinated (by its form: Kiwi tags
        some conjunctions JKB after a quote)."""
        return next((j for j in range(bisect_left(self.starts, a.end), bisect_left(self.starts, b.start))
                     if self.toks[j].tag in ("JC", "SP") or self.toks[j].form in lx.CONJUNCTION_PARTICLES), None)

    def _rivals(self, r: Mention, m: Mention) -> bool:
        """Two referents one sentence may say different things of: of one kind, or both names, however Kiwi typed
        them ("블루홀 다이브센터는 …, 코랄리프 스쿨은 …")."""
        if r.predicative and r.kind != m.kind and not r.proper:
            return False  # "재료가 호두나무예요" describes the name before it, a common noun of another kind: no rival
        return r.kind == m.kind or (self._named(r) and self._named(m))

    def _named(self, m: Mention) -> bool:
        return m.kind == "person" or self.analysis.names(m)  # any person: Kiwi tags few given names NNP

    def rarity(self, m: Mention) -> float:
        """How rare the mention's rarest noun is in open Korean text (names are rare, kinds are common)."""
        if m.kind in ("time", "quantity"):
            return 0.0
        inside = self.within(m)
        nouns = [t.form for t in inside if t.pos in ("NNG", "NNP")]
        # a written word Kiwi cut into an adverb, a verb or a particle before its nouns ("늘봄방문간호센터": 늘/MAG
        # 봄 …) is an unknown name: its rarity is that of the piece up to the first noun after the odd part ("늘봄")
        odd = next((k for k, t in enumerate(inside) if t.pos in _ODD_IN_NAME and k + 1 < len(inside)), None)
        if odd is not None:
            after = next((t for t in inside[odd + 1:] if t.pos in ("NNG", "NNP")), None)
            if after is not None and " " not in self.analysis.text[inside[0].start:after.end]:
                nouns.append(self.analysis.text[inside[0].start:after.end])
        return round(max((noun_rarity(n) for n in nouns), default=0.0), 2)


def _lacking(t: Tok) -> bool:
    """The adverb 없이 and the negations 안 / 못 (`_NEGATING`): words that say an option lacks what follows."""
    return (t.form == "없이" or t.form in _NEGATING) and t.pos == "MAG"


_NEGATING = frozenset({"안", "못"})
_ODD_IN_NAME = frozenset({"MAG", "ETM", "JKS"})


def _denied(toks: tuple[Tok, ...], start: int, end: int) -> set[int]:
    """The indices of the nouns in toks[start:end] that a 아니다 denies ("지정점이 아니라서": 지정 + 점)."""
    out: set[int] = set()
    for j in range(start, end):
        if toks[j].form != "아니" or toks[j].pos != "VCN":
            continue
        k = j - 1
        if k >= start and toks[k].pos in ("JKS", "JKC", "JX"):
            k -= 1
        while k >= start and toks[k].pos in ("NNG", "NNP", "NNB", "SL", "XSN"):
            out.add(k)
            k -= 1
    return out


def _is_title(text: str, m: Mention) -> bool:
    return m.start > 0 and text[m.start - 1] in "『「《〈<“\"'"


def _merged(entity: Entity, earlier: list[Entity]) -> Entity:
    """A later mention of something named before keeps what the earlier mentions established: what was said of it
    ("강연이 제일 좋았던 그분" after a reply that named the speaker again), its type and its title (a name once
    quoted stays one), its full name when it is named again by its last word ("포근잠 매트리스 성수점" then
    "성수점"), and within one turn its salience ("'솔바람한의원'이 …" then "솔바람한의원에서만 해요": still the
    quoted name, not an adjunct)."""
    words = dict.fromkeys([*entity.context, *(w for e in earlier for w in e.context)])
    first = earlier[0]
    fuller = max((e.text for e in earlier if e.text.endswith(" " + entity.text)), key=len, default=entity.text)
    replied = sorted({t for e in earlier for t in (*e.replied, *((e.turn,) if e.speaker == "assistant" else ()))}
                     - {entity.turn})
    entity = replace(entity, text=fuller, context=tuple(words), replied=tuple(replied),
                     type=first.type if entity.type == "thing" else entity.type,
                     role=entity.role or first.role, proper=entity.proper or first.proper,
                     asked_for=first.asked_for or entity.asked_for)
    same_turn = [e for e in earlier if e.turn == entity.turn]
    if not same_turn:
        return entity
    return replace(entity, salience=max(entity.salience, same_turn[0].salience), order=same_turn[0].order,
                   said_again=entity.sentence > same_turn[0].sentence or same_turn[0].said_again)


def _same_referent(old: Entity, new: Entity) -> bool:
    if old.text == new.text:
        return True
    if old.proper and old.text.endswith(" " + new.text) and new.type in ("place", "item", "org"):
        return True  # "포근잠 매트리스 성수점" then "성수점": the branch named again by its last word
    # "손흥민" is the same person as "손흥민 선수"; "수빈이" too is "수빈 씨" (the 이 that follows a given name
    # ending in a consonant when friends say it)
    return new.type == "person" and old.proper and old.type == "item" and (
        new.text.startswith(old.text + " ") or (_familiar_name(old.text) and new.text.startswith(old.text[:-1] + " ")))


def _familiar_name(text: str) -> bool:
    """A given name with the familiar 이 after its final consonant ("수빈이", "민석이")."""
    if len(text) < 3 or not text.endswith("이") or " " in text:
        return False
    code = ord(text[-2]) - 0xAC00
    return 0 <= code < 11172 and code % 28 != 0


def _is_reaction(analysis: Analysis) -> bool:
    """A turn that only reacts ("아 아쉽다", "와 대박"): no noun or pronoun, no question, no request. It asks nothing,
    so the question before it stays the frame of a later "그럼 토요일은?"."""
    return "?" not in analysis.text and not analysis.requests and not any(
        t.pos.startswith(("NN", "NP", "SL", "SN", "SH", "XR")) for t in analysis.tokens)


def _is_social(analysis: Analysis) -> bool:
    """A turn made only of social formulas (greetings, thanks, apologies) and no entity or question of its own."""
    social = any(t.form in lx.SOCIAL_NOUNS or t.form in lx.SOCIAL_PREDICATES for t in analysis.tokens)
    return social and not [m for m in analysis.mentions if m.text not in lx.SOCIAL_NOUNS]
