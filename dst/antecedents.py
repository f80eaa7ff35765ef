"""Anaphora resolution: each anaphor of the utterance is replaced by the text of its antecedent.

Contract: `resolve_anaphors(analyzer, analysis, anaphors, state, ranker)` returns the utterance with every
anaphor that has an antecedent (the ranker's choice, else `dst.anaphora.choose`, or the listed item of an ordinal)
replaced by it, its particles re-attached in the allomorph the antecedent needs. An anaphor that a relative clause
describes ("냉동 보관하라는 그거", "그 얇은 거") takes the named candidate whose sentence repeats more of the clause's
content words, when one does (the encoder's similarity of clause and sentence was measured and dropped: on the
case files it chose worse than the ranker); a kind noun chooses among the names that bear it ("강사가 가르쳐 주는 그
코스"), and a thing said as an adjunct of an option's sentence ("잔짐까지 싸 드리고") is no candidate of its own.
It is not confident when an anaphor found no antecedent, points at the situation (deictic 여기/저기), or needs a
place the state only knows as an untyped name.
"""

from __future__ import annotations

from collections.abc import Callable

from dst import lexicon as lx
from dst.analysis import Analysis, Analyzer, Tok
from dst.anaphora import (
    BARE_TITLE,
    DAY_GRAIN,
    DAY_OFFSET,
    RELATIVE_ONE,
    SIDE_CHOSEN,
    Anaphor,
    candidates,
    choose,
    clock_only,
    coarse_part,
    day_part,
    every_item,
    holds_title,
    names_day,
    ordinal_item,
    shifted_day,
    time_grain,
)
from dst.chosen import (
    answered_option,
    best_described,
    chosen_in_exchange,
    chosen_option,
    fuller_time,
    names_other,
    priced,
    returned_to,
    settled_option,
    shortened,
    side_named,
    titled_name,
    turns_down,
    whole_written,
)
from dst.compared import compared_option
from dst.ellipsis import answered_choice, asks_for_one, branded, names_thing, offered_entity
from dst.phrases import splice
from dst.ranking import AntecedentRanker, Ranked
from dst.tracker import CONTEXT_TAGS
from dst.types import DialogueState, Entity, Resolution, RuleResult
from korean.frequency import NAME_RARITY
from korean.lexicon import LIGHT_PREDICATE_LEMMAS, name_shaped

Chooser = Callable[[Anaphor, DialogueState], tuple[Entity | None, str]]
# A relative clause chooses among the ranker's candidates that are at least this likely, the first few of them.
MIN_DESCRIBED = 0.1
MAX_DESCRIBED = 4


