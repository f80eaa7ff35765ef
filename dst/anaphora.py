"""Finding anaphors in an utterance and choosing their antecedents in the dialogue state.

Contract: `find_anaphors(analysis)` returns the spans that refer back (pronouns 그거/거기/걔/그때, demonstrative
+ noun 그 사람/그 감독(님)/그 영화/그 섬/그 시간, also with a clause inside (그 얇은 거, `Anaphor.inner`), ordinals 두
번째 거/첫 번째 코스/마지막 거, a bare entry number "2번은 …" that only a reply which numbered its entries resolves,
`NUMBERED_ENTRY`, and a clause + 거 that may name one of the options offered, `RELATIVE_ONE`), each with the type of
antecedent it needs ("아까 말한 데" also marked `earlier`: one said before the last reply); discourse markers ("그거
알아?", "그건 그렇고") are not anaphors, nor is a clause + 거 that holds a question word ("어떻게 잡는 게 좋아?": the
way asked for). "A 말고 그거" keeps its pronoun: 말고 / 빼고 set things against each other and join no clause.
`choose(anaphor, state)` picks the antecedent: the most recent compatible entity, where within one turn a
title beats a plain name, a name beats a genitive modifier, and a predicative description ("… 이브네요")
is used only when nothing else fits.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

from dst import lexicon as lx
from dst.analysis import Analysis, Tok
from dst.phrases import ADJUNCT_PARTICLES
from dst.types import DialogueState, Entity
from korean.frequency import NAME_RARITY
from korean.lexicon import INTERROGATIVE_FORMS, INTERROGATIVE_STEMS, name_shaped


@dataclass(frozen=True)
class Anaphor:
    start: int
    end: int  # end of the anaphor proper; a following particle is re-attached to the antecedent
    need: str  # object | place | person | time | ordinal | category
    rule: str
    particles: tuple[Tok, ...] = ()
    category: str | None = None  # the noun of "그 감독" / "그 영화" / "그 주차장"
    index: int = 0  # ordinal position, 1-based; -1 is the last
    deictic: bool = False
    grain: int | None = None  # the unit a time anaphor names (`_GRAINS`): a day for "그날", a week for "그 주"
    familiar: bool = False  # "걔", "얘", "쟤": a peer or a junior, never someone the text honours with 님
    honoured: bool = False  # "그 사장님": the title takes 님, so a person is meant, never a thing
    inner: tuple[int, int] | None = None  # "그 얇은 거": the adnominal clause between the demonstrative and its noun
    earlier: bool = False  # "아까 말한 데", "저번에 추천한 곳": one said before the last reply, when there is one

    @property
    def span_end(self) -> int:
        return max([self.end, *(p.end for p in self.particles)])


def find_anaphors(analysis: Analysis) -> list[Anaphor]:
    toks = list(analysis.tokens)
    found: list[Anaphor] = []
    i = 0
    text = analysis.text
    while i < len(toks):
        if not _word_start(text, toks[i].start):
            i += 1  # a pronoun starts a word: "뿐이건가" holds no 이거, "사람이 셀카" no 이 셀카
            continue
        hit, used = _match(text, toks, i)
        if hit is not None and not (hit.need == "object" and _after_clause(toks, i)) and not (
                hit.need == "ordinal" and any(m.kind == "time" and m.start <= hit.start < m.end
                                              for m in analysis.mentions)):
            found.append(hit)  # an ordinal inside a time names a date: "다음 달 첫째 주"
        i += used if hit is not None else max(used, 1)  # an idiom ("거기서 거기") is passed over whole
    return found


def _word_start(text: str, start: int) -> bool:
    return start == 0 or not text[start - 1].isalnum()


def _after_clause(toks: list[Tok], i: int) -> bool:
    """After a connective ending ("…끊어지지 않는데 이거 …") 이거 points at that situation, not at a thing. The ending
    that joins a verb to its auxiliary ("추천해 준 그거": 추천하 + 어 + 주; "갈아야 하는 그 거") connects no clause
    before a pronoun or a demonstrative; before a bare "…는 게" it does ("받아 보는 게 좋아요": a nominalised
    clause, no reference)."""
    pointing = toks[i].pos == "NP" or toks[i].pos == "MM"
    # only the pronoun's own sentence: "손님들 줄 거라 상자가 필요해요. 그거 30개 …" points at a thing
    first = next((k + 1 for k in range(i - 1, -1, -1) if toks[k].pos == "SF"), 0)
    if any(toks[k - 1].pos == "ETM" and toks[k].form in THING_HEADS and toks[k].pos in ("NNB", "NNG")
           and toks[k + 1].pos != "VCP" for k in range(max(first, 1), i)):
        # "무료인 걸로도 충분한데, 그건 …": the clause describes a thing, which the pronoun takes up; "갈 거라서",
        # "물어보는 건데" (거 + 이다) are modal endings that describe nothing
        return False
    # "A 말고 그거", "A 빼고 그거": 말고 / 빼고 set one thing against another, they join no clause
    return any(t.pos == "EC" and not (pointing and k + 1 < i and toks[k + 1].pos == "VX")
               and not (k > 0 and t.form == "고" and toks[k - 1].form in ("말", "빼") and toks[k - 1].pos == "VV")
               for k, t in enumerate(toks[:i]) if k >= first)


THING_HEADS = frozenset({"거", "것", "걸", "건", "게"})  # the bound nouns of "…ㄴ 거": a thing described


def _particle(toks: list[Tok], j: int) -> tuple[Tok, ...]:
    """The particles attached to the anaphor, contracted ones included: 그건 = 그거 + ᆫ, 거기엔 = 거기 + 에 + ᆫ."""
    out: list[Tok] = []
    while j < len(toks) and toks[j].pos.startswith("J") and toks[j].start <= toks[j - 1].end:
        out.append(toks[j])
        j += 1
    return tuple(out)


def _discourse(toks: list[Tok], j: int) -> bool:
    """Whether the words after position j make the pronoun a discourse marker ("그거 알아?", "그건 그렇고"), or set
    what it stands for aside before a new request ("그건 됐고, …": never mind it)."""
    k = j
    while k < len(toks) and toks[k].pos.startswith("J"):
        k += 1
    if [(t.form, t.pos) for t in toks[k : k + 3]] == [("되", "VV"), ("었", "EP"), ("고", "EC")]:
        return True
    return k < len(toks) and toks[k].form in lx.DISCOURSE_LEMMAS and toks[k].pos in ("VV", "VA", "NNG")


# verbs that end what is being done: "여기까지 할게" stops the conversation at this point; it names no place
_STOPPING = frozenset({"하", "마치", "끝내", "끝나", "그만하", "그만두", "멈추"})


def _stops_here(toks: Sequence[Tok], i: int) -> bool:
    """"오늘은 여기까지 할게", "여기까지만 하자", "오늘은 여기까지!": 여기 with 까지 as the point where something stops,
    followed by a stopping verb or by nothing but the sentence end."""
    if toks[i].form != "여기" or i + 1 >= len(toks) or toks[i + 1].form != "까지":
        return False
    rest = [t for t in toks[i + 2:] if not (t.pos == "JX" and t.form == "만")]
    return not rest or rest[0].pos in ("SF", "SP", "SE") or (
        rest[0].pos in ("VV", "VX") and rest[0].form in _STOPPING) or (rest[0].form == "이" and rest[0].pos == "VCP")


def _same_again(toks: list[Tok], i: int) -> int:
    """How many tokens a pronoun said again of its own kind after its particles spans ("거기서 거기", "그게 그거": the
    idiom of no difference), or 0."""
    k = i + 1
    while k < len(toks) and toks[k].pos.startswith("J"):
        k += 1
    if k == i + 1 or k >= len(toks) or toks[k].pos != "NP":
        return 0
    kinds = (lx.OBJECT_PRONOUNS, lx.PLACE_PRONOUNS)
    return k - i + 1 if any(toks[i].form in kind and toks[k].form in kind for kind in kinds) else 0


def _match(text: str, toks: list[Tok], i: int) -> tuple[Anaphor | None, int]:
    tok = toks[i]
    nxt = toks[i + 1] if i + 1 < len(toks) else None
    form = tok.form
    again = _same_again(toks, i) if tok.pos == "NP" else 0
    if again:
        return None, again  # "거기서 거기", "그게 그거": alike, no reference
    if tok.pos == "NP" and form in lx.OBJECT_PRONOUNS:
        if _discourse(toks, i + 1):
            return None, 1
        kind = toks[i - 1] if i > 0 else None
        if (kind is not None and kind.pos == "NNG" and len(kind.form) >= 2 and text[kind.end:tok.start] == " "
                and (i < 2 or not toks[i - 2].pos.startswith(("NN", "MM", "ETM", "XSN"))) and kind.form not in
                lx.TIME_WORDS and not _after_clause(toks, i)):
            # "케이크 그거": a kind noun set before the pronoun says which of the things it is
            return Anaphor(kind.start, tok.end, "category", "demonstrative.noun", _particle(toks, i + 1),
                           category=kind.form), 1
        return Anaphor(tok.start, tok.end, "object", "pronoun.object", _particle(toks, i + 1)), 1
    if tok.pos == "NP" and form in lx.SIDE_PRONOUNS:
        return _side(toks, i, i + 1), 1
    if tok.pos == "NP" and form in lx.PLACE_PRONOUNS:
        if _stops_here(toks, i):
            return None, 2
        deictic = form in lx.DEICTIC_PLACE_PRONOUNS
        return Anaphor(tok.start, tok.end, "place", "pronoun.place", _particle(toks, i + 1), deictic=deictic), 1
    if tok.pos == "NP" and form in lx.PERSON_PRONOUNS:
        end, j = tok.end, i + 1
        if nxt is not None and nxt.pos == "XSN" and nxt.form in ("네", "들"):
            end, j = nxt.end, i + 2  # 걔네, 그분들
        return Anaphor(tok.start, end, "person", "pronoun.person", _particle(toks, j),
                       familiar=form in _FAMILIAR), j - i
    if form in lx.TIME_PRONOUNS and tok.pos in ("NNG", "NP", "MAG", "NNB"):
        after = next((t for t in toks[i + 1:] if not t.pos.startswith("J")), None)
        if after is not None and after.form == "그렇" and after.pos == "VA":
            return None, 1  # "그땐 그랬지": remembering, not a time to fill in
        grain = _DAY if form.endswith("날") else None
        return Anaphor(tok.start, tok.end, "time", "pronoun.time", _particle(toks, i + 1), grain=grain), 1
    if (tok.pos == "NNG" and nxt is not None and nxt.form == "님" and nxt.pos == "XSN" and nxt.start == tok.end
            and (i == 0 or toks[i - 1].pos in ("SF", "SP", "MAJ", "IC", "EC", "EF"))):
        # "교수님 발표 주제가 뭐야?": a title alone, no name or demonstrative before it, may be the one person the
        # dialogue named with it (`BARE_TITLE`: resolved only then)
        return Anaphor(tok.start, nxt.end, "person", BARE_TITLE, _particle(toks, i + 2), category=form,
                       honoured=True), 2
    said = _said_one(toks, i)
    if said is not None:
        return said, len([t for t in toks[i:] if t.end <= said.end])
    modified = _modified(toks, i) if tok.pos == "MM" and form in lx.DEMONSTRATIVES else None
    if modified is not None:
        return modified
    if tok.pos in ("MM", "IC") and form in lx.DEMONSTRATIVES and nxt is not None and (
        nxt.pos in ("NNG", "NNB", "NP") or (nxt.pos == "NNP" and nxt.start > tok.end and form != "저")
    ) and not (form == "저" and _says_what_one_is(toks, i + 1)):
        # "저 대구 살아요": 저 before a proper name is the speaker ("I"), not "that"; so before a noun and the copula
        # ("저 대학생인데", "저 학생이에요")
        if nxt.start == tok.end and form + nxt.form in lx.SIDE_PRONOUNS:
            return _side(toks, i, i + 2), 2  # "그쪽으로" as 그 + 쪽 + 으로
        if nxt.start == tok.end and form + nxt.form in lx.PLACE_PRONOUNS:
            # after an adnominal ending Kiwi reads "그곳" as 그 + 곳 ("바다 실습 많은 그곳")
            return Anaphor(tok.start, nxt.end, "place", "pronoun.place", _particle(toks, i + 2)), 2
        return _demonstrative_np(toks, i)
    ordinal = _ordinal(toks, i) or _positional(toks, i) or _every(toks, i)
    if ordinal is not None:
        return ordinal
    if form in ("거", "것", "분") and tok.pos == "NNB" and i > 0 and toks[i - 1].pos == "ETM" and not any(
            t.pos == "MM" and t.form in lx.DEMONSTRATIVES for t in toks[max(0, i - MAX_INNER_TOKENS - 1):i]) and not (
            _modal(toks, i) or _asks_how(toks, i) or _kind_refused(toks, i)):
        # "무제한 되는 거 가입할게", "지압 위주로 하시는 분으로 예약": one of the options or people, told by what the
        # clause says of it; only a clause match resolves it (`RELATIVE_ONE`), never the ranker, so "좋아하는 거
        # 뭐야?" stays as it is
        need = "person" if form == "분" else "object"
        particles = _particle(toks, i + 1)
        if _asked_which(toks, i + 1 + len(particles)):
            return None, 1  # "덜 미끄러운 건 어느 쪽이에요?": the one the question asks for, not one it refers to
        return Anaphor(tok.start, tok.end, need, RELATIVE_ONE, particles), 1
    if i > 0 and toks[i - 1].pos == "ETM" and tok.start > toks[i - 1].end and not any(
            t.pos == "MM" and t.form in lx.DEMONSTRATIVES for t in toks[max(0, i - MAX_INNER_TOKENS - 1):i]):
        # the same with a day ("리코타 만드는 날로 예약해 줘") or a title ("볼더링 가르치는 코치님으로"): the option
        # or the person the clause describes, resolved only by a clause match
        if form == "날" and tok.pos in ("NNG", "NNB"):
            return Anaphor(tok.start, tok.end, "time", RELATIVE_ONE, _particle(toks, i + 1), grain=_DAY), 1
        if tok.pos == "NNG" and nxt is not None and nxt.form == "님" and nxt.pos == "XSN" and nxt.start == tok.end:
            return Anaphor(tok.start, nxt.end, "person", RELATIVE_ONE, _particle(toks, i + 2), category=form,
                           honoured=True), 2
        # a place, a person or a side told only by the clause ("파티룸 있는 데로", "우수상 받은 사람", "더 싼 쪽"): the
        # bound nouns of place and side and the plain noun for a person, the heads a description takes for a name
        if form in _RELATIVE_HEADS and tok.pos in ("NNB", "NNG"):
            particles = _particle(toks, i + 1)
            if _asks_if_any(toks, i + 1 + len(particles)):
                return None, 1  # "차 세울 데 있어?": whether there is one, not one said before
            if form == "데" and _costs_in_doing(toks, i + 1 + len(particles), particles):
                return None, 1  # "처음 배우는 데 얼마 들어요?": what doing it costs, no place
            return Anaphor(tok.start, tok.end, _RELATIVE_HEADS[form], RELATIVE_ONE, particles), 1
    return None, 1


# "방금 말한 데", "아까 추천해 준 곳", "아까 말씀하신 거": a clause that only says the one was mentioned points back
# like 거기 / 그거 / 그분; the verbs of mentioning are a closed class, as are the adverbs of "before" that may lead
# them (not the positions of `_positional`: "먼저 말한 거" is the first one).
_SAYING = frozenset({"말", "말씀", "얘기", "이야기", "추천", "소개", "언급"})
_BEFORE = frozenset({"아까", "방금", "전", "지난번", "저번"})
_EARLIER = _BEFORE - {"방금"}  # "방금 말한 데" is the last reply's; "아까 말한 데" one said before it
_SAID_HEADS = {"데": "place", "곳": "place", "거": "object", "것": "object", "분": "person"}
_RELATIVE_HEADS = {"데": "place", "곳": "place", "사람": "person", "쪽": "object"}


_LOCATIVE = ADJUNCT_PARTICLES - {"에게", "한테"}  # a place's roles, not a person's


def _says_what_one_is(toks: list[Tok], j: int) -> bool:
    """Whether the nouns from position j end on the copula ("대학 + 생 + 이 + ㄴ데"): what the speaker is."""
    while j < len(toks) and toks[j].pos in ("NNG", "NNP", "NNB", "XSN", "SN"):
        j += 1
    return j < len(toks) and toks[j].pos == "VCP"


def _side(toks: list[Tok], i: int, j: int) -> Anaphor | None:
    """"그쪽" / "저쪽" (`toks[i:j]`) as a place: with a locative particle ("그쪽으로 할래", "그쪽에 예약",
    "그쪽까지"), before the noun of what is there ("그쪽 매장은") or a verb of motion ("그쪽 가려는데"). As a bare
    subject or topic it may be the person addressed ("그쪽은 이름이 뭐예요?"), which refers to nothing the dialogue
    named, so it is left alone, unless a sentence of the utterance before it chose one option (`SIDE_CHOSEN`)."""
    particles = _particle(toks, j)
    after = toks[j] if j < len(toks) else None
    noun_next = not particles and after is not None and after.pos in ("NNG", "NNP") and after.start > toks[j - 1].end
    # "그쪽 가려는데": the goal of a verb of motion, its particle dropped as speech drops it
    goal = not particles and after is not None and after.pos == "VV" and after.form in lx.MOTION_VERBS
    if not (noun_next or goal) and not (particles and particles[0].form in _LOCATIVE):
        # "야외가 좋지. 그쪽은 주차 돼?": after a sentence of its own utterance the side is what that
        # sentence chose; resolved only when a clause picks one option (`SIDE_CHOSEN`), else it is the listener
        # so is a bare "그쪽은" after a reply that named the side to take ("신촌 쪽을 추천드려요"; `dst.chosen`)
        if (any(t.pos == "SF" for t in toks[:i]) and not (particles and particles[0].pos in ("JKB", "JKG"))) or (
                toks[i].form.startswith("그") and particles and particles[0].form in ("은", "는")):
            return Anaphor(toks[i].start, toks[j - 1].end, "place", SIDE_CHOSEN, particles)
        return None
    return Anaphor(toks[i].start, toks[j - 1].end, "place", "pronoun.place", particles)


def _said_one(toks: list[Tok], i: int) -> Anaphor | None:
    if i >= 2 and toks[i - 1].pos == "JKS" and toks[i - 2].pos == "NP":
        return None  # "내가 말한 거 기억해?": what a speaker said, not a thing the reply offered
    j = i
    earlier = toks[j].form in _EARLIER and toks[j].pos in ("MAG", "NNG")
    if toks[j].form in _BEFORE and toks[j].pos in ("MAG", "NNG"):
        j += 1
        if j < len(toks) and toks[j].pos == "JKB" and toks[j].form in ("에", "에서"):
            j += 1
    if j >= len(toks) or toks[j].form not in _SAYING or toks[j].pos != "NNG":
        return None
    j += 1
    while j < len(toks) and (toks[j].pos in ("XSV", "EP") or (toks[j].form in ("어", "아") and toks[j].pos == "EC")
                             or (toks[j].form == "주" and toks[j].pos == "VX")):
        j += 1
    # said before (ᆫ, 던), not "말하는 거" (the way one talks)
    if j + 1 >= len(toks) or toks[j].pos != "ETM" or toks[j].form not in ("ᆫ", "은", "던") or \
            toks[j + 1].form not in _SAID_HEADS or \
            toks[j + 1].pos not in ("NNB", "NNG") or toks[j + 1].start == toks[j].end:
        return None
    head = toks[j + 1]
    need = _SAID_HEADS[head.form]
    return Anaphor(toks[i].start, head.end, need, f"pronoun.{need}", _particle(toks, j + 2), earlier=earlier)


WHICH_PRONOUNS = frozenset({"어디", "누구", "뭐", "무엇"})  # the pronouns that ask which one (with 어느 + a noun)


def _asks_if_any(toks: list[Tok], j: int) -> bool:
    """Whether 있다 / 없다 right after position j ends a question ("… 데 있어?", "… 곳 없나요?"): the clause describes
    what is asked for."""
    return (j < len(toks) and toks[j].form in ("있", "없") and toks[j].pos in ("VA", "VV")
            and any(t.form == "?" for t in toks[j + 1:j + 4]))


# the predicates of what doing something takes ("배우는 데 한 달에 얼마 들어요?", "가는 데 얼마나 걸려?", "만드는 데
# 필요한 재료"): with them 데 is "in doing", a closed construction, not a place
_COSTING = frozenset({"들", "걸리", "필요"})


def _costs_in_doing(toks: list[Tok], j: int, particles: tuple[Tok, ...]) -> bool:
    """Whether a bare 데 (or 데 + 에) is followed, in its clause, by a predicate of what doing something takes."""
    if any(p.form != "에" for p in particles):
        return False
    for t in toks[j:]:
        if t.pos in ("EF", "EC", "SF", "ETM") and t.form != "ᆫ":
            return False
        if t.form in _COSTING and t.pos in ("VV", "VA", "NNG", "XR"):
            return True
    return False


def _asked_which(toks: list[Tok], j: int) -> bool:
    """Whether an interrogative of choice comes right after position j ("… 건 어느 쪽이에요?", "… 건 뭐야?")."""
    return j < len(toks) and ((toks[j].form == "어느" and toks[j].pos == "MM")
                              or (toks[j].pos == "NP" and toks[j].form in WHICH_PRONOUNS))


RELATIVE_ONE = "relative.one"
NUMBERED_ENTRY = "ordinal.numbered"
EVERY = "ordinal.every"
PAIR_POSITION = "ordinal.pair-position"  # "아래 거": the second of a list of two; nothing otherwise
BARE_TITLE = "title.bare"
SIDE_CHOSEN = "pronoun.side-chosen"  # "…좋지. 그쪽은": the option a clause before chose, or nothing
DAY_OFFSET = "demonstrative.day-offset"  # "그 전날", "그다음 날": the day of a time moved by one
_CLAUSE_TAGS = ("VA", "VV", "VX", "XSA", "XSV", "EP", "MAG", "NNB", "JKB")
MAX_INNER_TOKENS = 4


def _modified(toks: list[Tok], i: int) -> tuple[Anaphor | None, int] | None:
    """"그 얇은 거", "그 짧은 코스": a demonstrative, a short adnominal clause, then its noun. The anaphor spans all
    three (the clause is said of the antecedent and goes with it); `inner` marks the clause, which tells the
    candidates apart like a clause before the demonstrative does."""
    if i + 1 >= len(toks) or toks[i + 1].start == toks[i].end:
        return None  # "그분한테 보낼 …" is the pronoun 그분, not 그 + a clause
    if toks[i + 1].pos == "NNB" and toks[i + 1].form in lx.TIME_CATEGORIES:
        return None  # "그 무렵 개강하는 주말반": the time is what 그 points at, the clause says what happens then
    k = i + 1
    while k < len(toks) and k - i <= MAX_INNER_TOKENS and (toks[k].pos in _CLAUSE_TAGS or (
            toks[k].pos in ("NNG", "XR") and k + 1 < len(toks) and toks[k + 1].pos in ("XSA", "XSV"))):
        k += 1  # a noun only as the stem of 하다 ("그 친절한 분"): "그 영화 본 사람" is about 그 영화
    if k == i + 1 or k + 1 >= len(toks) or toks[k].pos != "ETM" or toks[k - 1].pos not in ("VA", "VV", "VX", "XSA",
                                                                                           "XSV", "EP"):
        return None
    noun = toks[k + 1]
    if noun.pos not in ("NNG", "NNB") or (noun.start == toks[k].end and noun.pos == "NNB" and noun.form not in (
            "거", "것", "곳", "분")):
        return None
    hit, used = _demonstrative_np([*toks[: i + 1], *toks[k + 1:]], i)
    if hit is None or hit.need in ("time", "ordinal"):
        return None
    return replace(hit, end=max(hit.end, noun.end), inner=(toks[i + 1].start, toks[k].end)), used + (k - i - 1)


def _demonstrative_np(toks: list[Tok], i: int) -> tuple[Anaphor | None, int]:
    det, noun = toks[i], toks[i + 1]
    n = noun.form
    particle = _particle(toks, i + 2)
    if n in lx.TIME_RELATIONAL or n in lx.DAY_OFFSETS:
        # "그 전에" -> "<time> 전에": only the demonstrative is replaced, the relational noun stays; a day before or
        # after ("그 전날", "그다음 날") is the day of that time moved by one (`shifted_day`), the words and all
        after = toks[i + 2] if i + 2 < len(toks) else None
        if n in lx.DAY_OFFSETS:
            return Anaphor(det.start, noun.end, "time", DAY_OFFSET, particle, category=n, grain=_DAY), 2
        if n == "다음" and after is not None and after.form == "날" and after.pos == "NNG":
            return Anaphor(det.start, after.end, "time", DAY_OFFSET, _particle(toks, i + 3), category="다음날",
                           grain=_DAY), 3
        return Anaphor(det.start, det.end, "time", "demonstrative.time-relative"), 1
    if n in lx.TIME_CATEGORIES:
        return Anaphor(det.start, noun.end, "time", "demonstrative.time", particle, category=n,
                       grain=_GRAIN_NOUNS.get(n)), 2
    if n.endswith("요일") and noun.start > det.end:
        # "그 금요일": the time mentioned that falls on that weekday ("다음 달 둘째 주 금요일 오전")
        return Anaphor(det.start, noun.end, "time", "demonstrative.time", particle, category=n), 2
    after = toks[i + 2] if i + 2 < len(toks) else None
    if (after is not None and after.form == "님" and after.pos == "XSN" and after.start == noun.end
            and noun.pos in ("NNG", "NNP")):
        # "그 팀장님", "그 실장님": a noun that takes the honorific 님 is a person's title, whatever the noun
        return Anaphor(det.start, after.end, "person", "demonstrative.role", _particle(toks, i + 3), category=n,
                       honoured=True), 3
    if n in ("사람", "분", "애", "남자", "여자", "아이", "녀석") or n in lx.PERSON_NOUNS:
        # "그 할머니": a noun of kin or standing says which of the people named is meant ("최순이 할머니")
        return Anaphor(det.start, noun.end, "person", "demonstrative.person", particle,
                       category=n if n in lx.PERSON_NOUNS else None), 2
    if n in lx.ROLE_NOUNS and n not in lx.ITEM_CATEGORIES:  # "그 모델" is a product's as often as a person's
        nxt = toks[i + 2] if i + 2 < len(toks) else None
        if nxt is not None and nxt.form == "님" and nxt.pos == "XSN" and nxt.start == noun.end:
            # "그 선생님" read as 선생 + 님: the honorific belongs to the anaphor, the particle comes after it
            return Anaphor(det.start, nxt.end, "person", "demonstrative.role", _particle(toks, i + 3), category=n,
                           honoured=True), 3
        return Anaphor(det.start, noun.end, "person", "demonstrative.role", particle, category=n), 2
    if n in lx.PLACE_CATEGORIES and (noun.start > det.end or len(n) > 1):
        # glued, a one-syllable kind is part of a name ("그섬 호텔"); "그 섬" refers back
        return Anaphor(det.start, noun.end, "place", "demonstrative.place", particle, category=n), 2
    if n in ("거", "것"):
        return Anaphor(det.start, noun.end, "object", "demonstrative.object", particle), 2
    if n in _CONTRACTED_THING and noun.start == det.end and not _discourse(toks, i + 2):
        # Kiwi reads "그걸로" as 그 + 걸 + 로: 걸 is 것 + 을, so the particle is rebuilt from the contraction
        form, tag = _CONTRACTED_THING[n]
        rest = _particle(toks, i + 2)
        parts = rest if rest else (Tok(form, tag, noun.start, noun.end),)
        return Anaphor(det.start, noun.end, "object", "demonstrative.object", parts), 2 + len(rest)
    if noun.pos not in ("NNG", "NNP"):
        return None, 1
    j = i + 1
    while j + 1 < len(toks) and toks[j + 1].start == toks[j].end and (
            toks[j + 1].pos in ("NNG", "NNP") or (toks[j + 1].pos == "XSN" and toks[j + 1].form not in ("님", "들"))):
        j += 1  # one written word Kiwi splits: "그 폼롤러" is 폼 + 롤러, "그 덤벨" 덤 + 벨, "그 요금제" 요금 + 제
    if j > i + 1:
        n, noun, particle = "".join(t.form for t in toks[i + 1:j + 1]), toks[j], _particle(toks, j + 1)
    if not particle and _name_follows(toks, j + 1):
        return None, j + 2 - i  # "그 영화 '파도의 끝'": the name is said with its kind, nothing to look up
    if n in lx.ITEM_CATEGORIES:
        return Anaphor(det.start, noun.end, "category", "demonstrative.category", particle, category=n), j + 1 - i
    if len(n) >= 2 or (noun.start > det.end and noun.pos == "NNG"):
        # a one-syllable noun only written apart ("그 붓", "그 떡"): glued, it is one word ("그때", "그분")
        return Anaphor(det.start, noun.end, "category", "demonstrative.noun", particle, category=n), j + 1 - i
    return None, 1


def _name_follows(toks: list[Tok], k: int) -> bool:
    """A quoted name written after the kind noun: the noun phrase is appositive. An unquoted proper noun there is
    mostly an adjunct ("그 식당 강남에도 있어?", "그 카페 스타벅스보다 비싸?"), so only quotes count."""
    return k < len(toks) and toks[k].start > toks[k - 1].end and (
        toks[k].pos in ("SS", "SSO") and toks[k].form in _OPENING_QUOTES)


_OPENING_QUOTES = frozenset("'\"‘“「『《<")
_FAMILIAR = frozenset({"걔", "얘", "쟤"})
_TIME_HEADS = tuple(c for c in lx.TIME_CATEGORIES if len(c) > 1)
_CONTRACTED_THING = {"걸": ("를", "JKO"), "건": ("는", "JX"), "게": ("가", "JKS")}
_MAX_POSITION_CLAUSE = 4  # "맨 앞에 [말/하/ᆫ]", "처음 [묻/어/보/ᆫ]"


def _ordinal(toks: list[Tok], i: int) -> tuple[Anaphor | None, int] | None:
    tok = toks[i]
    index = 0
    j = i + 1
    if tok.form in lx.ORDINAL_WORDS and tok.pos in ("NR", "NNG", "MM"):
        index = lx.ORDINAL_WORDS[tok.form]
    elif (j < len(toks) and toks[j].form == "째" and toks[j].start == tok.end
          and (ordinal := lx.ORDINAL_WORDS.get(tok.form + "째"))):
        index, j = ordinal, j + 1  # Kiwi may cut "둘째 거" as 둘/NR + 째/XSN
    elif (tok.pos in ("MM", "NR") and tok.form in lx.NATIVE_ORDINALS) or (tok.pos == "SN" and tok.form.isdigit()):
        value = int(tok.form) if tok.form.isdigit() else lx.NATIVE_ORDINALS[tok.form]
        if j < len(toks) and toks[j].form == "번째":
            index, j = value, j + 1
        elif j + 1 < len(toks) and toks[j].form == "번" and toks[j + 1].form == "째":
            index, j = value, j + 2
        elif tok.pos == "SN" and j + 1 < len(toks) and toks[j].form == "번" and (
                toks[j + 1].form in lx.ORDINAL_HEADS or _pointing(toks[j + 1])):
            index, j = value, j + 1  # "2번 거", "2번 거기": the numbered entry of a list
        elif _bare_entry(toks, i):
            # "2번 무게 몇 킬로야?", "3번은 …": the entry so numbered, only after a reply that numbered its entries
            return Anaphor(tok.start, toks[j].end, "ordinal", NUMBERED_ENTRY, _particle(toks, j + 1),
                           index=value), 2
    if not index:
        return None
    asks = any(t.form in ("?", "？") or (t.form == "주" and t.pos == "VX") for t in toks)
    # a choice the speaker announces picks an option too: "마지막 구획으로 신청할게"
    chooses = j + 1 < len(toks) and toks[j + 1].form in ("로", "으로") and any(
        t.pos == "EF" and t.form in _CHOOSING_ENDINGS for t in toks)
    said = _said_at(toks, j)
    if tok.form == "마지막" and said is None and not (j < len(toks) and (toks[j].form in lx.ORDINAL_HEADS or (
            (asks or chooses) and toks[j].pos == "NNG" and toks[j].start > tok.end
            and toks[j].form not in lx.TIME_CATEGORIES))):
        # "마지막으로" is a discourse adverb, "마지막 날" a time, "내 마음에 마지막 인사" says something; a question
        # or request about "마지막 반", "마지막 타임" picks an option
        return None
    if said is not None:
        # "둘째로 말한 거", "마지막에 추천해 준 데": the entry said in that place of the list, one anaphor
        return Anaphor(tok.start, toks[said].end, "ordinal", "ordinal", _particle(toks, said + 1),
                       category=toks[said].form, index=index), said + 1 - i
    end = toks[j - 1].end
    category = None
    pointed = j < len(toks) and _pointing(toks[j])
    if pointed:
        end, j = toks[j].end, j + 1  # the pronoun after the number points at the same entry ("두 번째 거기")
    # Kiwi may tag the 거 of "세 번째 거 주차 돼?" a determiner
    if not pointed and j < len(toks) and (
            toks[j].pos in ("NNB", "NNG") or (toks[j].form == "거" and toks[j].pos == "MM")) and (
            toks[j].form in lx.ORDINAL_HEADS or toks[j].pos == "NNG"):
        end = toks[j].end
        category = toks[j].form  # "거" of "두 번째 거", "코스" of "두 번째 코스"
        j += 1
    return Anaphor(tok.start, end, "ordinal", "ordinal", _particle(toks, j), category=category, index=index), j - i


def _said_at(toks: list[Tok], j: int) -> int | None:
    """After an ordinal, 로 / 에 and a clause of saying that ends in a head noun ("로 말한 거", "에 추천해 준 데",
    "로 말씀하신 곳"): the index of that head, else None."""
    if j >= len(toks) or toks[j].form not in ("로", "으로", "에") or toks[j].pos != "JKB":
        return None
    k = j + 1
    if k >= len(toks) or toks[k].form not in _SAYING or toks[k].pos != "NNG":
        return None
    while k < len(toks) and k - j <= _MAX_POSITION_CLAUSE and toks[k].pos != "ETM":
        k += 1
    head = k + 1
    if head >= len(toks) or toks[k].pos != "ETM" or toks[head].form not in _SAID_HEADS or _modal(toks, head):
        return None
    return head


def _bare_entry(toks: list[Tok], i: int) -> bool:
    """"2번은 …", "3번 무게 …" at the start of a clause: a number and 번 glued, then a particle or a noun that is
    not a thing numbered in the world ("3번 출구", "2번 버스"); never a count of times ("2번 봤어", "1번만 더")."""
    j = i + 1
    if toks[i].pos != "SN" or j >= len(toks) or toks[j].form != "번" or toks[j].start != toks[i].end:
        return False
    if i > 0 and toks[i - 1].pos not in ("SF", "SP", "EC", "IC", "MAJ"):
        return False
    after = toks[j + 1] if j + 1 < len(toks) else None
    if after is None or after.form in ("째", "만", "더", "다") or after.pos.startswith(("V", "MA", "XS")):
        return False
    particle = after.pos in ("JX", "JKS", "JKO", "JKB", "JKG")
    return particle or (after.pos == "NNG" and after.form not in _NUMBERED_THINGS)


_CHOOSING_ENDINGS = frozenset({"ᆯ게", "을게", "ᆯ래", "을래"})
# Things numbered in the world, whose number is no list entry: exits, buses, roads, gates, lines, halls, channels.
_NUMBERED_THINGS = frozenset({"출구", "버스", "마을버스", "국도", "도로", "게이트", "라인", "선", "홀", "채널", "트랙",
                              "번지", "방", "승강장", "플랫폼", "창구"})


def _pointing(tok: Tok) -> bool:
    """A place or thing pronoun ("거기", "그곳", "그거") that an entry number before it makes the entry's."""
    return tok.pos == "NP" and (tok.form in lx.PLACE_PRONOUNS or tok.form in ("그거", "그것", "이거", "저거"))


