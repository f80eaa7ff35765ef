"""The option of the last reply that the user picks in a clause before an anaphor of the same utterance.

Contract: `chosen_option(analysis, anaphor, state)` returns the named option of the last reply that the utterance's
whole clauses before the anaphor (up to a sentence end, a comma or a connective ending) pick, when they pick exactly
one: "단독홀이 좋을 것 같아요. 거기 식대는 …" after "… 'A'는 하루 네 타임 단독홀이고, 'B'는 두 개 홀에서 …", "장식
없는 걸로 할게. 그 구두 색상은 …", "좀 더 싼 클래스로 할래. 그 클래스는 …". Clauses that turn one of two options
down outright ("A 말고", "루프탑은 별로야", "취소 잦은 건 싫어", "단골이 아니니까") pick the other; a bare negation
("무릎이 안 좋아서") says what the user needs and picks nothing, unless what it negates is what the reply said of one
of two options ("급하진 않아요" after "급하시면 … 내일 받으실 수도 있어요"): then it picks the other.
Otherwise None, and the anaphor is resolved as before. The user chooses, then asks about the choice; the anaphor
points at what was just chosen, not at the reply's most salient name.

How a clause picks (each step only when the one before decides nothing):
- a negated modifier of a word that means only the option ("자국 안 남는 게 좋아"): the option said to lack it (a
  negation, 안 / 못, says what an option lacks as 없다 does);
- a gradable word by the amounts the reply gave with its options (`dst.compared`: "더 싼", "가까운");
- the option it names: a word of one option's name that no other option's name has, a number with its bound noun
  included ("19일로 할게요");
- of two options, the one not said to lack what the clause wants ("설명 듣고 싶으니까" after "B는 설명할 시간이
  없어요");
- the nouns it shares with what the reply said of each option (the content words of the sentences that mention
  it, its shorter or longer name included), compounds that Kiwi cut differently counted as one word, and its
  adjectives that describe ("짧은 게 낫겠다"; not those that judge, "좋은 데로"); one option must share more than any
  other. 있 / 없 break a tie ("장식 없는 걸로" between "장식 없는 A" and "장식 있는 B"), and of two options a clause
  that wants what one of them has not ("할증 없는 데로", "취소 걱정 없는 쪽으로") picks the other; of options
  tied on what the clause wants, those said to lack it drop out ("주말에도 와야 돼" after "A는 주말 방문이 안 되고").
  A written word Kiwi cut counts whole when an option says it (`whole_written`: "잔짐까지" is not "짐").
Options the reply sets against each other as topics ("'A'는 …. 'B'는 골목 안에 있는데 단팥빵이 …") own what their
sentence names after them: a thing inside an option's description is no option of its own.
People and things choose among options of their own kind. A time anaphor ("갈비찜 배우고 싶어. 그날 …" after
"수요일 저녁 7시와 토요일 오전 10시에 있어요. 수요일에는 잡채를, 토요일에는 갈비찜을 만들어요") chooses among the
reply's times by the same shared nouns, and also by the topic right before it in its own clause ("점심은 그 시간
넘으면"); one with 까지 or 부터 takes the one time the reply gave with that particle ("그때까지 못 가면"). A day said
again with what happens on it ("토요일에는 갈비찜을") stands for the fuller time that holds it. A negation under "밖에"
("주말밖에 시간이 안 돼서") says what the user can do, so it turns nothing down.

`chosen_in_exchange(ana, state)` reads the last exchange when the utterance has no clause of its own (an answer word
before a comma, "네, 그때 …", is none) ("그 원장님
진료 있는 요일 알려 줘" after "요즘 어깨가 계속 결려서." / "그럼 통증 쪽을 보시는 원장님께 예약하시는 걸
추천드려요"): when the last reply names no option of the anaphor's kind, the one the reply before named is picked by a
part of its name that the last exchange says ("염소우유 베이스로 …", "그럼 하이컷 쪽이 …": a telling word of one name,
unless the exchange named an option again), else, for a kind noun or a person pronoun, by the nouns that the last user
turn and reply share with what was said of each (a person pronoun only when the exchange named no person). A bare
"그거" / "거기" after small talk is otherwise left to the ranker. A time anaphor, bare or not ("그때", "그 전날"),
takes the time of the reply before the last that the last exchange is about ("유약 수업으로 할게." / "신청됐어요." after
"물레 수업은 3일, 유약 수업은 10일에 있어요"), unless the last reply says a time of its own. A kind noun ("그 책")
after a last turn in which the user took one quoted option of the reply before ("처음이라 쉬운 거부터 볼래", read as
that book) and a reply that named none of its kind is that option. A reply that settles by description ("그럼 광택이
강한 쪽이 …") is read in its own words before what the things it names again were said with earlier, and what it says
is lacking ("외주 없이 직접 하는 곳") tells the options without it.
`settled_option(state, ana)`: after the user says what they want and the last reply names one thing ("그럼 청란회가
맞아요"), that thing, for an anaphor and for an elided question alike; a quoted name said bare before its kind
("'달숲 요가' 원데이 클래스는 …") is that one thing, and so is the option of an earlier reply whose word the reply
calls the side to take ("A는 65세 이상 대상이라 라인댄스 쪽이 맞으실 거예요"), whatever else it names, or by where
it is ("신촌 쪽을 추천드려요" after "신촌 '하모니룸'은 …, 홍대 '소리가'는 …"; `side_named`, also for a bare "그쪽은").
`answered_option(analysis, frame, ana, state)`: after a which-question ("사장님 중에 누가 가방 수선도 하세요?") or a
question for the one who does something ("도어락 설치해 주는 분 있어요?"), the option whose sentence of the last reply
shares the question's words (its topic first: "족보 편찬 실무는 누가 맡아요?" asks of 실무), unless the utterance's
own words point at another.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from itertools import pairwise

from dst import lexicon as lx
from dst.analysis import Analysis, Tok
from dst.anaphora import BARE_TITLE, THING_HEADS, Anaphor, instance_of, time_grain
from dst.chunks import adnominal_adjective
from dst.compared import budget_option, compared_option, priced_option, said_price
from dst.phrases import same_word
from dst.types import DialogueState, Entity
from dst.wos import clock_value
from korean.frequency import NAME_RARITY, noun_rarity
from korean.lexicon import JUDGING_STEMS, LIGHT_PREDICATE_LEMMAS, name_shaped

_CLAUSE_END = ("SF", "SP", "EC")
_NOUNS = ("NNG", "NNP", "SL", "XR")
_NUMERALS = ("SN", "NR")
POLAR = frozenset({"있", "없"})
_CONTRAST = frozenset({"은", "는", "ᆫ"})
_BOUNDS = frozenset({"까지", "부터"})
_JOINED = lx.CONJUNCTION_PARTICLES | {"도"}  # "오전 10시와 오후 2시", "오후 2시도": one of several, not said of another
_ARGUMENT = frozenset({"이", "가", "을", "를", "ᆯ", "도", "만"})
_CONCLUDING = ("그럼", "그러면", "그렇다면", "그러시면")  # a closed class: the connectives that draw a conclusion
_AVOIDING = frozenset({"피하", "삼가"})  # the verbs a reply tells the user to keep away from an option with
_ALL_OF = frozenset({"둘", "셋", "모두", "전부", "다"})  # "둘 다", "모두": every option, not one
_MEASURE = re.compile(r"^\d[\d.,]*\s*[A-Za-z]+급?$")  # "350kW", "100kW급": an amount, not an option


@dataclass
class _Option:
    entity: Entity
    names: set[str] = field(default_factory=set)
    words: set[str] = field(default_factory=set)


def priced(analysis: Analysis, ana: Anaphor, state: DialogueState) -> Entity | None:
    """The option of the last reply an amount right before the anaphor names ("3천 원짜리 그거", `dst.compared`)."""
    price = said_price([(t.form, t.pos) for t in analysis.before(ana.start)][-6:])
    if price is None or ana.need == "person":
        return None
    names = [e for e in state.entities if e.speaker == "assistant" and e.turn == state.turn and not e.modifier
             and (e.proper or e.role == "title") and e.type in ("item", "org", "place", "thing")]
    return priced_option(price, names, state)


def chosen_option(analysis: Analysis, ana: Anaphor, state: DialogueState) -> Entity | None:
    # the options first: without two of them no clause is read (a long message has thousands of anaphors)
    options = _time_options(state) if ana.need == "time" else _options(ana, state)
    if len(options) < 2:
        return None
    if ana.need == "time":
        bound = _bound_by_particle(ana, options)
        if bound is not None:
            return bound
    before = list(analysis.before(ana.start))
    ends = [k for k, t in enumerate(before) if t.pos in _CLAUSE_END]
    # a topic before a time anaphor is what the time is of; before another anaphor it may be the option set against
    # it ("밀알제과는 그 가게보다 멀어요?")
    topic = _topic_lead(before[ends[-1] + 1:] if ends else before) if ana.need == "time" else []
    before = before[: ends[-1] + 1] if ends else []  # whole clauses: what follows the last one leads up to the anaphor
    if not any(t.pos in (*_NOUNS, *_NUMERALS, "ETN") for t in before) and not topic and not turns_down(before):
        # (a clause that negates a predicate may turn down the option it describes: "급하진 않아"; a number may
        # name one: "19일로 할게요")
        return None
    # "무릎이 안 좋아서 쿠션 두꺼운 게 낫겠다": a bare 안 / 못 / 않 before the last clause says what the user needs; the
    # last clause, which turns nothing down, picks
    wanted = _wanted_lacking(_last_clause(before))
    if wanted:
        # "자국 안 남는 게 좋아" after "'B'는 … 자국이 거의 안 남아요": the option said to lack what the clause wants
        # lacking, before the negation is read as turning one down
        lacking = [o for o in options if wanted & _lacked_nouns(o.entity.context)]
        if len(lacking) == 1:
            return lacking[0].entity
    if turns_down(before) and (turns_down(_last_clause(before)) or not _picks(before)):
        # "취소 잦은 건 싫어. 거기 …", "난 단골이 아니니까 그 사람 …": of two options, the one the clause does not
        # describe; of more, or when it describes none or both, nothing
        # "무릎이 안 좋으셔서" says what the user needs, so a bare 안 / 못 / 않 eliminates nothing
        outright = _rejects_outright(before)
        down = _described(analysis, before, options) if len(options) == 2 and outright else None
        if down is None and not outright and len(options) == 2:
            down = _negated_one(before, options)  # "급하진 않아요" after "급하시면 … 내일 저녁 7시에"
        if down is None and ana.need == "time" and len(options) == 2:
            down = _in_time_class(before, options)  # "오전은 힘들어요" after "… 오전 10시 …, … 오후 4시"
        return None if down is None else next(o.entity for o in options if o is not down)
    words = [(t.form, t.pos) for t in before]
    picked = (compared_option(words, [o.entity for o in options], state)
              or budget_option(words, [o.entity for o in options], state)) if before else None
    if picked is not None:
        return picked
    classed = _in_time_class(before, options) if ana.need == "time" else None
    if classed is not None:
        return classed.entity  # "평일이 편해요. 그 시간에 …" after "화요일 오후 3시랑 토요일 오전 10시 반"
    found = _described(analysis, before + topic, options)
    if found is not None and ana.need == "time":
        found = _at_grain(found, ana, options)
    return found.entity if found is not None else None


def _at_grain(found: _Option, ana: Anaphor, options: list[_Option]) -> _Option:
    """A time coarser than the anaphor says ("그 주" after "겨울 캠프는 1월 둘째 주에 해요" and "겨울 캠프
    보내려고요") stands for the one time of the anaphor's grain that its sentence gives it."""
    if ana.grain is None or time_grain(found.entity.text) <= ana.grain:
        return found
    words = found.entity.text.split()
    finer = [o for o in options if o is not found and time_grain(o.entity.text) <= ana.grain
             and o.entity.turn == found.entity.turn and all(w in o.entity.context for w in words)]
    return finer[0] if len(finer) == 1 else found


def _last_clause(before: list[Tok]) -> list[Tok]:
    """The clause that ends `before` (which ends on a clause end), without the clauses before it."""
    ends = [k for k, t in enumerate(before[:-1]) if t.pos in _CLAUSE_END]
    return before[ends[-1] + 1:] if ends else before


_OPTION_HEADS = lx.ORDINAL_HEADS | THING_HEADS  # "두꺼운 게", "싼 데": nouns that mean only the option


def _picks(before: list[Tok]) -> bool:
    """Whether the last clause picks an option by what describes it: an adnominal adjective on a noun that means
    only the option ("두꺼운 게 낫겠다", "가벼운 걸로 할게"), with no outright rejection anywhere."""
    last = _last_clause(before)
    return not _rejects_outright(before) and any(
        adnominal_adjective(a, b) and c.form in _OPTION_HEADS
        for a, b, c in zip(last, last[1:], last[2:], strict=False))


def _rejects_outright(before: list[Tok]) -> bool:
    """Whether the clauses turn something down by more than a bare 안 / 못 / 않 ("싫어", "말고"), which only says what
    the user needs ("무릎이 안 좋아서")."""
    return any(_rejects(t) and t.form not in ("안", "못", "않") for t in before)


# what the words for parts of the week and of the day cover: calendar and clock facts, a closed class
_DAY_CLASSES = {"평일": frozenset("월화수목금"), "주중": frozenset("월화수목금"), "주말": frozenset("토일")}
_HOUR_CLASSES = {"오전": (0, 12), "아침": (5, 11), "출근": (5, 10), "낮": (11, 17), "점심": (11, 14), "오후": (12, 24),
                 "저녁": (17, 24), "퇴근": (17, 24), "밤": (19, 24)}


def _in_time_class(before: Sequence[Tok], options: list[_Option]) -> _Option | None:
    """The one time option that falls in the part of the week or day the clause names ("평일이 편해요" for "다음 주
    화요일 오후 3시" beside "토요일 오전 10시 반", "출근 전이 좋겠어" for "월요일 아침 8시" beside "목요일 저녁
    7시"), read from the option's weekday and clock time; None unless exactly one does."""
    nouns = [t.form for t in before if t.pos in ("NNG", "NNP")]
    for word in nouns:
        if word in _DAY_CLASSES:
            days = [_weekday(o.entity.text) for o in options]
            if all(d is not None for d in days):
                inside = [o for o, d in zip(options, days, strict=True) if d in _DAY_CLASSES[word]]
                return inside[0] if len(inside) == 1 else None
        if word in _HOUR_CLASSES:
            low, high = _HOUR_CLASSES[word]
            hours = [_hour(o.entity.text) for o in options]
            if all(h is not None for h in hours):
                inside = [o for o, h in zip(options, hours, strict=True) if h is not None and low <= h < high]
                return inside[0] if len(inside) == 1 else None
    return None


def _weekday(text: str) -> str | None:
    """The weekday a time names ("화" of "다음 주 화요일 오후 3시"), or None."""
    found = re.search(r"([월화수목금토일])요일", text)
    return found.group(1) if found else None


def _hour(text: str) -> int | None:
    """The hour of the clock time a time names, on 24 hours ("저녁 7시" -> 19), or None."""
    clock = clock_value(text)
    return int(clock[:2]) if clock is not None else None


def _negated_one(before: list[Tok], options: list[_Option]) -> _Option | None:
    """The one of two options that the reply described by a predicate the clauses negate ("급하진 않아요" after
    "급하시면 추가 비용을 내고 내일 받으실 수도 있어요", "멀지 않은 데" after "A는 좀 멀고"): the user says they are
    not in that case. A predicate that judges ("무릎이 안 좋아서") says what the user needs, not which option; None
    unless one."""
    negated: set[str] = set()
    for k, t in enumerate(before):
        if t.pos not in ("VA", "VV") or t.form in JUDGING_STEMS or t.form + "다" in LIGHT_PREDICATE_LEMMAS:
            continue
        after = [a.form for a in before[k + 1:k + 4]]
        if (k > 0 and before[k - 1].form == "안" and before[k - 1].pos == "MAG") or (
                after[:1] == ["지"] and ("않" in after[1:3] or "못하" in after[1:3])):
            negated.add(t.form)
    described = [o for o in options if negated & o.words]
    return described[0] if len(described) == 1 else None


def _topic_lead(lead: list[Tok]) -> list[Tok]:
    """The nouns and topic particle right before the anaphor in its own clause ("점심은 그 시간 넘으면" after "점심은
    낮 12시에 시작하고, 저녁은 … 6시에"): what the anaphor is said of, which picks the option said of it too;
    [] when the anaphor follows no topic."""
    if len(lead) < 2 or lead[-1].pos != "JX" or lead[-1].form not in _CONTRAST or lead[-2].pos not in _NOUNS:
        return []
    k = len(lead) - 2
    while k > 0 and lead[k - 1].pos in _NOUNS:
        k -= 1
    return lead[k:]


def _bound_by_particle(ana: Anaphor, options: list[_Option]) -> Entity | None:
    """The one time the reply gave as a bound the anaphor repeats ("그때까지 못 오면" after "오전 10시부터 받으실 수
    있고, 보관은 금요일 오후 5시까지예요"): 까지 takes the time said with 까지, 부터 the one said with 부터."""
    bounds = {p.form for p in ana.particles} & _BOUNDS
    if not bounds:
        return None
    bound = [o for o in options if o.entity.particle in bounds]
    return bound[0].entity if len(bound) == 1 else None


def _described(analysis: Analysis, before: list[Tok], options: list[_Option]) -> _Option | None:
    """The one option whose own name the clauses say, or else whose words they share the most of; None unless one."""
    said = analysis.text[: before[-1].end]
    named = [o for o in options if any(len(w) >= 2 and w in said for w in _own_names(o, options))]
    if named:
        return named[0] if len(named) == 1 else None
    nouns = {t.form for t in before if t.pos in _NOUNS and t.form not in lx.UNAVAILABLE}  # "마감이라니 아쉽네요"
    nouns |= {t.form for t in before if t.pos == "MAG" and t.form in lx.TIME_WORDS}  # Kiwi's adverb "어제", "아까"
    nouns |= _nominalised(before)  # "짜맞춤 배우고 싶어" after "… 짜맞춤 찻상을 냈어요": 짜 + 어 + 맞추 + ㅁ
    glued = [(a, b) for a, b in pairwise(before) if a.pos in _NOUNS and b.pos in _NOUNS and a.end == b.start]
    nouns |= {a.form + b.form for a, b in glued}  # "단독" "홀" as "단독홀"
    # a one-syllable head glued to its modifier says nothing alone: "초급반이면" does not pick "중급반용" by 반
    nouns -= {b.form for _, b in glued if len(b.form) == 1}
    # a numeral glued to a bound noun: "19일로", and a name Kiwi read as one ("오석으로": 오 + 석, five stones)
    nouns |= {a.form + b.form for a, b in pairwise(before)
              if a.pos in _NUMERALS and b.pos == "NNB" and a.end == b.start}
    # an adjective that describes what is wanted ("조용한 게 낫겠다" after "'B'는 좌석이 적어 조용하고"), not one
    # that judges it ("좋은 데로", "단팥빵이 좋더라고요")
    nouns |= {a.form for a, b in pairwise(before) if adnominal_adjective(a, b) and a.form not in JUDGING_STEMS}
    lacking = [k for k, o in enumerate(options) if nouns & _lacked_nouns(o.entity.context)]
    wants_lack = any(t.form in ("없", "없이") for t in before)  # "예약 없이 가고 싶은데": what it wants lacking
    if len(options) == 2 and len(lacking) == 1 and not turns_down(before) and not wants_lack:
        # "설명 듣고 싶으니까" after "A는 견학 해설을 해 주고, B는 설명할 시간이 없어요": of two, the one not said to
        # lack what the clause wants
        return options[1 - lacking[0]]
    nouns = whole_written(analysis.text, before, nouns, [o.words for o in options])
    tied, _ = best_described(nouns, before, [o.words for o in options])
    if len(tied) > 1 and not turns_down(before):
        # "주말에도 와야 돼" after "A는 주말 방문이 안 되고, B는 주말에도 와요": of the options said with what the
        # clause wants, those said to lack it drop out
        tied = [k for k in tied if k not in lacking] or tied
    return options[tied[0]] if len(tied) == 1 else None


def whole_written(text: str, clause: Sequence[Tok], words: set[str], option_words: Sequence[set[str]]) -> set[str]:
    """`words`, where a written word of the clause that Kiwi cut ("잔짐까지" as 자 + ㄴ + 짐 + 까지) is, as written
    less its particles ("잔짐"), a word of an option: that word instead of its pieces ("짐" would match another)."""
    out = set(words)
    known = set().union(*option_words) if option_words else set()
    k = 0
    while k < len(clause):
        j = k + 1
        while j < len(clause) and clause[j].start == clause[j - 1].end:
            j += 1
        inside = list(clause[k:j])
        while inside and inside[-1].pos.startswith(("J", "E", "S")):
            inside.pop()
        if len(inside) >= 2 and inside[-1].pos in _NOUNS:
            written = text[inside[0].start:inside[-1].end]
            if written in known:
                out = (out - {t.form for t in inside}) | {written}
        k = j
    return out


def _wanted_lacking(clause: Sequence[Tok]) -> set[str]:
    """The nouns a clause wants the option to lack by a negated modifier of a word that means only the option ("자국
    안 남는 게", "소리 안 나는 걸로"): the nouns right before 안 / 못 (a particle between) when a verb or adjective,
    its adnominal ending and such a word follow."""
    out: set[str] = set()
    for k, t in enumerate(clause):
        if t.form not in ("안", "못") or t.pos != "MAG" or k + 3 >= len(clause):
            continue
        verb, ending, head = clause[k + 1:k + 4]
        if verb.pos not in ("VV", "VA") or ending.pos != "ETM" or head.form not in _OPTION_HEADS:
            continue
        j = k - 1
        if j >= 0 and clause[j].pos in ("JKS", "JX", "JKO"):
            j -= 1
        while j >= 0 and clause[j].pos in _NOUNS:
            out.add(clause[j].form)
            j -= 1
    return out


def _lacked_nouns(context: Sequence[str]) -> set[str]:
    """The words of a context (in sentence order) right before its 없, which is where the sentence said the option
    lacks them ("주말 방문이 안 되고": 주말 방문 없 되)."""
    return {w for k, w in enumerate(context) if "없" in context[k + 1:k + 3] and w != "없"}


def _nominalised(toks: Sequence[Tok]) -> set[str]:
    """The verb stems of the nouns made from verbs (an ETN ending: "짜맞춤", "달리기"), which Kiwi cuts into stems;
    an option's words keep the stems, so the noun matches them."""
    out: set[str] = set()
    for k, t in enumerate(toks):
        if t.pos != "ETN":
            continue
        j = k - 1
        while j >= 0 and toks[j].pos in ("VV", "VA", "EC") and toks[j].end >= toks[j + 1].start:
            if toks[j].pos != "EC":
                out.add(toks[j].form)
            j -= 1
    return out


def best_described(words: set[str], clause: Sequence[Tok], option_words: Sequence[set[str]]) -> tuple[list[int], int]:
    """Which options a clause describes: the indices of those whose words share the most of the clause's `words`
    (`same_word`: a compound cut differently counts), and that count; [] when none shares any. Of those tied, the
    clause's nouns that tell them apart decide (`_by_nouns`), then 있 / 없 of the clause ("파티룸 있는 데" after "A는
    파티룸이 있고, B는 파티룸은 없지만"). The relative-clause reading (`dst.antecedents`) and the chosen option here
    both decide by it."""
    lacked: set[str] = set()
    for k, t in enumerate(clause):
        if t.pos in _NOUNS and _lacked(clause[k + 1:k + 5]):
            j = k
            while j >= 0 and clause[j].pos in _NOUNS:  # "취소 걱정 없는": the compound's nouns, 취소 too
                lacked.add(clause[j].form)
                j -= 1
    if lacked and len(option_words) == 2:
        # "할증 없는 날로" after "토요일은 주말 할증이 붙어요": the clause wants what one of two options has not
        having = [k for k, ws in enumerate(option_words)
                  if "없" not in ws and any(same_word(w, c) for w in lacked for c in ws)]
        if len(having) == 1:
            return [1 - having[0]], 1
    shared = [sum(any(same_word(w, c) for c in ws) for w in words) for ws in option_words]
    top = max(shared, default=0)
    if not top:
        return [], 0
    tied = [k for k, n in enumerate(shared) if n == top]
    if len(tied) > 1:
        tied = _by_nouns(words, clause, option_words, tied)
    if len(tied) > 1:
        tied = _by_coverage(words, option_words, tied)
    polar = {t.form for t in clause if t.pos in ("VA", "VV") and t.form in POLAR} | (
        {"없"} if any(t.form == "없이" and t.pos == "MAG" for t in clause) else set())
    if len(tied) > 1 and polar:
        tied = [k for k in tied if polar & set(option_words[k])] or tied
    return tied, top


def _lacked(after: Sequence[Tok]) -> bool:
    """Whether the tokens after a noun say that what is wanted lacks it: 없는 (modifying what is chosen: "할증 없는
    날로") or 없이, right after it or after its particle; not a clause that says the user lacks it ("포트가
    없는데")."""
    if after and after[0].pos in ("JKS", "JX") and after[0].form not in ("만", "밖에"):
        after = after[1:]
    if after[2:3] and after[2].form == "데" and after[2].pos == "NNB" and (
            len(after) < 4 or after[3].pos in ("SP", "SF", "EC")):
        return False  # "없는데," is the connective ending, which Kiwi may cut as 는 + 데
    return bool(after) and ((after[0].form == "없" and after[0].pos == "VA" and len(after) > 1
                             and after[1].pos == "ETM") or (after[0].form == "없이" and after[0].pos == "MAG"))


def _by_nouns(words: set[str], clause: Sequence[Tok], option_words: Sequence[set[str]], tied: list[int]) -> list[int]:
    """Of options as near, those that share more of the clause's nouns that not all of them share: a noun says more
    than a verb ("불면증 보시는 원장님" after "A 원장님이 불면증 … 전문으로 하세요. 코골이 쪽은 B 원장님이 보시고요").
    A verbal noun ("진행" of "진행하는") is the clause's predicate, not a thing it names; an option said to lack
    something (없, when the clause says no 없) gets no credit, since which noun it lacks is not known ("색 들어간 건"
    after "A는 색이 거의 없고")."""
    nouns = {t.form for k, t in enumerate(clause) if t.pos in _NOUNS
             and not (k + 1 < len(clause) and clause[k + 1].pos in ("XSV", "XSA"))} & words
    shared = {w: [k for k in tied if any(same_word(w, c) for c in option_words[k])] for w in nouns}
    telling = {w for w, ks in shared.items() if 0 < len(ks) < len(tied)}
    lacks = any(t.form == "없" or (t.form == "없이" and t.pos == "MAG") for t in clause)
    by_noun = [0 if ("없" in option_words[k]) != lacks else sum(k in shared[w] for w in telling) for k in tied]
    return [k for k, n in zip(tied, by_noun, strict=True) if n == max(by_noun)]


def _by_coverage(words: set[str], option_words: Sequence[set[str]], tied: list[int]) -> list[int]:
    """Of options as near, those that hold more of the clause's words whole where every one of them has the word
    in some form: "손세차" of "손세차 받고 싶은데" lies whole inside "손세차장" of one option, while the other's
    "세차" is only a part of it."""
    shared = [w for w in words if all(any(same_word(w, c) for c in option_words[k]) for k in tied)]
    held = [sum(any(w in c for c in option_words[k]) for w in shared) for k in tied]
    return [k for k, n in zip(tied, held, strict=True) if n == max(held)]


def chosen_in_exchange(analysis: Analysis, ana: Anaphor, state: DialogueState,
                       frame: Analysis | None = None) -> Entity | None:
    """The option of the reply before the last that the last exchange describes, when the utterance has no clause
    before the anaphor and the last reply named no option of its kind."""
    if state.turn < 3 or _clause_before(analysis, ana):
        return None
    if ana.need == "time":
        return _time_in_exchange(state)
    # a name the reply says something happens at ("…은 가온극장에서 해요") is a place, whatever its type
    places = [e for e in state.entities if e.turn == state.turn and e.speaker == "assistant"
              and (e.type == "place" or e.particle == "에서") and (e.proper or e.role == "title") and not e.modifier]
    if ana.need == "place" and len(places) == 1:
        return places[0]  # "봉산탈춤은 얼쑤마을에서 …": the last reply names the one place the exchange is about
    picked = _picked_by_user(ana, state, frame) if frame is not None else None
    if picked is not None:
        return picked
    settled = settled_option(state, ana)
    if settled is not None:
        return settled
    # a kind noun chooses among the names that have it ("그 도시락" among "'병아리콩 커리 도시락'" and "'채소 비빔
    # 도시락'", not the caterer whose sentence names them), or among all when none has it ("그 제품")
    options = _options(ana, state, turn=state.turn - 2, literal=True)
    # the kind word all the options' names share ("세무사님"): a reply's mention may say it of the one it means
    kind_word = {w.removesuffix("님") for w in set.intersection(*(o.names for o in options))} if options else set()
    if any(not _describes(o.entity, kind_word, options) for o in _options(ana, state)) or len(options) < 2:
        return None
    said = [e.text for e in state.entities if e.turn == state.turn and len(e.text.split()) > 1]
    named = [o for o in options if any(t in o.entity.text for t in said)]
    if len(named) == 1:
        return named[0].entity  # "염소우유 베이스로 … 추천드려요": the reply names one by a part of its name
    # a bare "그거" / "거기" only after a reply that draws the conclusion ("그럼 스테인리스 제품이 맞겠네요"), not after
    # one that answers a remark ("골프를 안 치셔도 와인은 …")
    concluding = ana.category or ana.need == "person" or (state.last_reply or "").startswith(_CONCLUDING)
    described = _described_by_reply(options, state) if concluding else None
    if described is not None and (described.entity.proper or described.entity.role == "title"
                                  or titled_name(described.entity)):
        return described.entity  # (a bare role, "부녀회장", may stand beside the name it is said of)
    part = _named_by_part(options, state)
    if part is not None:
        return part.entity  # "그럼 재즈화 쪽이 편하실 거예요" for "'○○ 재즈화'", even for a bare "그거"
    # a bare "그거" / "거기" after small talk is left to the ranker; "그 원장님" asks for one of a kind, and "그분"
    # for one of the people the reply before named, whom the exchange since is about ("수리는 접수부터 하셔야 해요"
    # for the one said to do 수리 접수), unless the exchange named a person itself
    person = ana.need == "person" and not any(e.type == "person" and e.turn >= state.turn - 1 for e in state.entities)
    if not (ana.category or person):
        return None
    names = {w for o in options for w in o.names}
    words = {w for e in state.entities if e.turn in (state.turn - 1, state.turn)
             for w in (*e.text.split(), *e.context) if not names_other(w, names)}
    words = {w for w in words if w in POLAR or w + "다" not in LIGHT_PREDICATE_LEMMAS}
    tied, _ = best_described(words, [], [o.words for o in options])
    return options[tied[0]].entity if len(tied) == 1 else None


def _clause_before(analysis: Analysis, ana: Anaphor) -> bool:
    """Whether a clause of the utterance ends before the anaphor; an answer word or interjection set off by a comma
    ("네, 그때 …", "아, 그 사람은") is none."""
    before = [t for t in analysis.tokens if t.end <= ana.start]
    ends = [k for k, t in enumerate(before) if t.pos in _CLAUSE_END]
    return bool(ends) and not (len(ends) == 1 and before[ends[0]].pos == "SP"
                               and all(t.pos in ("IC", "MAJ") for t in before[:ends[0]]))


def _picked_by_user(ana: Anaphor, state: DialogueState, frame: Analysis) -> Entity | None:
    """The one option of the reply before that the user's last turn took ("처음이라 쉬운 거부터 보고 싶어" read as
    the introductory book), when the last reply, which answered that turn, named no thing of the anaphor's kind and
    the user's turn turned nothing down: the user chose, the reply agreed, and "그 책" is the one chosen."""
    category = ana.category
    if not category or state.turn < 3 or turns_down(frame.tokens) or any(
            t.form in _ALL_OF for t in frame.tokens):
        return None  # "둘 다 궁금한데요": the user took none of them over the other
    person = ana.need == "person"

    def fits(e: Entity) -> bool:
        return (e.type == "person") == person and (e.proper or e.role == "title") and not e.predicative and (
            category in e.text or e.role == category or instance_of(category, e, state))

    if any(fits(e) for e in state.entities if e.turn == state.turn):
        return None
    # a quoted name or a person's: a region the user goes to ("고창까지 얼마나 걸려?" after "고창의 'A'") is where
    # the option is, not the option
    mine = [e for e in state.entities if e.turn == state.turn - 1 and e.speaker == "user" and fits(e)
            and (e.role == "title" or person)]
    offered = [e for e in state.entities if e.turn < state.turn - 1 and e.speaker == "assistant" and fits(e)]
    return mine[0] if len(mine) == 1 and offered else None


def returned_to(analysis: Analysis, ana: Anaphor, state: DialogueState) -> Entity | None:
    """The one option of the last reply that the reply came back to in a later sentence ("'A'랑 'B'를 팔아요. 초보분들은
    주로 A를 사 가세요", "… 이준호 매니저님, 오후엔 강하늘 매니저님이 계세요. … 강하늘 매니저님이 안내해 드릴 거예요"):
    what the reply ends on is what a bare anaphor after it means. With no option said again, of two named options the
    one whose own words a later sentence names ("오전 팀은 A 기사님, 오후 팀은 B 기사님이 …. 고객님은 … 오후
    팀이에요"). None unless exactly one is found, and when a clause of the utterance comes before the anaphor ("나
    어프로치가 약한데, 그 프로님"): the user's own reason then says which, and what it says is left to the ranker.
    What the user said first and the reply repeats ("김포 쪽에 …" -> "김포라면 …") is where, not an option."""
    if ana.need not in ("object", "place", "person", "category") or ana.rule == BARE_TITLE or _clause_before(
            analysis, ana):
        return None  # (a bare title, "부장님", refers only to one the dialogue named with it)
    options = [o for o in _options(ana, state) if o.entity.text not in (state.last_query or "")]
    again = [o for o in options if o.entity.said_again]
    if len(options) >= 2 and len(again) == 1:
        return again[0].entity
    if len(options) != 2 or again or not all(o.entity.proper or o.entity.role == "title" or titled_name(o.entity)
                                             for o in options):
        return None
    # "오전 팀은 A 기사님, 오후 팀은 B 기사님이 방문하세요. 고객님은 오후 2시 예약이라 오후 팀이에요": a later sentence
    # that names what the reply said of one of two options alone comes back to that one
    last = max(o.entity.sentence for o in options)
    names = {w for o in options for w in o.names}
    later = {w for e in state.entities if e.speaker == "assistant" and e.turn == state.turn and e.sentence > last
             for w in e.text.split() if not names_other(w, names)}
    tied, _ = best_described(later, [], [o.words for o in options])
    return options[tied[0]].entity if len(tied) == 1 else None


_WHICH = frozenset({"누구", "누", "누가", "어디", "어느", "무슨", "어떤", "뭐", "무엇"})


def answered_option(analysis: Analysis, frame: Analysis | None, ana: Anaphor, state: DialogueState) -> Entity | None:
    """The option of the last reply that answers the user's which-question, by the words the question asked with
    ("… 사장님 중에 누가 가죽 가방 수선도 하세요?" -> "A 사장님은 구두만 하시고, B 사장님은 가방 수선도 같이
    하세요." -> "그 사장님" is B): the one option whose sentence shares the most of the question's nouns that name no
    option; None when the question asks no which or the nouns tell no one option, and when the utterance's own words
    point at another option ("택배 보내는 날짜는 그분한테": the ranker reads them)."""
    if frame is None or "?" not in frame.text or not (any(t.form in _WHICH for t in frame.tokens)
                                                      or _asks_for_one_who(frame.tokens)):
        return None
    # "그 코스": of the names of courses only; one the question named itself is what it asked about, no answer. A
    # person of the kind the question asked for may be named by another title ("가르치는 선생님이 누구예요?" -> "…
    # 김도은 명창이 가르치고"), unless the question asked for that title too ("기사님이랑 직원분")
    asked_kind = ana.need == "person" and ana.category is not None and ana.category in frame.text
    options = [o for o in _options(replace(ana, category=None) if asked_kind else ana, state) if (
                   not ana.category or ana.category in o.entity.text or o.entity.role == ana.category
                   or (asked_kind and titled_name(o.entity) and o.entity.text.split()[-1] not in frame.text))
               and not all(w in frame.text for w in o.entity.text.split())]
    if len(options) < 2:
        return None
    names = set().union(*(o.names for o in options))
    # what the last reply said of each: the words the question lent a name before are its own, not the answer's
    said_of = [set(o.entity.context) - names for o in options]
    words = {t.form for t in frame.tokens if t.pos in _NOUNS and t.form not in _WHICH and len(t.form) >= 2
             and not any(same_word(t.form, n) or t.form in n for n in names)}
    tied, _ = best_described(words, frame.tokens, said_of)
    if len(tied) > 1:
        # "족보 편찬 실무는 누가 맡아요?": the question's topic says what is asked of; the words before it qualify it
        topic = {a.form for a, b in pairwise(frame.tokens) if a.pos in _NOUNS and b.form in _CONTRAST and b.pos == "JX"}
        tied = [k for k in tied if any(same_word(w, c) for w in topic for c in said_of[k])] or tied
    if len(tied) != 1:
        return None
    own = {t.form for t in analysis.tokens if t.pos in _NOUNS and not ana.start <= t.start < ana.end}
    by_own, _ = best_described(own, analysis.tokens, [w | o.names for w, o in zip(said_of, options, strict=True)])
    return options[tied[0]].entity if by_own in ([], tied) else None


def _asks_for_one_who(toks: Sequence[Tok]) -> bool:
    """Whether a question asks for the one who or where does something ("도어락 설치해 주는 분 있어요?", "포장 되는 데
    있어?"): an adnominal ending before a head that means only the one, then 있다."""
    return any(a.pos == "ETM" and b.form in _ONE_WHO and c.form == "있" and c.pos in ("VA", "VV")
               for a, b, c in zip(toks, toks[1:], toks[2:], strict=False))


_ONE_WHO = frozenset({"분", "사람", "곳", "데", "집"})


def _describes(e: Entity, kind_word: set[str], options: list[_Option]) -> bool:
    """Whether a mention of the last reply only describes ("오후 담당 기사님", "30년 경력 대표님", "양평 쪽"), so that
    it stands for one of the options the reply before named, not for a new one: no quoted name, and each word common,
    the kind word all those options' names share ("상속세 담당 세무사님" after "정다해 세무사님", "오규민
    세무사님"), or a word said of one quoted option (`_said_of_quoted`: "양평에 있는 '강변 캠프샵'")."""
    words = [w.removesuffix("님") for w in e.text.split()]
    return e.role != "title" and all(
        w in kind_word or w in lx.ROLE_NOUNS or _said_of_quoted(w, options, person=e.type == "person") is not None
        or (noun_rarity(w) < NAME_RARITY and not name_shaped(w)) for w in words)


def _said_of_quoted(word: str, options: list[_Option], person: bool = False) -> _Option | None:
    """The one option that the reply named in quotes (or, for a person, by name) and said `word` of, where no option's
    name has it: a quoted name is what was offered, the other words of its sentence describe it ("상속세 담당
    세무사님" after "오규민 세무사님은 상속세를"); an unquoted word may itself be a name ("배틀하우스")."""
    owners = [o for o in options if word in o.words]
    if len(owners) != 1 or not (person or owners[0].entity.role == "title") or \
            any(word in o.entity.text for o in options):
        return None
    return owners[0]


def _described_by_reply(options: list[_Option], state: DialogueState) -> _Option | None:
    """The one option of the reply before that the last reply describes with words only that option's sentence said
    ("그럼 상속세 담당 세무사님께 …" for "오규민 세무사님은 상속세를"): the reply's own words, not the user's, which
    may name what the user turns down ("보상금은 이미 받고 있어서"). None when the reply's words describe none or
    tie."""
    said = [e for e in state.entities if e.turn == state.turn and e.speaker == "assistant"]
    reply = state.last_reply or ""
    # what the reply names first ("상속세 담당"), then also the words around it, where its predicate is ("예약해"):
    # first the reply's own ("광택이 강한 쪽" after "'A'는 광택이 강하게 나고, 'B'는 광택보다는 가죽 보습 위주예요":
    # 강하 tells, while 보습 is what B's sentence said with 광택), then also what a thing it names again was said
    # with before ("산양유 베이스 쪽" after "산양유 베이스인 'B'는 보습력이 좋아요")
    named = {w for e in said for w in e.text.split()}
    own = {w for e in said for w in e.context if _in_text(w, reply)}
    lacked = lacking(reply)
    lacked |= {w for e in said if e.text.split()[-1] in lacked for w in e.text.split()}  # "외부 업체 없이"
    for words in (named, named | own, named | {w for e in said for w in e.context}):
        words = {w for w in words if w + "다" not in LIGHT_PREDICATE_LEMMAS and w not in lx.ROLE_NOUNS}
        # a word that only one option's sentence said tells, and a rarer word tells more ("상속세" over "상담" in
        # "상속세 담당 세무사님께 상담받으시면")
        score = [0.0] * len(options)
        for w in words:
            hits = [k for k, o in enumerate(options) if any(same_word(w, c) for c in o.words)]
            if w in lacked:
                # "외주 없이 직접 정비하는 곳" after "'B'는 큰 정비는 외주로 보내요": what the reply says is lacking
                # tells the options that do not have it
                hits = [k for k, o in enumerate(options) if k not in hits or "없" in o.words]
            if len(hits) == 1:
                score[hits[0]] += noun_rarity(w)
        ranked = sorted(score, reverse=True)
        if ranked[0] > 0:
            return options[score.index(ranked[0])] if ranked[0] > ranked[1] else None
    return None


_LACKING = re.compile(r"([가-힣A-Za-z0-9]+?)(?:이|가|은|는|도)?\s+없(?:이|는|고|어|으|을|지)")


def lacking(text: str) -> set[str]:
    """The words `text` says are lacking ("외주 없이", "할증이 없는", "주차는 없고"), by their form."""
    return {m.group(1) for m in _LACKING.finditer(text) if len(m.group(1)) >= 2}


def titled_name(e: Entity) -> bool:
    """A person named by a name-shaped word and a word after it ("강우진 디자이너", "이정훈 기사님"), a name Kiwi may
    not know."""
    words = e.text.split()
    return e.type == "person" and len(words) > 1 and name_shaped(words[0])


def _in_text(word: str, text: str) -> bool:
    """Whether a content word is said in `text`: whole, or as a stem whose last syllable an ending fused with ("강하"
    in "강한"), starting a word."""
    return word in text or (len(word) >= 2 and re.search(r"(?:^|\s)" + re.escape(word[:-1]), text) is not None)


def _named_by_part(options: list[_Option], state: DialogueState) -> _Option | None:
    """The one option the last exchange names by a word of its name that no other option's name has, said whole or
    as the end of a name's word ("기초 코스부터" for "'○○ 기초 8주 코스'", "자문서로" for "'가격자문서'"); None when it
    names none or more than one. Not when the exchange named an option of that reply again, by its quoted name or by
    the kind word all the options' names share with a word none has ("두부 도시락은 …" after "'A 도시락', 'B 도시락'
    and '두부 도시락'"): that one then counts as said last and is no longer among the reply before's options, whose
    other names a word of the exchange may share ("구운 채소" for "'채소 비빔 도시락'")."""
    recent = [e for e in state.entities if e.turn >= state.turn - 1]
    shared = set.intersection(*(o.names for o in options))
    mine = {w for o in options for w in o.names}
    if any(e.role == "title" or (set(e.text.split()) & shared and any(len(w) >= 2 and w not in mine
                                                                      for w in e.text.split())) for e in recent):
        return None
    picked: set[int] = set()
    for e in recent:
        for w in e.text.split():
            hits = [k for k, o in enumerate(options) if len(w) >= 2 and any(n.endswith(w) for n in o.names)]
            if len(hits) == 1:
                picked.add(hits[0])
    return options[picked.pop()] if len(picked) == 1 else None


def settled_option(state: DialogueState, ana: Anaphor | None = None) -> Entity | None:
    """The option the last reply settles on after the user said what they want, not by name ("주말에 맡겨야 돼." /
    "그럼 바로탁송 인천 2호점이 맞아요." after "'바로탁송 인천 2호점'은 주말에도 …, '한결카캐리어'는 평일만 …";
    "난 오후에 탔어." / "그럼 김다은 기사님이셨을 거예요."): the last reply names exactly one thing of the anaphor's
    kind (a person or not), the reply before offered another of that kind, and nothing says the one named is taken.
    The fuller name the reply before gave it, when the last reply said part of it."""
    if state.turn < 3:
        return None
    offered = [x.text for x in state.entities if x.speaker == "assistant" and x.turn in (state.turn - 2, state.turn)
               and len(x.text) >= 2]
    if any(e.turn == state.turn - 1 and e.speaker == "user" and (e.role == "title" or (
            e.proper and any(e.text in x or x in e.text for x in offered))) for e in state.entities):
        # the user named one of the options (a quoted title is one): the rules and the ranker read that; a rare word
        # of their own ("에어캡이 필요해") names none
        return None
    person = ana is not None and ana.need == "person"
    asked = ana if ana is not None else Anaphor(0, 0, "object", "pronoun.object")  # an elided question asks of things
    kinds = ("person",) if person else ("item", "org") if ana is not None and ana.need == "object" else (
        "item", "org", "place")
    # a name (a quoted one whatever its type), not where it is ("망원동에 있는 …") nor an amount ("24GB 이상")
    said = {e.text: e for e in state.entities if e.speaker == "assistant" and e.turn == state.turn
            and (((e.type in kinds or (e.role == "title" and not person and e.type != "person"))
                  and (e.proper or e.role == "title")) or _offered_again(e, state, kinds))
            and (not e.setting or e.role == "title")
            and (e.particle not in lx.SETTING_PARTICLES or e.role == "title")  # "그럼 '꽃잎 밴드'에 연락해 보세요"
            and not e.text[:1].isdigit()}
    if not said:
        # "그럼 청소년센터 연습실로 와." after "'푸른솔 공원' …, '한빛 청소년센터' 연습실로": described, not named,
        # in a reply that draws the conclusion
        if not (state.last_reply or "").startswith(_CONCLUDING):
            return None
        before = _options(asked, state, turn=state.turn - 2, literal=True)
        found = _described_by_reply(before, state) if len(before) >= 2 else None
        return found.entity if found is not None and found.entity.role == "title" else None
    if len(said) > 1:
        # "'달숲 요가' 원데이 클래스는 일요일 오전 10시예요": the one quoted name, bare before the kind it is said with
        quoted = [e for e in said.values() if e.role == "title" and e.particle is None]
        if len(quoted) == 1 and all(e.sentence == quoted[0].sentence and e.order == quoted[0].order + 1
                                    for e in said.values() if e is not quoted[0]):
            said = {quoted[0].text: quoted[0]}
    if len(said) > 1:
        # "핀플레이 2호점은 … 레인과 볼 리턴기를 전부 교체했어요": of the names, the one option of the reply before is
        # what it settles on; the others are what it says of that one
        offered_before = [x.text for x in state.entities if x.speaker == "assistant" and x.turn == state.turn - 2
                          and (x.proper or x.role == "title") and len(x.text) >= 2]
        again = {t: e for t, e in said.items() if any(t in b or b in t for b in offered_before)}
        if len(again) == 1:
            said = again
    if len(said) == 2:
        # "그럼 A는 피하시는 게 좋아요. B는 …": of two names, the one the reply tells the user to avoid is not the pick
        kept = [e for e in said.values() if not set(e.context) & _AVOIDING]
        if len(kept) == 1:
            said = {kept[0].text: kept[0]}
    side = side_named(state)
    if side is not None:
        said = {side.text: side}
    if len(said) != 1:
        return None
    (one,) = said.values()
    category = ana.category if ana is not None else None
    if set(one.context) & lx.UNAVAILABLE or (category and category not in one.text and one.role != category
                                              and not _asked_for_in(category, one, state)
                                              and not (ana is not None and ana.need == "place"
                                                       and category in lx.PLACE_CATEGORIES)):
        return None  # "그 대표님" is no landlord the last reply named; "그 매장" may be any shop it named
    if one is side:
        return one
    listed = [lst.items for lst in state.lists if lst.turn == state.turn - 2 and len(lst.items) >= 2]
    if any(sum(item in one.text for item in items) == 1 for items in listed):
        # "'A' 수업은 …, 'B'는 …" then "그럼 A 수업으로 …": the last reply named one entry of the list before in full,
        # so the tracker holds that name at the last turn only, and the options before no longer show it
        return one
    before = _options(asked, state, turn=state.turn - 2)
    owner = _said_of_quoted(one.text, before)
    if owner is not None:
        return owner.entity  # "그럼 양평 쪽이 낫겠다" after "양평에 있는 '강변 캠프샵'은 …": where it is
    # a title both bear ("기사님") tells nothing; a word of another option's own name does
    words = {w for w in one.text.split() if not w.endswith("님") and w not in lx.ROLE_NOUNS}
    if not before or any(words & _own_names(o, before) and one.text not in o.entity.text for o in before):
        return None
    return next((o.entity for o in before if one.text in o.entity.text), one)


def _offered_again(e: Entity, state: DialogueState, kinds: tuple[str, ...]) -> bool:
    """A name Kiwi reads as common nouns that the reply before offered beside another option, and that the last reply
    names again ("한결유도관은 …, 청도 유도장은 …" / "그럼 한결유도관이 맞겠네요"): an option, however it is typed.
    The other option must still stand at the reply before, so the last reply did not name both. Where that reply
    quoted its options, an unquoted word is what it says of one ("'전각 입문 세트'는 … 조각칼이 들어 있어요")."""
    before = state.turn - 2
    if e.proper or e.role == "title" or e.rarity < NAME_RARITY or before not in e.replied:
        return False
    if e.type not in (*kinds, "thing") or any(x.role == "title" and (x.turn == before or before in x.replied)
                                              for x in state.entities):
        return False
    if any(x is not e and x.turn == e.turn and e.text in x.text for x in state.entities):
        return False  # "에어플" of "에어플로 S로": a piece Kiwi cut off a longer name of the same reply
    return any(x is not e and x.speaker == "assistant" and x.turn == before and x.type in (*kinds, "thing")
               and (x.proper or x.role == "title" or x.rarity >= NAME_RARITY)
               and x.text not in e.text and e.text not in x.text for x in state.entities)


def side_named(state: DialogueState) -> Entity | None:
    """The option the last reply calls the side to take by a word of its name ("A는 65세 이상 대상이라 라인댄스 쪽이
    맞으실 거예요" after "'주말 라인댄스 입문'과 'A' …"): the one quoted name of an earlier reply that has the word
    said before 쪽, whatever else the reply names, or the one quoted option the side is where ("신촌 쪽을 추천드려요"
    after "신촌 '하모니룸'은 …, 홍대 '소리가'는 …"); also read for a bare "그쪽은" (`dst.antecedents`)."""
    reply = state.last_reply or ""
    sides = {e.text for e in state.entities if e.speaker == "assistant" and e.turn == state.turn
             and e.type not in ("time", "quantity") and " " not in e.text
             and re.search(re.escape(e.text) + r"\s*쪽", reply)}
    owners = {e.text: e for e in state.entities if e.speaker == "assistant" and e.role == "title"
              and any(side in e.text.split() and side != e.text for side in sides)}
    if not owners and len(sides) == 1:
        # "신촌 쪽을 추천드려요" after "신촌 '하모니룸'은 …, 홍대 '소리가'는 …": where one quoted option is
        (side,) = sides
        titles = [e for e in state.entities if e.speaker == "assistant" and e.role == "title" and e.turn < state.turn
                  and e.type != "person"]
        owners = {e.text: e for e in titles if side in e.context}
        if len(owners) != 1 or not any(e.turn == next(iter(owners.values())).turn and e.text not in owners
                                       for e in titles):
            return None  # the side tells one option from another of the same reply
    return next(iter(owners.values())) if len(sides) == 1 and len(owners) == 1 else None


def _asked_for_in(category: str, one: Entity, state: DialogueState) -> bool:
    """Whether the name, or the name of the reply before that holds it, was given for a request for the category
    ("댄스 강좌 뭐 있어요?" -> "'주말 라인댄스 입문' …": a 강좌)."""
    return any(category in e.asked_for for e in state.entities if one.text in e.text)


def _time_in_exchange(state: DialogueState) -> Entity | None:
    """The time of the reply before the last that the last exchange is about, when the last reply offered no times of
    its own: the one a time of the last reply names a part of ("그러시면 일요일 반이 나으시겠네요" for "일요일 오전
    10시"), else the one whose clause shares the most words with the exchange ("실습 날 준비물이 뭐예요?" for "수영장
    실습은 다음 주 수요일 저녁 7시예요"; "허브 화분으로 할게" for "허브 화분 수업은 5월 17일 토요일에")."""
    # a time the reply said was taken ("일요일 오후 2시 회차는 마감됐어요") is no option: the ranker weighs what is left
    options = [o for o in _time_options(state, turn=state.turn - 2) if not o.words & lx.UNAVAILABLE]
    if len(options) < 2:
        return None
    said = [e.text for e in state.entities if e.turn == state.turn and e.speaker == "assistant" and e.type == "time"]
    if any(not any(_words_inside(t, o.entity.text) for o in options) for t in said):
        return None  # "그럼 금요일 오전 9시 40분이 …": the last reply says a time of its own, which the ranker weighs
    named = {id(o): o for t in said for o in options if _words_inside(t, o.entity.text)}
    if len(named) == 1:
        return next(iter(named.values())).entity
    words = {w for e in state.entities if e.turn in (state.turn - 1, state.turn) and e.type != "time"
             for w in (*e.text.split(), *e.context)}
    words = {w for w in words if w + "다" not in LIGHT_PREDICATE_LEMMAS and w not in lx.TIME_CATEGORIES}
    tied, _ = best_described(words, [], [o.words for o in options])
    if len(tied) != 1:
        return None
    picked = options[tied[0]]
    exchange = f"{state.last_query or ''} {state.last_reply or ''}"
    other = {w for o in options if o is not picked for w in o.words}
    shared = {w for w in words & picked.words - other if len(w) >= 2}
    if len(options) == 2 and shared and all(re.search(re.escape(w) + _LEFT_OUT, exchange) for w in shared):
        # "각인은 빼고 할게." / "각인 없이 진행할게요." after "…면 3월 14일, 각인까지 넣으면 3월 21일": the words the
        # exchange shares with one time are what it leaves out, so it is about the other
        return next(o for o in options if o is not picked).entity
    return picked.entity


# a word then what leaves it out: "각인은 빼고", "각인 없이", "포장 말고", "설치는 제외하고"
_LEFT_OUT = r"\S{0,2}\s*(빼|말고|없이|제외)"


def turns_down(clauses: Sequence[Tok]) -> bool:
    """Whether a clause turns something down; not one whose negation goes with "밖에" ("주말밖에 안 돼": only)."""
    start = 0
    for k, t in enumerate(clauses):
        if t.pos in _CLAUSE_END or k == len(clauses) - 1:
            clause = clauses[start:k + 1]
            if any(_rejects(c) for c in clause) and not any(c.form == "밖에" and c.pos == "JX" for c in clause):
                return True
            start = k + 1
    return False


def _rejects(t: Tok) -> bool:
    """A word that turns down what the clause names: 말고 / 빼고, 별로, 싫다, 안 / 않다 / 못, 아니다, 패스 / 제외."""
    return (t.form in ("말", "빼") and t.pos == "VV") or (t.form in ("별로", "안", "못") and t.pos == "MAG") or (
        t.form in ("패스", "제외") and t.pos == "NNG") or (
        t.form == "싫" and t.pos == "VA") or (t.form == "않" and t.pos == "VX") or (t.form == "아니" and t.pos == "VCN")


def _own_names(option: _Option, options: list[_Option]) -> set[str]:
    """The words of an option's name that no other option's name has ("솔밭" of "'솔밭 카페'" beside "'파도 카페'")."""
    return option.names - {w for o in options if o is not option for w in o.names}


def _options(ana: Anaphor, state: DialogueState, turn: int | None = None, literal: bool = False) -> list[_Option]:
    """The named things of the last reply (or of reply `turn`) of the anaphor's kind, one per thing: a shorter name of
    one said again ("라벨르" after "'라벨르 웨딩홀'") joins it, with what its sentence says. A kind noun that none of
    them has in its name ("그 제품" after "'캐리온 밴'과 '노바 7'") chooses among them all; `literal`: only a kind
    noun in the name counts, not one said of it."""
    turn = state.turn if turn is None else turn
    said = [e for e in sorted(state.entities, key=lambda e: e.order)
            if e.speaker == "assistant" and e.turn == turn and not e.predicative and not e.modifier
            and not e.setting and (e.proper or e.salience > 0)  # "성수동에서는 'A'가 …": where, not which
            # "임실의 '소풍가 목장'": where it is, not which (a person's, "류현우 작가의 〈…〉", is a person option)
            and not (e.salience < 0 and e.role != "title" and e.type != "person")]
    # "그 강사" after "유재원 강사", "신보람 강사": a kind noun that the reply's people bear chooses among them
    person = ana.need == "person" or any(ana.category and ana.category in e.text for e in said if e.type == "person")
    named_only = False
    if ana.category and not any(ana.category in e.text or (not literal and instance_of(ana.category, e, state))
                                for e in said if (e.type == "person") == person):
        ana = replace(ana, category=None)
        named_only = True  # without the kind, a described thing ("여드름 치료") is no option
    options: list[_Option] = []
    last: Entity | None = None
    for e in said:
        if (e.type == "person") != person or e.type not in ("item", "org", "place", "person", "thing") or (
                ana.need == "place" and e.type == "thing"):
            continue  # "감나무 사려는데 거기 …": a place is chosen among places and named things, not goods
        if ana.category and not (ana.category in e.text or (not literal and instance_of(ana.category, e, state))):
            continue  # "그 마술사" chooses among magicians, "그 구두" among the shoes the reply named
        rare = e.rarity >= NAME_RARITY and not named_only
        titled = e.type == "person" and e.role not in (None, "title")  # "도연 스님": a name Kiwi did not know
        if not (e.proper or e.role == "title" or rare or titled) or (e.type == "thing" and not rare) \
                or _MEASURE.match(e.text):
            # a name said again shortened ("혼합 세트를 많이 하세요" after "'깨가득 혼합 세트'"): what its sentence
            # says is said of that option
            again = next((o for o in options if shortened(e.text, o.entity.text)), None)
            if again is not None:
                again.words |= set(e.context)
            continue
        same = next((o for o in options if e.text in o.entity.text or o.entity.text in e.text
                     or shortened(e.text, o.entity.text)), None)
        if same is None and last is not None and last.particle is None and last.order + 1 == e.order \
                and options and options[-1].entity is last:
            # "플레인 토 '런던 옥스퍼드'가": a name right after another with no particle between is the same thing
            # named twice; the later, the head of the phrase, stands for it
            same = options[-1]
            same.entity = e
        if same is None and options and _said_of(options[-1].entity, e):
            same = options[-1]  # "'A'는 루프탑 테라스가 있고": what the sentence says A has is no option of its own
            same.words |= set(e.text.split())
            last = e
            continue
        if same is None:
            same = _Option(e)
            options.append(same)
        last = e
        same.names |= set(e.text.split())
        same.words |= set(e.context)
    options = _contrasted(options, said)
    for o in options:
        others = {w for p in options if p is not o for w in p.names}
        o.words = {w for w in o.words if (w in POLAR or w + "다" not in LIGHT_PREDICATE_LEMMAS)
                   and not names_other(w, others)}
    return options


def _contrasted(options: list[_Option], said: list[Entity]) -> list[_Option]:
    """Options set against each other as topics ("'A'는 …. 'B'는 골목 안에 있는데 단팥빵이 유명해요"): what a sentence
    names after one of them, before the next, is said of it, so it is part of that option's description and no option
    of its own ("'별빛' 세트는 낱개 포장된 약과 12개에 …": 약과 is what the set holds). A name joined to the next
    one ("'B'와 'C'는 …"), a topic itself or a quoted name starts an option of its own. Unchanged unless two options
    are topics."""
    topics = [o for o in options if o.entity.particle in _CONTRAST]
    if len(topics) < 2:
        return options

    def host(e: Entity) -> _Option | None:
        if e.particle in _CONTRAST or e.role == "title" or (e.particle in _JOINED and _joined_to_topic(e, said)):
            return None  # a quoted name is an option of its own: "'A'는 3만 원, 'B'는 4만 원인데 'C'가 제일 싸요"
        before = [t for t in topics if t.entity.sentence == e.sentence and t.entity.order < e.order]
        return max(before, key=lambda t: t.entity.order) if before else None

    kept: list[_Option] = []
    for o in options:
        owner = host(o.entity)
        if owner is None:
            kept.append(o)
        else:
            owner.words |= set(o.entity.text.split()) | set(o.entity.context)
    named = {o.entity.text for o in kept}
    for e in said:
        owner = host(e) if e.text not in named else None
        if owner is not None:
            owner.words |= set(e.text.split())
    return kept


def shortened(short: str, full: str) -> bool:
    """Whether `short` is `full` said again with words left out ("작품 코스" after "'한지 작품 완성 코스'"): two or
    more words, every one a word of the full name, the last its last."""
    words, full_words = short.split(), full.split()
    return 2 <= len(words) < len(full_words) and words[-1] == full_words[-1] and set(words) <= set(full_words)


def _joined_to_topic(e: Entity, said: list[Entity]) -> bool:
    """Whether the name `e` is joined to ("'B'와 'C'는 …") is a topic, or a quoted name, as `e` is then too; one
    joined to an object ("'A'는 조선 반닫이랑 머릿장을 다뤄요") is what its topic's sentence says of the topic."""
    after = next((x for x in said if x.order > e.order and x.sentence == e.sentence), None)
    return after is None or after.particle in _CONTRAST or after.particle in _JOINED or after.proper


def _time_options(state: DialogueState, turn: int | None = None) -> list[_Option]:
    """The times of the last reply (or of reply `turn`), one per time: a shorter one inside exactly one fuller one
    ("토요일" said again in "토요일에는 갈비찜을" after "토요일 오전 10시") joins it with what its clause says, and the
    fuller stands for both."""
    times = [e for e in sorted(state.entities, key=lambda e: e.order)
             if e.speaker == "assistant" and e.turn == (state.turn if turn is None else turn) and e.type == "time"]
    # "12일은 금요일이라 한산하고": a time said to be another time of the sentence names the same one
    # "이번 주는 토요일 오후 2시 반, 다음 주는 수요일 저녁 7시에 있어요": a finer time right after a topic time says
    # when in it; joined by a conjunction ("토요일은 오전 10시와 오후 2시") it is one option of several
    said_of = {id(b): a for a, b in pairwise(times)
               if (b.predicative or (b.order == a.order + 1 and b.particle not in _JOINED))
               and a.particle in lx.TOPIC_OR_SUBJECT_PARTICLES and a.sentence == b.sentence}
    # "이번 주는 금요일 오후 4시와 토요일 오후 2시에": a topic time that finer times of its sentence fall in sets them,
    # and is no option of its own
    settings = {id(a) for a in times if a.particle in lx.TOPIC_OR_SUBJECT_PARTICLES
                and a not in [said_of.get(id(b)) for b in times]
                and any(b.sentence == a.sentence and b.order > a.order and time_grain(b.text) < time_grain(a.text)
                        for b in times)}
    options: list[_Option] = []
    for e in sorted(times, key=lambda e: -len(e.text)):
        if id(e) in said_of or id(e) in settings:
            continue
        holders = [o for o in options if _words_inside(e.text, o.entity.text)]
        if len(holders) > 1:
            continue  # "오후 2시" inside two fuller times tells neither apart
        option = holders[0] if holders else _Option(e)
        if not holders:
            options.append(option)
        option.names |= set(e.text.split())
        option.words |= set(e.context)
    options.sort(key=lambda o: o.entity.order)
    for e in times:
        if id(e) in said_of:
            holder = next((o for o in options if o.entity is said_of[id(e)]), None)
            if holder is not None:
                holder.names |= set(e.text.split())
                holder.words |= set(e.context)
                if time_grain(e.text) < time_grain(holder.entity.text):
                    holder.entity = e  # "이번 주는 토요일 오후 2시 반": the finer time stands for the option
    for o in options:
        others = {w for p in options if p is not o for w in p.names}
        o.words = {w for w in o.words if w + "다" not in LIGHT_PREDICATE_LEMMAS and not names_other(w, others)
                   and w not in lx.TIME_CATEGORIES}  # "한산한 날로": the kind of time says nothing of which
    return options


def fuller_time(e: Entity, state: DialogueState) -> Entity:
    """A time the reply said again in part ("3일은 자리가 두 개 남았고" after "다음 달 3일 일요일과 …") stands for
    the one fuller time of that reply whose words hold it, as in `_time_options`."""
    if e.type != "time":
        return e
    fuller = [o for o in state.entities if o.type == "time" and o.speaker == "assistant" and o.turn == e.turn
              and o.text != e.text and _words_inside(e.text, o.text)]
    return fuller[0] if len(fuller) == 1 else e


def _words_inside(short: str, long: str) -> bool:
    """Whether the words of `short` run in order inside `long` ("토요일" in "토요일 오전 10시"; "1일" is not in
    "11일")."""
    part, whole = short.split(), long.split()
    return any(whole[k:k + len(part)] == part for k in range(len(whole) - len(part) + 1))


def names_other(word: str, other: set[str]) -> bool:
    """Whether a context word is part of another option's name: a piece of its word ("블루" of "블루홀"), or the whole
    word for one syllable ("방" is no part of "코인노래방")."""
    return word in other if len(word) < 2 else any(word in o for o in other)


def _said_of(topic: Entity, e: Entity) -> bool:
    """Whether `e` is a subject or object in the sentence whose topic or subject is the option before it ("'A'는
    루프탑 테라스가 있고", "'A'가 물레 원데이 클래스를 하고"), rather than a second option ("A와 B", "A는 …, B는 …")."""
    return (topic.particle in lx.TOPIC_OR_SUBJECT_PARTICLES and e.particle in _ARGUMENT
            and e.order > topic.order
            and any(same_word(w, c) for w in e.text.split() for c in topic.context))