def resolve_anaphors(
    analyzer: Analyzer, analysis: Analysis, anaphors: list[Anaphor], state: DialogueState,
    ranker: AntecedentRanker | None = None,
) -> RuleResult:
    text = analysis.text
    pieces: list[tuple[int, int, str]] = []
    resolutions: list[Resolution] = []
    confident = True
    has_place = bool(analysis.of_kind("place")) or any(a.need == "place" for a in anaphors)
    day_named = any(names_day(m.text) for m in analysis.of_kind("time"))
    frame = analyzer.analyze(state.last_query, state.names) if state.last_query else None
    offered = _offered(frame, state)
    # what a request for one asked for ("베란다 바닥에 깔 방수 매트 추천해줘") is the kind, not an option offered
    requested = frozenset(m.text for m in frame.mentions) if frame is not None and asks_for_one(frame) and not \
        names_thing(frame) else frozenset()
    picked: tuple[int, str] | None = None  # where an ordinal of this utterance ended, and the option it picked
    for ana in anaphors:
        span = text[ana.start : ana.span_end]
        replacement: str | None
        if picked is not None and ana.rule in ("pronoun.place", "pronoun.object") and not ana.deictic and any(
                t.pos in ("SF", "SP", "EC") for t in analysis.tokens if picked[0] <= t.start and t.end <= ana.start
        ) and not any(m.kind not in ("attribute", "time", "quantity") for m in analysis.mentions
                      if picked[0] <= m.start < ana.start):
            # "2번으로 할게. 거기 전기차도 있어?": the user picks by number, then asks about the pick (unless a newer
            # thing comes between: "2번으로 갈게. … 친구가 추천한 카페도 가려는데 그거 …")
            replacement, antecedent, rule = picked[1], picked[1], f"{ana.rule}+picked-before"
        else:
            chooser = _chooser(ranker, analysis, offered, requested, frame)
            replacement, antecedent, rule = _antecedent_text(ana, state, has_place, text[ana.start : ana.end],
                                                             chooser, day_named)
        if replacement is not None and ana.need == "ordinal" and ana.category not in lx.ORDINAL_HEADS and \
                _names_listed(text, state, replacement):
            continue  # "하늘마루 곤돌라는 마지막 하행이 …": the utterance names the option, the ordinal counts its own
        if replacement is not None and len(replacement.split()) > 1 and text[:ana.start].split()[-1:] == \
                replacement.split()[:1]:
            replacement = replacement.split(maxsplit=1)[1]  # "물결스윔 그 지점": the brand is said already
        if replacement is not None and ((ana.need == "ordinal" and ana.index >= 1) or (
                ana.rule == RELATIVE_ONE and not turns_down(_sentence_of(analysis, ana)))):
            # "저렴한 데가 좋겠다. 거긴 …" picks as a number does; "취소 잦은 건 싫어. 거기 …" turns its one down
            picked = (ana.span_end, antecedent)
        if replacement is None:
            confident = False
            continue
        if antecedent == ana.category:
            continue  # "이 기회는" after "이 기회 잡고 싶다": the antecedent is the noun itself, nothing to add
        if ana.deictic or (ana.need == "place" and not _typed_place(antecedent, state)):
            confident = False
        new = analyzer.attach(replacement, ana.particles)
        if ana.span_end < len(text) and not text[ana.span_end].isspace() and not ana.particles and \
                text[ana.span_end].isalnum():
            new += " "  # "그다음 날" -> "12월 3일 다음 날": the demonstrative was glued to what follows
        pieces.append((ana.start, ana.span_end, new))
        resolutions.append(Resolution(span.strip(), antecedent, ana.need, rule))
    return RuleResult(splice(text, pieces), resolutions, confident)


def _offered(frame: Analysis | None, state: DialogueState) -> Entity | None:
    """The name the last reply offered when the frame asked for one (`dst.ellipsis.asks_for_one`: "양봉 도구 파는 곳
    추천해 줘" -> "전주에 있는 '고운빛 한복대여' 본점이 …"), or None."""
    if frame is None or not state.last_query:
        return None
    chosen = answered_choice(frame, state)
    if chosen is not None:
        return chosen
    if names_thing(frame):  # "'빛나래 간판'은 어떤 곳이야?" asks about one it names
        return None
    return offered_entity(frame, state)