_COUNTS = {"둘": 2, "셋": 3, "두": 2, "세": 3}


def _every(toks: list[Tok], i: int) -> tuple[Anaphor, int] | None:
    """"둘 다", "두 곳 다", "셋 모두", "둘 중": every one of the options offered, when there are that many
    (`OrdinalList`)."""
    tok = toks[i]
    if tok.form not in _COUNTS:
        return None
    j = i + 1
    if tok.pos == "MM" and j < len(toks) and toks[j].pos in ("NNG", "NNB"):
        j += 1  # "두 곳", "두 개", "세 분"
    elif tok.pos != "NR":
        return None
    if j < len(toks) and toks[j].form in ("다", "모두") and toks[j].pos == "MAG":
        return Anaphor(tok.start, toks[j - 1].end, "every", EVERY, index=_COUNTS[tok.form]), j - i
    if j < len(toks) and toks[j].form == "중" and toks[j].pos == "NNB":  # "둘 중에 뭐가 더 싸?": "A, B 중에 …"
        picked = _of_two(toks, i, j + 1) if _COUNTS[tok.form] == 2 else None
        return picked or (Anaphor(tok.start, toks[j - 1].end, "every", EVERY, category="중", index=_COUNTS[tok.form]),
                          j - i)
    return None


def _of_two(toks: list[Tok], i: int, j: int) -> tuple[Anaphor, int] | None:
    """"둘 중 뒤에 거", "두 곳 중에 앞에 데": of two options, the one said first or last. With two, 앞 and 뒤 need no
    맨 (`_positional`); from three on they would be ambiguous."""
    if j < len(toks) and toks[j].form == "에" and toks[j].pos == "JKB":
        j += 1
    if j + 2 >= len(toks) or toks[j].form not in lx.LIST_PLACES or toks[j].pos != "NNG":
        return None
    place, marker, head = toks[j], toks[j + 1], toks[j + 2]
    # Kiwi tags the spoken 거 a pronoun before some verbs ("뒤에 거 타면")
    if marker.form not in ("에", "의") or head.form not in lx.ORDINAL_HEADS or head.start == marker.end or \
            not (head.pos == "NNB" or (head.form == "거" and head.pos == "NP")):
        return None
    return Anaphor(toks[i].start, head.end, "ordinal", "ordinal.position", _particle(toks, j + 3), category=head.form,
                   index=lx.LIST_PLACES[place.form]), j + 3 - i


def _of_a_pair(toks: list[Tok], i: int) -> tuple[Anaphor, int] | None:
    """"아래 거", "위에 거", "뒤에 데" with no 맨: the second or the first of a reply's list of exactly two
    (`PAIR_POSITION`, resolved only then: with three the middle one is also below the first, and without a list "앞에
    거" is what lies in front)."""
    j = i + 1
    if j < len(toks) and toks[j].form in ("에", "의") and toks[j].pos in ("JKB", "JKG") \
            and toks[j].start == toks[i].end:
        j += 1
    if j >= len(toks) or toks[j].start == toks[j - 1].end or toks[j].form not in lx.ORDINAL_HEADS or not (
            toks[j].pos == "NNB" or (toks[j].form == "거" and toks[j].pos == "NP")):
        return None
    return Anaphor(toks[i].start, toks[j].end, "ordinal", PAIR_POSITION, _particle(toks, j + 1),
                   category=toks[j].form, index=lx.LIST_PLACES[toks[i].form]), j + 1 - i


def _kind_refused(toks: list[Tok], i: int) -> bool:
    """"매운 걸 못 먹어서요", "단 건 안 좋아해요": a bare adjective before 거 / 것 and a predicate the speaker cannot or
    does not do, in a statement: what kind of thing they never take, not one of the options. A question ("매운 건 안
    팔아요?") or a request may still pick one."""
    if i < 2 or toks[i - 2].pos != "VA":
        return False
    rest: list[Tok] = []
    for t in toks[i + 1:]:
        if t.pos in ("SF", "EF") or (t.pos == "EC" and rest):
            break
        rest.append(t)
    if not any(t.form in ("못", "안") and t.pos == "MAG" for t in rest):
        return False
    end = toks.index(rest[-1]) + 1 if rest else i + 1
    return not any(t.form in ("?", "？") or (t.form == "주" and t.pos == "VX") for t in toks[end:end + 3])