def _chooser(ranker: AntecedentRanker | None, analysis: Analysis, offered: Entity | None = None,
             requested: frozenset[str] = frozenset(), frame: Analysis | None = None) -> Chooser:
    """The learned ranker when there is one (its probability in the rule name), else the rules' order; an anaphor
    that a relative clause describes takes the candidate whose sentence that clause matches in meaning, and one after
    a clause of the utterance that picks an option takes that option (`dst.chosen`). "아까 말한 데" takes the best
    candidate a reply before the last one named. A bare place or thing pronoun ("거기", "그곳", "그거") after a reply
    that offered what the frame asked for takes that offer: the user asks on about the answer, not about the words of
    the question."""

    def ranked(ana: Anaphor, state: DialogueState) -> tuple[Entity | None, str]:
        span = described_span(analysis, ana)
        scores: list[list[Ranked] | None] = []

        def scored_once() -> list[Ranked] | None:  # the ranker runs at most once per anaphor
            if not scores:
                scores.append(ranker.rank(ana, state, analysis) if ranker is not None else None)
            return scores[0]

        free = span is None and not (ana.deictic or ana.earlier)
        chosen = priced(analysis, ana, state) if free else None
        if chosen is not None:
            return chosen, "+priced"
        chosen = chosen_option(analysis, ana, state) if free else None
        if chosen is not None:
            return chosen, "+chosen"
        if ana.rule == SIDE_CHOSEN:
            side = side_named(state)  # "그쪽은 …" after "… 신촌 쪽을 추천드려요"
            if side is not None:
                return side, "+side-named"
            # "그럼 강경댁을 추천드려요" after the user said what they need: the one the reply settles on
            settled = settled_option(state, ana) if ana.need == "place" else None
            return (settled, "+settled") if settled is not None else (None, "")
        chosen = chosen_in_exchange(analysis, ana, state, frame) if free else None
        if chosen is not None:
            return chosen, "+chosen-in-exchange"
        chosen = answered_option(analysis, frame, ana, state) if free and ana.need != "object" else None
        if chosen is not None:
            return chosen, "+answered"
        chosen = returned_to(analysis, ana, state) if free and not ana.earlier else None
        if chosen is not None:
            return chosen, "+returned-to"
        if ana.earlier:
            # "아까 말한 데" after a reply that named one of its own: the user goes back to what a reply said before it
            # (the ranker's best of those, or the rules' first)
            if ranker is not None:
                older = [r for r in scored_once() or [] if _said_before(r.entity, state)]
                top = ranker.best(older)
                if top is not None:
                    return top.entity, f"+earlier:{top.probability:.2f}"
            else:
                first = next((e for e in candidates(ana, state) if _said_before(e, state)), None)
                if first is not None:
                    return first, "+earlier"
        if offered is not None and span is None and not ana.deictic and ana.rule in ("pronoun.place",
                                                                                     "pronoun.object"):
            return offered, "+offered"
        if ana.rule == BARE_TITLE:
            return _title_holder(ana, state), ""
        # a time is told by its parts whether or not a clause says them ("저녁에 하는 그날" after "… 오전 10시와 … 저녁
        # 7시"); for a thing a clause's words are matched below
        stated = _stated_choice(analysis, ana, state) if span is None or ana.need == "time" else None
        if stated is not None:
            return stated, "+stated"
        scored = scored_once()  # the clause reads it too
        if span is not None and _not_closed(analysis, span):
            span = None  # "마감 안 된 그 회차": the one the reply left open, as if no clause were said
        if span is not None:
            found = _described(ana, state, analysis, span, scored, requested)
            if found is not None:
                return found
        if ana.rule == RELATIVE_ONE:
            return None, ""
        if ranker is None or scored is None:
            return _available(choose(ana, state), ana, state, span, "")
        top = ranker.best(scored)
        if top is not None:
            return _available(top.entity, ana, state, span, f"+ranker:{top.probability:.2f}")
        return _available(choose(ana, state), ana, state, span, "+rules(ranker unsure)")

    return ranked


def _available(found: Entity | None, ana: Anaphor, state: DialogueState, span: tuple[int, int] | None,
               how: str) -> tuple[Entity | None, str]:
    """`found`, unless the last reply said it is closed ("8시 30분 타임은 이미 마감됐습니다", or of a part of it that a
    later clause names: "토요일 오전 10시랑 오후 3시 … 오전은 이미 마감됐고") and named exactly one other option of the
    same shape (and, for days, grain) that it did not close ("저녁 7시 타임이 한 자리 남아 있고"): the user goes on
    with the one that is open. A clause of the user's own describes instead ("마감된 그 시간"); the rule leaves it
    alone."""
    if found is None or span is not None or found.speaker != "assistant" or found.turn != state.turn:
        return found, how
    said = [e for e in state.entities if e.speaker == "assistant" and e.turn == state.turn]
    closing = [e for e in said if lx.UNAVAILABLE & set(e.context)]  # few: the clauses that close something
    if not _closed(found, closing):
        return found, how
    shape = _shape(found)
    # days are told apart from months by grain ("10월" is no other option for "12일 토요일"); clock times are one
    # shape however finely they are said ("저녁 9시" for "저녁 7시 30분")
    grain = time_grain(found.text) if shape == "day" else None
    others = [e for e in said if e is not found and e.type == found.type and _shape(e) == shape
              and (grain is None or time_grain(e.text) == grain) and not _closed(e, closing)
              and e.text not in found.text and found.text not in e.text]
    # one option said twice ("26일 토요일 회차 … 26일은 아직 자리가"): its part is the same option
    others = [e for e in others if not any(e is not o and e.text in o.text for o in others)]
    if len(others) != 1:
        return found, how
    return others[0], how + "+open"