def _asks_how(toks: list[Tok], i: int) -> bool:
    """A clause before 거 / 것 that holds a question word ("어떻게 잡는 게 좋아?", "뭘 먹는 게 나아?"): it names the way
    or the thing asked for, not an option the dialogue offered."""
    k = i - 1
    while k >= 0 and toks[k].pos not in ("SF", "SP", "EC", "EF"):
        if toks[k].form in INTERROGATIVE_FORMS or toks[k].form.startswith(tuple(INTERROGATIVE_STEMS)):
            return True
        k -= 1
    return False


def _modal(toks: list[Tok], i: int) -> bool:
    """A prospective 거 / 것 with the copula or 같다 after it ("갈 거라서", "받을 거라", "올 거 같아"): the ending of
    intention or conjecture, -ㄹ 것이다, not a thing the clause describes. So is any 거 / 것 whose copula ends in a
    connective ("가는 거니까", "되는 거라서", "선물하는 건데"): the clause made a noun to give a reason or a setting,
    not one of the options."""
    nxt = toks[i + 1] if i + 1 < len(toks) else None
    if toks[i].form not in ("거", "것") or nxt is None:
        return False
    if nxt.pos == "VCP" and i + 2 < len(toks) and toks[i + 2].pos == "EC":
        return True
    return toks[i - 1].form in ("ᆯ", "을") and (nxt.pos == "VCP" or (nxt.form == "같" and nxt.pos == "VA"))