def _closed(option: Entity, closing: list[Entity]) -> bool:
    """Whether the reply closed an option: `closing` (the reply's mentions said in a closing clause) holds it, or a
    part of it that a clause names ("오전은 이미 마감됐고" of "토요일 오전 10시", "12일은" of "12일 토요일 회차")."""
    words = set(option.text.split())
    return any(e is option or (e.type == option.type and e.text != option.text and set(e.text.split()) <= words)
               for e in closing)


def _not_closed(analysis: Analysis, span: tuple[int, int]) -> bool:
    """Whether a describing clause says only that the option is not closed ("마감 안 된", "매진 안 된")."""
    toks = [t for t in analysis.tokens if span[0] <= t.start and t.end <= span[1]]
    return any(t.form in lx.UNAVAILABLE for t in toks) and turns_down(toks)


def _shape(e: Entity) -> str:
    """What kind of option an entity is: a time of the clock or a day, else its type."""
    if e.type != "time":
        return e.type
    return "clock" if "시" in e.text else "day"


def _full_name(entity: Entity, state: DialogueState) -> str:
    """A given name said alone ("태오가 처음이야") stands for the one full name the dialogue gave with it ("강태오 님"):
    a two-syllable name and a three-syllable one that ends with it (one syllable of surname)."""
    given = entity.text
    if len(given) != 2 or not all("가" <= ch <= "힣" for ch in given):
        return given
    full = {w for e in state.entities if e.type == "person" for w in e.text.split()[:1]
            if len(w) == 3 and w.endswith(given)}
    return full.pop() if len(full) == 1 else given


def _title_holder(ana: Anaphor, state: DialogueState) -> Entity | None:
    """The one named person the dialogue gave the bare title ("김도윤 교수님" for "교수님"), or None: two holders, or
    only a description ("보조 강사"), leave the title as it is."""
    held = {e.text: e for e in state.entities if e.type == "person" and holds_title(e, ana.category or "")
            and (e.proper or name_shaped(e.text.split()[0]))}
    return next(iter(held.values())) if len(held) == 1 else None


def _stated_choice(analysis: Analysis, ana: Anaphor, state: DialogueState) -> Entity | None:
    """The option of the last reply that the utterance picked before the anaphor ("화요일로 할게요. 그때 …" after
    "이번 주 목요일 오후 2시와 다음 주 화요일 오전 10시가 비어 있어요"): one word of it, said by the user, names it
    and no other option; else one word of what the reply said of it alone."""
    options = [e for e in candidates(ana, state) if e.speaker == "assistant" and e.turn == state.turn]
    if len(options) < 2:
        return None
    toks = analysis.before(ana.start)
    said = {t.form for k, t in enumerate(toks) if t.pos in ("NNG", "NNP", "SL") and not (
        k + 1 < len(toks) and toks[k + 1].form in ("말", "빼") and toks[k + 1].pos == "VV")}  # "종일 말고"
    said.discard(ana.category or "")
    if not said:
        return None
    picked = [e for e in options if said & set(e.text.split())]
    if not picked and not turns_down(toks):
        # "화목반 그 선생님" after "화목반은 A 선생님이 맡고 … 월수반은 B 선생님이고요": a word (of two syllables or
        # more: "반" is in both) of what the reply said of one option alone
        # ("웨이팅 싫은데 거기 …" turns the option down; "마감 안 된 그 회차" speaks of the closing, not of a choice)
        telling = {w for w in said if len(w) > 1 and w not in lx.UNAVAILABLE}
        # a word of a name the reply gave ("일산에 '결고운 블라인드 쇼룸'이 있고") is that name's, not said of the
        # option
        names = {w for e in state.entities if e.turn == state.turn and e.speaker == "assistant"
                 and (e.proper or e.role == "title") for w in e.text.split()}
        picked = [e for e in options
                  if telling & {w for w in e.context if not names_other(w, names - set(e.text.split()))}]
    if len(picked) != 1:
        return None
    # "작품 코스는 마지막 주에 액자까지" after "'한지 작품 완성 코스'는 …": the name the reply shortened, said whole
    return next((e for e in options if shortened(picked[0].text, e.text)), picked[0])


def _described(ana: Anaphor, state: DialogueState, analysis: Analysis, span: tuple[int, int],
               scored: list[Ranked] | None, requested: frozenset[str] = frozenset()) -> tuple[Entity, str] | None:
    """The named candidate the relative clause describes, when there are two or more: the one a gradable word picks
    by the amounts the reply gave (`dst.compared`: "더 싼 쪽"), else the one whose sentence repeats more of the
    clause's content words than any other ("방 넓은 그 지점" after "왕십리점이 방이 더 넓고")."""
    begins, ends = span
    said = {t.form for t in analysis.tokens if t.pos in ("NNG", "NNP") and len(t.form) >= 2
            and begins <= t.start and t.end <= ends}
    ranked = ([r.entity for r in scored if r.probability >= MIN_DESCRIBED]
              if scored is not None else candidates(ana, state))
    if ana.need == "time":
        # the clause tells the reply's times apart by what it says of them ("자리 넉넉한 그 시간" after "오전 반은
        # 거의 찼고, 오후 2시 수업은 자리가 넉넉해요"), however the ranker ordered them by position
        ranked += [e for e in state.entities if e.type == "time" and e.speaker == "assistant"
                   and e.turn == state.turn and e not in ranked]
    # "더 싼 쪽", "가까운 그 지점", "시간 덜 걸리는 데": a gradable word is decided by the amounts the last reply gave
    # with its options, before any word the clause shares with an option's sentence ("시간" of "3시간", "6시간")
    clause = [(t.form, t.pos) for t in analysis.tokens if begins <= t.start and t.end <= ends]
    options = [e for e in ranked if e.speaker == "assistant" and e.turn == state.turn
               and (e.type in ("place", "item", "org", "person") or (e.type == "thing" and e.rarity >= NAME_RARITY))
               and e.text not in requested]  # (a name Kiwi does not know, "다온재가센터", is typed a thing)
    picked = compared_option(clause, options, state)
    if picked is not None:
        return picked, "+compared"
    # only names are told apart by what the clause says of them: a bare kind ("팀장", "역") or a description that
    # repeats the clause's own nouns ("판타지 웹툰" for "판타지인 그 작품") is not what it describes
    # (times are told apart the same way: "자리 남은 그때" after "… 3월 21일 수업은 자리가 남아 있어요")
    pool = [e for e in ranked if (e.proper or e.role == "title" or e.rarity >= NAME_RARITY or _titled_name(e)
                                  or (ana.need == "time" and e.type == "time")) and e.text not in requested
            and not any(w in e.text for w in said) and not _locates_name(e, state)
            and (ana.need != "person" or e.type == "person" or not (ana.honoured or ana.rule == "pronoun.person"))
            ][:MAX_DESCRIBED]
    # "잔짐까지 싸 주는 그 상품": a thing a reply named as an adjunct of an option's sentence is what the option
    # covers, not an option, unless the reply named it
    named = [e for e in pool if e.salience > 0 or e.proper or e.role == "title"]
    if ana.need in ("object", "category") and len(named) >= 2:
        pool = named
    bearing = [e for e in pool if ana.category and ana.category in e.text]
    if len(bearing) >= 2:
        pool = bearing  # "강사가 가르쳐 주는 그 코스" chooses among the courses, not a word said of one ("루어")
    if len(pool) < 2:
        return None
    # each option is read with the words of its sentence that name none of the other options
    others = [{w for o in pool if o is not e for w in o.text.split()} for e in pool]
    own = [{w for w in e.context if not names_other(w, other)} for e, other in zip(pool, others, strict=True)]
    clause_toks = [t for t in analysis.tokens if begins <= t.start and t.end <= ends]
    words = {t.form for t in clause_toks if t.pos in CONTEXT_TAGS and t.form + "다" not in LIGHT_PREDICATE_LEMMAS}
    words = whole_written(analysis.text, clause_toks, words, own)
    tied, top = best_described(words, clause_toks, own)
    if tied and (len(tied) == 1 or _apposed([pool[k] for k in tied])):
        return fuller_time(pool[tied[0]], state), f"+clause-words:{top}"
    return None


def _said_before(e: Entity, state: DialogueState) -> bool:
    """Named by a reply before the last one."""
    return e.speaker == "assistant" and e.turn < state.turn


def _titled_name(e: Entity) -> bool:
    """A person the reply names by a name-shaped word and an honoured title after it ("이정훈 기사님"), a name Kiwi
    did not tag as one; the 님 rules out a described kind ("고양이 미용사")."""
    return e.speaker == "assistant" and e.text.endswith("님") and titled_name(e)