def _positional(toks: list[Tok], i: int) -> tuple[Anaphor, int] | None:
    """An option picked by where it was said: a position (처음, 먼저, 나중; or 앞, 위, 끝, 뒤, 아래 after 맨, 제일 or
    가장, or before a verb of saying: "뒤에 말한 데"), then a clause with a predicate ("말한", "있는", "물어본"), then
    the head noun of an option ("거", "곳", "데"): "맨 앞에 말한 거", "처음 추천한 데", "맨 위에 있는 그거"; after 맨,
    제일 or 가장 the spoken "맨 앞에 거" needs no clause.
    Positions are closed classes (`lx.POSITIONS`, `lx.LIST_PLACES`)."""
    tok = toks[i]
    extreme = i > 0 and toks[i - 1].form in lx.EXTREMES
    # "뒤에 말한 데" (the latter) needs no 맨: a place in the list is unambiguous before a verb of saying
    said = any(t.form in _SAYING and t.pos == "NNG" for t in toks[i + 1:i + 1 + _MAX_POSITION_CLAUSE])
    index = lx.POSITIONS.get(tok.form) or (lx.LIST_PLACES.get(tok.form) if extreme or said else None)
    if index is None and tok.form in lx.LIST_PLACES and tok.pos == "NNG":
        return _of_a_pair(toks, i)
    if tok.pos not in ("NNG", "MAG") or index is None:
        return None
    start = toks[i - 1].start if extreme else tok.start
    j = i + 1
    if extreme and j < len(toks) and toks[j].form in lx.ORDINAL_HEADS and toks[j].pos == "NNB" \
            and toks[j].start > tok.end:
        # "맨 아래 거", "맨 끝 거": the spoken head right after the position
        return Anaphor(start, toks[j].end, "ordinal", "ordinal.position", _particle(toks, j + 1),
                       category=toks[j].form, index=index), j + 1 - i
    if j < len(toks) and toks[j].pos == "JKB" and toks[j].form == "에":
        j += 1
        head = toks[j] if j < len(toks) else None
        if (extreme and head is not None and head.form in lx.ORDINAL_HEADS and head.pos == "NNB"
                and head.start > toks[j - 1].end):
            # "맨 앞에 거": spoken 에 for the genitive 의, no clause between
            return Anaphor(start, head.end, "ordinal", "ordinal.position", _particle(toks, j + 1),
                           category=head.form, index=index), j + 1 - i
    clause = j
    while j < len(toks) and j - clause < _MAX_POSITION_CLAUSE and toks[j].pos != "ETM":
        j += 1
    if j >= len(toks) or toks[j].pos != "ETM" or not any(
            t.pos in ("VV", "VA", "VX", "XSV", "XSA") for t in toks[clause:j]):
        return None
    j += 1
    if j >= len(toks) or toks[j].start == toks[j - 1].end:
        return None  # the head is a word of its own: "배우는데" is a connective ending, "배우는 데" a place
    if toks[j].pos == "MM" and toks[j].form in lx.DEMONSTRATIVES:
        j += 1  # "처음 물어본 그거"
    if j >= len(toks) or toks[j].form not in lx.ORDINAL_HEADS or toks[j].pos not in ("NNB", "NNG") or _modal(toks, j):
        return None  # (_modal: "처음 배우는 거라서" is the first time, the clause made a noun, not the first option)
    if toks[j].form == "데" and _costs_in_doing(toks, j + 1 + len(_particle(toks, j + 1)), _particle(toks, j + 1)):
        return None  # "처음 배우는 데 얼마 들어요?": what learning takes, not the first place
    return Anaphor(start, toks[j].end, "ordinal", "ordinal.position", _particle(toks, j + 1), category=toks[j].form,
                   index=index), j + 1 - i