def _locates_name(e: Entity, state: DialogueState) -> bool:
    """A place said right before a name as where it is ("이천의 '푸른들 유기농원'", "망원동 '온기 스튜디오'"), or a
    genitive of no kind right before one (Kiwi may read the place as a name: "포천의"): the name's setting, described
    by its sentence as much as the name, and no option of its own."""
    # a genitive owner with a kind of its own ("'어니언'의 '팡도르'": a café) is a venue, not a setting
    setting = (e.type == "place" and e.particle in (None, "의")) or (e.particle == "의" and e.role is None)
    return setting and any(
        o.turn == e.turn and o.speaker == e.speaker and o.order == e.order + 1 and (o.proper or o.role == "title")
        and o.type != "place" for o in state.entities)


def _apposed(options: list[Entity]) -> bool:
    """Two options that are one thing named twice: a name and the unnamed word right after it, such as its branch
    ("'점프온 트램펄린파크' 광명점은 …"), so the clause that describes one describes both (the ranker's first of them
    is taken). Two names side by side are two things."""
    if len(options) != 2:
        return False
    a, b = sorted(options, key=lambda e: e.order)
    return a.turn == b.turn and b.order == a.order + 1 and a.proper and not b.proper



def _names_listed(text: str, state: DialogueState, item: str) -> bool:
    """Whether `text` names an option of a list that holds `item`."""
    return any(option in text for lst in state.lists if item in lst.items for option in lst.items)


def _sentence_of(analysis: Analysis, ana: Anaphor) -> list[Tok]:
    """The tokens of the sentence an anaphor is in."""
    toks = analysis.tokens
    ends = [t.end for t in toks if t.pos == "SF"]
    start = max((e for e in ends if e <= ana.start), default=0)
    end = min((e for e in ends if e >= ana.span_end), default=len(analysis.text))
    return [t for t in toks if start <= t.start and t.end <= end]


def described_span(analysis: Analysis, ana: Anaphor) -> tuple[int, int] | None:
    """Where the relative clause that describes an anaphor is: inside it ("그 얇은 거"), or right before it ("냉동
    보관하라는 그거", "모집 중인 그 공방": its words from the start of the utterance, a comma or a conjunction up to
    the anaphor); None when there is none."""
    if ana.inner is not None:
        return ana.inner
    before = analysis.before(ana.start)
    if not before or before[-1].pos != "ETM" or analysis.text[before[-1].end : ana.start].strip():
        return None
    start = next((tok.end for tok in reversed(before) if tok.pos in ("SP", "SF", "MAJ", "IC")), 0)
    return start, ana.start