def _rank(e: Entity, prefer: tuple[str, ...]) -> tuple[int, int, int, int]:
    """Sort key, higher is better: not a description, recency, fit of type, then salience within the turn.

    An adjunct of a reply (salience 0) counts as one turn older: the user's topic stays the center.
    """
    fit = len(prefer) - prefer.index(e.type) if e.type in prefer else 0
    turn = e.turn - 1 if e.salience <= 0 and e.speaker == "assistant" else e.turn
    return (0 if e.predicative else 1, turn, fit, e.salience)


def candidates(anaphor: Anaphor, state: DialogueState) -> list[Entity]:
    need = anaphor.need
    ents = list(state.entities)
    if need == "object":
        pool = [e for e in ents if e.type in ("item", "org")]
        prefer: tuple[str, ...] = ("item", "org")
    elif need == "place":
        # a typed place of the last two exchanges wins; otherwise a name morphology could not type
        # ("남이섬", "에버랜드") may be the place
        recent = state.turn - 3
        venues = [e for e in ents if e.role in lx.VENUE_CATEGORIES and e.turn >= recent and not e.predicative]
        pool = [e for e in ents if e.type == "place" and e.turn >= recent and not e.predicative] + venues or [
            e for e in ents if (e.type == "place" and not e.predicative)
            or (e.type in ("item", "org") and e.proper and e.role != "title")
        ]
        if anaphor.rule == RELATIVE_ONE:  # "파티룸 있는 데": any named venue the clause may describe
            pool += [e for e in ents if e.type in ("item", "org") and e.proper and e.role != "title" and e not in pool]
        prefer = ("place", "item", "org")
    elif need == "time":
        pool = [e for e in ents if e.type == "time"]
        prefer = ("time",)
    elif need == "person":
        pool = [e for e in ents if e.type == "person" or (e.type == "item" and e.proper and e.role != "title")]
        if anaphor.category and anaphor.rule == "demonstrative.role":
            # "그 선생님": the mentions of that title; when only the user used it, also the people a reply named
            # under another title ("수의사 선생님 계셔?" -> "최유나 원장님이 …"); the ranker weighs them
            same_role = [e for e in pool if holds_title(e, anaphor.category)]
            named = [e for e in pool if e.type == "person" and e.proper and e not in same_role]
            if same_role:
                pool = same_role + named if all(e.speaker == "user" for e in same_role) else same_role
        if anaphor.rule == "demonstrative.role" and not anaphor.honoured and not any(
                e.role == anaphor.category for e in pool):
            # a title no one holds may name a kind of thing ("그 모델" after "'세이프온 SF-700'이 무난하고 …")
            pool = pool + [e for e in ents if e.role == "title" and e.type == "item" and e.turn >= state.turn - 3]
        if anaphor.familiar:
            pool = [e for e in pool if not e.text.endswith("님")] or pool
        prefer = ("person", "item")
    else:  # category: "그 영화", "그 주차장"
        cat = anaphor.category or ""
        # a predicative mention describes ("중성세제인 '울샴푸'"): the name it describes is the referent
        named = [e for e in ents if cat and (e.text.endswith(cat) or e.role == cat) and not e.predicative]
        instances = [e for e in ents if instance_of(cat, e, state) and e not in named]
        instances = instances or [e for e in ents if answered(e, named, cat)]
        if anaphor.rule == "demonstrative.noun" and all(_kind_noun(e, cat) for e in named):
            # the noun itself or a common compound of it ("서비스센터") names nothing: a name presented as one of
            # it is the referent ("'유베이스 용산점' 서비스센터" for "그 센터")
            named = instances or named
        else:
            # beside names that end with the noun, names with a word that does ("한땀미싱 수리센터 망원점" for "그
            # 센터"); recency and salience decide between them
            named = named + [e for e in instances
                             if any(w.endswith(cat) for w in e.text.split()) or called(e, cat, ents)
                             or answered(e, named, cat) or offered_as(cat, e)]
        fallback = [e for e in ents if e.type in ("item", "org", "place") and (e.proper or e.role == "title")]
        # a known category ("그 영화") may take any recent name;
        # any other noun takes a name the last exchange quoted when nothing ends with it ("그 키트" after "'에어로킷
        # F-16 1/72'이 …") in the last two exchanges: writers quote the names of things; not a time ("그 시간대",
        # "그 전날")
        quoted = [e for e in fallback if e.role == "title" and e.turn >= state.turn - 3
                  and not cat.startswith(_TIME_HEADS) and not cat.endswith("날")]
        pool = named or (fallback if anaphor.rule == "demonstrative.category" else quoted)
        prefer = ("item", "org", "place")
    pool = heads(anaphor, pool)
    # within a turn the first mention is the topic: earlier position wins ties
    order = {id(e): k for k, e in enumerate(ents)}
    return sorted(pool, key=lambda e: (*_rank(e, prefer), -order[id(e)]), reverse=True)