def _antecedent_text(
    ana: Anaphor, state: DialogueState, has_place: bool, surface: str, chooser: Chooser, day_named: bool
) -> tuple[str | None, str, str]:
    if ana.need == "ordinal":
        item = ordinal_item(ana, state)
        return item, item or "", "ordinal.list"
    if ana.need == "every":
        # "둘 다" -> "A, B 둘 다": the count stays, the options come before it; "둘 중" -> "A, B 중"
        items = every_item(ana, state)
        listed = ", ".join(items)
        text = listed if ana.category == "중" else f"{listed} {surface}"
        return (text, listed, ana.rule) if items else (None, "", ana.rule)
    entity, how = chooser(ana, state)
    if entity is None:
        return None, "", ana.rule + how
    replacement = _full_name(entity, state) if ana.need == "person" else branded(entity, state)
    rule = ana.rule + how
    antecedent = entity.text
    if replacement != entity.text and ana.need != "person":
        rule += "+brand"
        antecedent = replacement  # the brand and its branch are the one antecedent
    if ana.rule == BARE_TITLE and not entity.text.endswith(surface):
        words = entity.text.split()
        if words[0] in (ana.category, f"{ana.category}님"):  # "부회장 이서진 씨" -> "이서진 부회장님"
            words = [w for w in words[1:] if w not in ("씨", "님")]
        replacement = f"{' '.join(words)} {surface}"
    if ana.rule == "demonstrative.role" and entity.role is None and not entity.text.endswith(ana.category or ""):
        # a bare name takes the title ("그 감독" -> "봉준호 감독", "그 선생님" keeps 님); a titled one keeps its own
        replacement = f"{entity.text} {surface[1:].strip()}"
    if ana.need == "time" and (ana.grain is None or ana.grain <= DAY_GRAIN):
        words = entity.text.split()
        fuller = [e for e in state.entities if e.type == "time" and e.turn > entity.turn and e.speaker == "assistant"
                  and words in (e.text.split()[:len(words)], e.text.split()[-len(words):])
                  and len(e.text.split()) > len(words)
                  and e.particle != "부터"]  # "11일 오후 2시부터 5시는 꽉 찼어요" names no settled time
        settled = max(fuller, key=lambda e: (e.turn, e.order)) if fuller else None
        if settled is None and len(words) >= 2:
            # "그때로" after "화요일 저녁 7시 반하고 목요일 오전 11시" / "그러면 화요일 저녁 수업이 …": the reply said
            # again the start of one time offered before, which is the time in full
            offered = {e.text: e for e in state.entities if e.type == "time" and e.turn < entity.turn
                       and e.speaker == "assistant" and e.text.split()[:len(words)] == words
                       and len(e.text.split()) > len(words)}
            settled = next(iter(offered.values())) if len(offered) == 1 else None
        # "그날" takes the day the reply settled ("다음 달 3일 금요일" for "금요일"), not its time of day; "그 시간" all
        # of it; a week or a month ("그 주", "그 달") is not settled by a day
        text = "" if settled is None else day_part(settled.text) if ana.grain == DAY_GRAIN else settled.text
        if settled is not None and len(text.split()) > len(words):
            # "그때쯤" after "19일이 좋겠어요." / "19일 오후 4시로 진행하시면 …": the time as the reply settled it;
            # "그날" after "금요일이 좋겠다." / "다음 달 3일 금요일로 …"
            entity = settled
            replacement = text
            rule += "+settled"
    if ana.need == "time" and clock_only(entity.text) and not day_named:
        day = _day_before(entity, state)
        if day:
            # "같은 날 오후 4시 30분" after "다음 주 수요일 오후 3시": a clock time takes the day it was said on
            replacement = f"{day} {replacement}"
            rule += "+day"
    if ana.need == "time" and ana.grain is not None and ana.grain > DAY_GRAIN and coarse_part(replacement, ana.grain):
        # "그 주 주말" after "다음 주 금요일 저녁 7시 반": the week, not the evening in it
        replacement = coarse_part(replacement, ana.grain)
        rule += "+grain"
    if ana.rule == DAY_OFFSET:
        # "그 전날" -> "3월 10일 전날인 3월 9일" after "3월 10일 오후 2시": the day the user counts from, with the
        # day it comes to when that day is a date
        day = day_part(replacement) or replacement
        relative = f"{day} {'다음 날' if ana.category == '다음날' else ana.category}"
        moved = shifted_day(day, lx.DAY_OFFSETS[ana.category or ""])
        return (f"{relative}인 {moved}" if moved else relative), antecedent, rule + "+day"
    if ana.need == "time" and not has_place:
        place = _event_place(entity, state)
        if place is not None:
            # "그때 비 와?" asks about the event, which has a place: carry it with the time
            replacement = f"{replacement} {place.text}"
            rule += "+carry-place"
    return replacement, antecedent, rule


def _typed_place(text: str, state: DialogueState) -> bool:
    return any(e.text == text and e.type == "place" for e in state.entities)


def _day_before(time_entity: Entity, state: DialogueState) -> str | None:
    """The day part of the latest time said before a clock time in its turn ("다음 주 수요일" of "다음 주 수요일 오후
    3시"), else of the user's question before that reply; None when neither names a day."""
    said = [e for e in state.entities if e.type == "time" and e.turn == time_entity.turn
            and e.order < time_entity.order]
    asked = [e for e in state.entities if e.type == "time" and e.speaker == "user" and e.turn == time_entity.turn - 1]
    return next((day for e in [*reversed(said), *reversed(asked)] if (day := day_part(e.text))), None)


def _event_place(time_entity: Entity, state: DialogueState) -> Entity | None:
    same_turn = [e for e in state.entities if e.type == "place" and e.turn == time_entity.turn]
    return same_turn[0] if same_turn else None