def heads(anaphor: Anaphor, pool: list[Entity]) -> list[Entity]:
    """The candidates that can be referents, or all of them when none can.

    A place or a thing is the head of its noun phrase, not a word that locates or qualifies it: "거기" after
    "양평 은하수천문대가 …" is the observatory, not 양평 (times keep their modifiers: "그때" after "토요일 강남역
    약속"), nor a place the reply repeats from the user's request when it names something there. The bare noun
    of "그 영화" names nothing the utterance does not already say."""
    if anaphor.need == "time":
        # only a time is what "그날" means, and within one turn the finest ones: "연말 콘서트는 다음 주 목요일 저녁
        # 8시에 열려요" gives 다음 주 목요일 저녁 8시, not 연말; of two as fine, the one that says more
        times = [e for e in pool if e.type == "time"]
        times = [e for e in times if e.text.split()[0] not in lx.RELATIVE_DAYS] or times
        if anaphor.category and anaphor.category.endswith("요일"):
            times = [e for e in times if anaphor.category in e.text] or times
        ranges = [e for e in times if _RANGE.search(e.text)]
        if anaphor.category == "기간":
            times = ranges or times  # "그 기간" is a span: "9월 9일부터 9월 13일까지", not its first day
        elif anaphor.grain is not None:
            # "그날" after "12월 24일 … 저녁 7시부터 밤 11시까지": the time that names a day, not the finer hours;
            # a span of days is no one day ("7월 19일" rather than "6월 23일부터 26일까지")
            times = [e for e in times if _GRAINS[anaphor.grain].search(e.text)] or times
            if anaphor.grain == _DAY:
                times = [e for e in times if e not in ranges] or times
        finest: dict[int, int] = {}
        for e in times:
            finest[e.turn] = min(finest.get(e.turn, _COARSEST), time_grain(e.text))
        fine = [e for e in times if time_grain(e.text) == finest[e.turn]]
        most: dict[int, int] = {}
        for e in fine:
            most[e.turn] = max(most.get(e.turn, 0), len(e.text.split()))
        return [e for e in fine if len(e.text.split()) == most[e.turn]]
    if anaphor.need not in ("place", "object", "category"):
        return pool
    named_turns = {e.turn for e in pool if not e.setting and not e.modifier and e.salience >= 1
                   and (e.proper or e.type in ("place", "item", "org"))}
    last_named = max(named_turns, default=-1)
    # a request set in a place ("분당에 괜찮은 한의원 있어?"), or a reply that repeats it ("성수동에서는
    # '빛담스튜디오'가 …"), is answered with the thing named there or after; the setting is the frame, not the referent
    kept = [e for e in pool if not (e.modifier and e.type != "time") and e.text != anaphor.category
            and not (e.setting and e.turn <= last_named)]
    return kept or pool


# From the finest unit a time names to the coarsest: minutes, hours, parts of a day, days, weeks, months.
_GRAINS = (
    re.compile(r"시\s*\d+\s*분|시\s*반"),  # a bare "90분" is a duration, not a time of day
    re.compile(r"\d+\s*시|정오|자정"),
    re.compile(r"아침|점심|저녁|밤|오전|오후|새벽|낮"),
    re.compile(r"\d+\s*일|요일|평일|휴일|오늘|내일|모레|어제|그제|[날당]"),
    re.compile(r"주"),
    re.compile(r"\d+\s*월|달"),
)
_COARSEST = len(_GRAINS)
_RANGE = re.compile(r"(부터|에서)\s.*(까지|사이)$")
_DAY = 3
DAY_GRAIN = _DAY  # the grain of "그날", "그 요일"
_GRAIN_NOUNS = {"날": _DAY, "날짜": _DAY, "요일": _DAY, "주": 4, "시간": 1, "시간대": 1, "시각": 1, "시점": 1,
                "회차": 1, "타임": 1, "달": 5}


def names_day(text: str) -> bool:
    """Whether a time names a day, a week or a month ("다음 주 수요일 오후 3시"), not only a time of day
    ("오후 4시")."""
    return any(grain.search(text) for grain in _GRAINS[_DAY:])


def clock_only(text: str) -> bool:
    """A time of day with no day to it ("오후 4시 30분", "저녁")."""
    return time_grain(text) < _DAY and not names_day(text)


def day_part(text: str) -> str:
    """The words of a time before its time of day ("다음 주 수요일" of "다음 주 수요일 오후 3시"), or "" when they
    name no day."""
    words = text.split()
    cut = next((k for k, w in enumerate(words) if time_grain(w) < _DAY), len(words))
    day = " ".join(words[:cut])
    return day if names_day(day) else ""


def coarse_part(text: str, grain: int) -> str:
    """The words of a time down to a coarser grain ("다음 주" of "다음 주 금요일 저녁 7시" for a week, "6월 셋째 주"
    of "6월 셋째 주 화요일"), or "" when they do not name that grain."""
    words = text.split()
    cut = next((k for k, w in enumerate(words) if time_grain(w) < grain), len(words))
    part = " ".join(words[:cut])
    return part if 0 <= grain < _COARSEST and _GRAINS[grain].search(part) else ""


_MONTH_DAY = re.compile(r"^(?:(\d{1,2})월 )?(\d{1,2})일$")


def shifted_day(day: str, offset: int) -> str | None:
    """A day moved by `offset` days, when it is a date ("6월 14일" -> "6월 13일", "12일" -> "13일"); a weekday said
    with it is left out, since it no longer holds. None for what is no date ("다음 주 수요일") and for a day whose month
    is not said that would leave it ("1일" - 1)."""
    words = [w for w in day.split() if not w.endswith("요일")]
    found = _MONTH_DAY.match(" ".join(words))
    if found is None:
        return None
    month, date = (int(found[1]) if found[1] else None), int(found[2]) + offset
    if month is None:
        return f"{date}일" if 1 <= date <= 28 else None
    if not (1 <= month <= 12 and 1 <= date - offset <= _MONTH_DAYS[month - 1]):
        return None
    if date < 1:
        month = 12 if month == 1 else month - 1
        if month == 2:
            return None  # 28 or 29: the year is not said
        date = _MONTH_DAYS[month - 1]
    elif date > _MONTH_DAYS[month - 1]:
        month, date = month % 12 + 1, 1
    return None if (month, date) == (2, 29) else f"{month}월 {date}일"  # only some years have it


_MONTH_DAYS = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)  # the year is not said: a day of February may be 29


def time_grain(text: str) -> int:
    """How fine a time is: the index in `_GRAINS` of the finest unit it names ("토요일 저녁 7시" is an hour, 1;
    "연말" none of them, `_COARSEST`)."""
    return next((k for k, grain in enumerate(_GRAINS) if grain.search(text)), _COARSEST)


def _kind_noun(e: Entity, noun: str) -> bool:
    """The noun itself, or a common compound that ends with it and names no particular one ("서비스센터")."""
    return e.text == noun or not (e.proper or e.role == "title" or e.rarity >= NAME_RARITY or " " in e.text)


def instance_of(noun: str, e: Entity, state: DialogueState) -> bool:
    """Whether the text presents the name `e` as one of `noun`, when the name does not end with it: a word of the
    name ends with the noun ("조절식 덤벨 24kg 세트" for "그 덤벨", "한땀미싱 수리센터 망원점" for "그 센터"), a
    compound of it stands in its sentence ("'펜하우스 클래식' 만년필이 …" for "그 만년필", "중성세제인 '울샴푸'" for
    "그 세제"), or the reply that named it answered a request for one ("… 양복점 알려줘" -> "'명장테일러'가 …" for
    "그 양복점"), in the last exchange or, by what the name was given for (`Entity.asked_for`), any earlier one."""
    if not noun or e.text == noun:
        return False
    if " " in e.text and e.type != "person" and any(len(w) > len(noun) and w.endswith(noun) for w in e.text.split()):
        return True  # a compound of the noun heads a word of the phrase: "무지개떡 세트" for "그 떡"
    if not (e.proper or e.role == "title"):
        return False
    if e.type not in ("item", "org", "place", "person"):
        return False
    if any(w.endswith(noun) for w in e.text.split()) or any(w.endswith(noun) for w in e.context):
        return True  # a compound of the noun in its sentence presents it too: "중성세제인 '울샴푸'"
    if _other_kind_asked(noun, e.text.split()[-1], state.last_query or ""):
        return False  # "'루미나 랜턴'" after "랜턴이랑 버너는 …": named as the other kind the user asked about
    if offered_as(noun, e):
        return True
    return e.speaker == "assistant" and e.turn == state.turn and noun in (state.last_query or "")


def _other_kind_asked(noun: str, head: str, query: str) -> bool:
    """Whether the question joined the kind `head` and the kind `noun` ("랜턴이랑 버너는 어디서 사?"), so that a name
    ending with `head` answers for that kind, not for `noun`."""
    if len(head) < 2 or head.endswith(noun) or noun.endswith(head):
        return False
    joined = "|".join(sorted(lx.CONJUNCTION_PARTICLES, key=len, reverse=True))
    return re.search(f"{re.escape(head)}(?:{joined})\\s*{re.escape(noun)}|{re.escape(noun)}(?:{joined})\\s*"
                     f"{re.escape(head)}", query) is not None


def offered_as(noun: str, e: Entity) -> bool:
    """Whether a reply gave the name `e` for what the user asked for, a compound of the noun ("'오브제 레더'" after
    "가죽공방 원데이 클래스 있어?" for "그 공방")."""
    return any(w.endswith(noun) for w in e.asked_for)


def answered(e: Entity, named: list[Entity], noun: str) -> bool:
    """Whether the name `e` may be what a reply gave for the user's own description of the noun ("수제 맥주 펍 추천해
    줘" -> … "그럼 을지브루잉 가 봐" for "그 펍"): every mention ending with the noun is the user's, none of them a
    name, the reply named `e` after the first of them, and its name does not mark it as another kind ("'을지공영
    주차장'" is no pub)."""
    return (bool(named) and e.speaker == "assistant" and e.proper and not e.predicative
            and e.type in ("item", "org", "place")
            and all(d.speaker == "user" and not (d.proper or d.role == "title") for d in named)
            and e.turn > min(d.turn for d in named)
            and not any(e.text.endswith(kind) and not noun.endswith(kind) for kind in _KINDS))


_KINDS = lx.VENUE_CATEGORIES | lx.ITEM_CATEGORIES


def called(e: Entity, noun: str, entities: list[Entity]) -> bool:
    """Whether the name `e` is said to be one of `noun` right after it ("'물레숲'이라는 공방": the next mention of its
    turn describes it) or right before it ("대나무 돗자리 '청량 죽석'이": the mention before is its bare description,
    `dst.mentions.appositions`), and that mention ends with the noun."""
    return any(p.turn == e.turn and p.speaker == e.speaker and p.text.endswith(noun) and (
        (p.predicative and p.order == e.order + 1) or (p.modifier and p.order == e.order - 1 and e.role == "title"))
        for p in entities)


def choose(anaphor: Anaphor, state: DialogueState) -> Entity | None:
    found = candidates(anaphor, state)
    return found[0] if found else None


def ordinal_item(anaphor: Anaphor, state: DialogueState) -> str | None:
    k = anaphor.index
    if anaphor.rule == PAIR_POSITION:
        pairs = [lst.items for lst in state.lists if lst.turn == state.turn and len(lst.items) == 2]
        return (pairs[-1][0] if k == 1 else pairs[-1][1]) if pairs else None
    if anaphor.rule == NUMBERED_ENTRY:
        # only the last reply's own numbering: an older list's "2번" is not what a bare number means now
        numbered = [lst.items for lst in state.lists if lst.numbered and lst.turn == state.turn
                    and 1 <= k <= len(lst.items)]
        return numbered[-1][k - 1] if numbered else None
    # the latest list long enough for the index: a later two-item reply does not hide the three options before it
    fitting = [lst.items for lst in state.lists if k == -1 or 1 <= k <= len(lst.items)]
    if not fitting and anaphor.category in lx.ORDINAL_HEADS:
        # no list: the things the last reply named, in order, when it named two or more ("스틸윙 18g은 … 좀 더 무거운
        # 걸 원하시면 '블랙호크 22g'도 있어요"), for a head that means only "the option" ("두 번째 거", not "두 번째
        # 이별" nor a bare "둘째")
        named = named_options([e for e in state.entities if e.speaker == "assistant" and e.turn == state.turn])
        fitting = [tuple(named)] if len(named) >= 2 and (k == -1 or k <= len(named)) else []
    if anaphor.category and anaphor.category not in lx.ORDINAL_HEADS:
        # "두 번째 코스" after "목욕 코스, 위생미용 코스 … 각각 3만 원, 4만 원 …": the list of what its noun names, not
        # a later list of their prices
        kind = [items for items in fitting if any(anaphor.category in item for item in items)]
        fitting = kind or fitting
    if not fitting:
        return None
    items = fitting[-1]
    # "the last" of a later list that only names again some of an earlier one's options ("A가 제일 싸고, B는 …" after
    # "A, B, C 세 곳이 있어") is the earlier one's last; a position counted from the front may mean the few named
    # again ("보증금 없는 곳 중에 첫 번째 곳")
    whole = [lst for lst in fitting[:-1] if set(items) < set(lst)] if k == -1 else []
    if whole:
        items = whole[-1]
    return items[-1] if k == -1 else items[k - 1]


def holds_title(e: Entity, title: str) -> bool:
    """Whether a person was named with the title: its role, the last word of "조하린 실장님", or the first word of
    "부회장 이서진 씨"."""
    words = e.text.split()
    if e.role == title or e.type != "person" or len(words) < 2:
        return e.role == title
    titles = (title, title + "님")
    return ((words[-1] in titles and (e.proper or name_shaped(words[-2])))  # not "보일러 수리 기사님"
            or (words[0] in titles and name_shaped(words[1])))


def every_item(anaphor: Anaphor, state: DialogueState) -> list[str]:
    """The options "둘 다" takes: the latest offered list of exactly that many, else the last reply's named options
    when it named that many."""
    lists = [lst.items for lst in state.lists if len(lst.items) == anaphor.index]
    if lists:
        return list(lists[-1])
    named = named_options([e for e in state.entities if e.speaker == "assistant" and e.turn == state.turn])
    return named if len(named) == anaphor.index else []


def named_options(entities: list[Entity]) -> list[str]:
    """The named things of one turn, in order, people or things as the first one is (a branch may be typed a place or
    an item, "서초점" / "방배점"): the options a which-question or an ordinal chooses from."""
    named = [e for e in sorted(entities, key=lambda e: e.order) if not e.predicative and not e.modifier
             and e.type in ("item", "org", "place", "person") and (e.proper or e.role == "title"
                                                                   or e.rarity >= NAME_RARITY)]
    if not named:
        return []
    texts = [e.text for e in named if (e.type == "person") == (named[0].type == "person")]
    return [t for k, t in enumerate(dict.fromkeys(texts)) if not any(t in o for o in texts[:k] if o != t)]
