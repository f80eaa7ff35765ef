"""Ellipsis resolution of fragments ("부산은?", "내일은?", "요금은?", "안방도") against the frame.

Contract: `is_fragment(analysis)` says whether the utterance is a fragment: noun phrases with a topic/additive
particle, a question mark or a light predicate such as 어때/얼마야, and nothing else (greetings, thanks and
complete new questions are not). `resolve_ellipsis(analyzer, analysis, state)` rewrites a fragment against the
frame (the previous standalone user query): a fragment value of a type the frame holds replaces it (slot
replacement: "내일 서울 날씨" + "부산은?" -> "내일 부산 날씨"), the frame's other values are carried over, a new
time or place is added, and a new attribute ("요금은?") is asked about the frame's noun phrase. A bare number
("16은?") replaces the frame's free-standing number ("아이폰 15 가격"), not a count or a clock time. A new head noun
after a request ("서울대병원 피부과 예약하고 싶어" + "안과는요?") re-issues the request for it. A new named thing
with its own question is a new topic and comes back unchanged, as does one that names two things and asks with an
interrogative of its own ("서울에서 강릉 가는 KTX 첫차는 몇 시야?"). A one-noun fragment no typed slot takes replaces
the frame word it is a sibling of by meaning (`dst.sibling`: "해군은?" after "육군 복무기간 몇 개월이야?").
When the frame set two names side by side ("'A'랑 'B' 고민하다가 'A'로 정했어요") and the last reply named only one
of them, an attribute asked alone is asked of that one (`replied_one`, also for `dst.zero`'s frame topic).
"""

from __future__ import annotations

from dataclasses import replace
from itertools import pairwise

from dst import lexicon as lx
from dst.analysis import Analysis, Analyzer, Mention
from dst.mentions import TITLE_RE
from dst.phrases import noun_phrase, same_word, splice, strip_followups
from dst.sibling import SiblingMatcher
from dst.types import DialogueState, Entity, Resolution, RuleResult
from korean.frequency import NAME_RARITY
from korean.lexicon import TIME_DEIXIS

NAMED_KINDS = ("place", "person", "item", "org")
_FRAGMENT_PARTICLES = frozenset({"은", "는", "도", "만", "요", "ᆫ", "이요", "까지", "부터"})
# Determiners and relative-clause pieces may modify a fragment's noun; a final ending (EF) may not.
_MODIFIER_TAGS = frozenset({"MM", "VA", "VV", "VX", "XSA", "XSV", "ETM", "EP", "MAG", "XPN"})
TOPIC_PARTICLES = frozenset({"은", "는", "도", "ᆫ"})
_PUNCT = ("SF", "SP", "SS", "SSO", "SSC", "SW", "SE", "SO", "SB")


def is_fragment(analysis: Analysis) -> bool:
    mentions = analysis.mentions
    if not mentions:
        return False
    if any(m.text in lx.SOCIAL_NOUNS for m in mentions):
        return False
    covered = [(m.start, m.end) for m in mentions]
    marked = False
    light = False
    topic = False
    content = [t for t in analysis.tokens if t.pos not in _PUNCT]
    question = any(t.form in ("?", "？") for t in analysis.tokens)
    last = content[-1] if content else None
    # it must end like a fragment: "부산은?", "안방도", "부산?" or a light predicate ("어때?"), not "생각이"
    if last is None or not (
        last.form in _FRAGMENT_PARTICLES or last.form == "요" or last.pos.startswith("E")
        or (question and any(m.end == last.end for m in mentions))
    ):
        return False
    for tok in analysis.tokens:
        if any(s <= tok.start and tok.end <= e for s, e in covered):
            continue
        if tok.pos in _PUNCT:
            marked = marked or tok.form in ("?", "？")
            continue
        if tok.pos in ("MAJ", "MAG", "IC") and tok.form in lx.FOLLOWUP_ADVERBS and not light:
            continue
        if tok.form == "요" and not light:
            continue  # polite ending of a fragment: "아산은요?"
        if tok.pos.startswith("J") and not light:
            marked = marked or tok.form in _FRAGMENT_PARTICLES
            topic = topic or tok.form in TOPIC_PARTICLES
            continue
        if tok.form in lx.LIGHT_PREDICATES:
            # "요금은 얼마야?" continues (contrastive topic); "오늘 환율 얼마야?" is a complete new question
            if not topic:
                return False
            light = marked = True
            continue
        if light and (tok.pos.startswith(("E", "VCP", "J")) or tok.form in ("시", "되")):
            continue  # "얼마야", "어때요", "몇 시야", "어떻게 돼" — but not a verb of its own ("언제 했어")
        if not light and tok.pos in _MODIFIER_TAGS:
            continue  # modifiers inside the noun phrase: "한 달 이용료는?", "분위기 좋은 카페는?"
        return False
    return marked


def _asking(analysis: Analysis) -> set[str]:
    """The question words of a sentence ("누구", "얼마", "언제"); empty for a bare fragment ("본선은?")."""
    return {t.form for t in analysis.tokens if t.form in lx.INTERROGATIVE_FORMS or t.form in lx.INTERROGATIVE_STEMS}


def frame_sentence(analyzer: Analyzer, state: DialogueState) -> str:
    """The frame an elided turn is read against: the last user query, or of a query of several sentences the last one
    when it names something itself ("일요일은 꽉 찼다며? 그럼 한빛궁터 토요일 오전 체험반으로 예약해 줘": what a later
    "한 명 더 추가해 줘" continues is the booking, not the Sunday the first sentence set aside), unless it only gives a
    reason (it ends on a connective ending) after sentences that asked: then those ("한솔세탁은 몇 시에 문 열어요?
    새봄세탁은 너무 늦게 열어서요.": the reason is no question a later "닫는 건 몇 시예요?" goes on with)."""
    text = state.last_query or ""
    frame = analyzer.analyze(text, state.names)
    ends = [t.end for t in frame.tokens if t.pos == "SF" and t.end < len(text) and text[t.end:].strip()]
    if not ends:
        return text
    last = text[ends[-1]:].strip()
    tail = analyzer.analyze(last, state.names)
    if not any(tail.names(m) for m in tail.mentions):
        return text
    head = text[:ends[-1]].strip()
    ending = [t for t in tail.tokens if t.pos not in _PUNCT and not (t.pos == "JX" and t.form == "요")]
    if ending and ending[-1].pos == "EC" and "?" in head:
        return head  # a sentence that ends on a connective ending ("열어서요", "멀어서요") gives a reason, asks nothing
    return last


_BACKGROUND = ("는데", "은데", "ᆫ데", "던데")  # how a background clause ends: "있다던데", "간다는데"


def _asked_clause(analyzer: Analyzer, text: str, state: DialogueState) -> str:
    """Of a question after a background clause and a comma ("해솔 요가는 평일 오전반만 있다던데, 온유 요가
    신촌점은 평일 입문반 몇 시에 있어요?"), the question, when it names a thing of its own: a fragment ("토요일은요?")
    goes on with what was asked, not with what the user had heard."""
    toks = analyzer.analyze(text, state.names).tokens
    cut = next((b.end for a, b in pairwise(toks)
                if a.pos == "EC" and a.form.endswith(_BACKGROUND) and b.form == ","), None)
    if cut is None or "?" not in text[cut:]:
        return text
    question = text[cut:].strip()
    asked = analyzer.analyze(question, state.names)
    return question if any(asked.names(m) for m in asked.mentions) else text


def resolve_ellipsis(analyzer: Analyzer, analysis: Analysis, state: DialogueState,
                     sibling: SiblingMatcher | None = None) -> RuleResult:
    frame_text = _asked_clause(analyzer, frame_sentence(analyzer, state), state)
    frame = analyzer.analyze(frame_text, state.names)
    # a charge asked about alone ("설치비는?") is an attribute of the frame's thing, like 가격
    fragment = [replace(m, kind="attribute") if m.kind == "noun" and lx.is_charge(m.text) else m
                for m in analysis.mentions if not m.predicative or m.kind != "noun"]
    replaced: list[tuple[Mention, Mention]] = []
    added: list[Mention] = []
    asked: list[Mention] = []
    used: set[int] = set()
    for m in fragment:
        target = _compatible(m, frame, used)
        if target is not None:
            used.add(target.start)
            replaced.append((m, target))
        elif m.kind in ("attribute", "noun"):
            asked.append(m)
        else:
            added.append(m)
    sibling_rule = ""
    if not replaced and len(fragment) == 1 and (matched := _sibling(sibling, analysis, fragment[0], frame)):
        used.add(matched[0].start)
        replaced, asked, added = [(fragment[0], matched[0])], [], []
        sibling_rule = f"+sibling:{matched[1]:.2f}"
    if any(m.kind in NAMED_KINDS for m in added) and asked:
        return RuleResult(analysis.text)  # a new named thing with its own question: a new topic
    known = [m for m in [*asked, *(m for m, _ in replaced)] if _names_known(m, state)]
    if known and any(m not in known for m in asked):
        # "한강뷰 자동차극장 주차 요금은 얼마야?", "청죽당 정규 과정은 수강료가 얼마야?": a name the dialogue gave, and
        # something of its own asked of it; the question says what it is about
        return RuleResult(analysis.text)
    quotes = [(q.start(), q.end()) for q in TITLE_RE.finditer(analysis.text)]
    if replaced and quotes and all(m.proper for m, _ in replaced) and any(
            t.pos in ("VCP", "VV", "VA") and not any(a <= t.start < b for a, b in quotes) for t in analysis.tokens):
        # "'멍멍숲' 대형견 반은 한 달에 얼마예요?": a quoted name of its own and a predicate: a whole question
        return RuleResult(analysis.text)
    own_named = [m for m in analysis.mentions if m.kind in NAMED_KINDS]
    if len(own_named) >= 2 and any(t.form in lx.INTERROGATIVE_FORMS for t in analysis.tokens):
        return RuleResult(analysis.text)  # "서울에서 강릉 가는 KTX 첫차는 몇 시야?" names and asks all it needs
    if any(m.particle == "의" and m.kind != "time" and not _in_frame(m, frame) for m in analysis.mentions):
        return RuleResult(analysis.text)  # "메일함의 총 용량은 얼마나 되니": a possessor of its own says whose
    if len(asked) >= 2 and asked[0].particle in TOPIC_PARTICLES and _in_frame(asked[0], frame):
        # "하프는 줄 뜯는 방식이 어떻게 돼?": the frame's noun restated as its own topic, something else
        # asked of it; the question says what it is about
        return RuleResult(analysis.text)
    if not replaced and _own_time_and_thing(added, asked, frame):
        return RuleResult(analysis.text)  # "내일 주요 뉴스는 뭐야?": a time and a thing of its own, a new question
    if not (replaced or added) and len(asked) == 1 and len(asked[0].text.split()) >= 3:
        return RuleResult(analysis.text)  # "정보처리기사 실기 합격 발표는 언제야?" says what it asks about in full
    asking = _asking(analysis)
    if replaced and not (asked or added) and all(len(m.text.split()) >= 3 for m, _ in replaced) and asking and not (
            asking & _asking(frame)):
        # "한빛 배틀 시즌2 본선 심사위원은 누구예요?" after "… 예선에 우리 학원 애들도 나와요?": a name in full
        # and a question word the frame did not ask with; the frame's predicate is not what it asks
        return RuleResult(analysis.text)
    if asking and not (asking & _asking(frame)) and any(
            frame.names(fm) and fm.kind != "time" and fm.text in analysis.text for fm in frame.mentions) and any(
            t.pos in ("NNG", "NNP") and t.form not in frame.text for t in analysis.tokens):
        # "레더리 성수는 정규반 수강료가 얼마야?" after "A랑 레더리 성수 중에 어디가 더 싸?", "노마드 4인승 보험료는 …
        # 얼마예요?" after "… 중에 뭐가 연비가 좋아요?": a name of the frame said again with something new asked of it
        # by a question word of its own
        return RuleResult(analysis.text)
    own_place = any(m.kind == "place" for m in [*added, *(m for m, _ in replaced)])
    if asked and all(_weather(m) for m in asked) and not any(_weather(fm) for fm in frame.mentions) and (
            own_place or not any(fm.kind == "place" for fm in frame.mentions)):
        # "내일 날씨는 어때?" after a question about earphones: weather is a place's; "오늘 토론토 날씨는 어떻니"
        # names its own place
        return RuleResult(analysis.text)
    pieces = [(*_span(sibling, m, t), m.text) for m, t in replaced]
    resolutions = [Resolution(m.text, t.text, t.kind, f"ellipsis.replace-{t.kind}{sibling_rule}") for m, t in replaced]
    keep = [fm for fm in frame.entities()
            if fm.start not in used and not any(t.start < fm.end and fm.start < t.end for _, t in replaced)]
    if asked:
        phrase = noun_phrase(
            frame, used, replaced,
            drop_attribute=any(m.kind == "attribute" for m in asked),
            drop_nouns=asked[-1].kind == "noun",  # the fragment's head is a new thing, not an attribute
        )
        answer = reply_answer(frame, state) if not (replaced or added) and all(m.kind == "attribute" for m in asked) \
            else None
        if answer is not None:
            # "초보용 러버 뭐 있어?" -> "'스핀업 소프트 38'이 …" -> "가격은?": the price of the thing the reply named
            phrase = answer
        if phrase and answer is None:
            phrase = replied_one(phrase, frame, state)
        own = _own_start(analysis, asked, [m for m, _ in replaced] + added)
        tail = strip_followups(analysis, start=own)
        if not phrase:
            return RuleResult(analysis.text, confident=False)
        rule = "ellipsis.attribute"
        head = asked[-1]
        request = _request_start(frame) if head.kind == "noun" and is_bare(analysis, head) else None
        prefix = analyzer.analyze(frame_text[:request], state.names) if request is not None else None
        before = noun_phrase(prefix, used, replaced, drop_attribute=True, drop_nouns=True) if prefix else ""
        if prefix is not None and before and not head.text.isdigit():
            # "안과는요?" after "서울대병원 피부과 예약하고 싶어": the same request for the new head noun, which
            # comes before what the frame asked about it ("빵집 가격 알려줘")
            asked_about = [m.text for m in prefix.of_kind("attribute") if m.start not in used]
            words = [analysis.text[own : head.end].strip(" ,"), *asked_about, frame_text[request:].strip()]
            phrase, tail = before, " ".join(words)
            rule = "ellipsis.re-request"
        text = f"{_prefix(added)}{phrase} {tail}".strip()
    else:
        text = _insert(splice(frame_text, pieces), frame, added)
        rule = "ellipsis.carry"
    resolutions += [Resolution(m.text, m.text, m.kind, "ellipsis.add") for m in added]
    resolutions += [Resolution("", fm.text, fm.kind, rule) for fm in keep]
    return RuleResult(text, resolutions, confident=bool(replaced) or bool(asked) or bool(added))


def replied_one(phrase: str, frame: Analysis, state: DialogueState) -> str:
    """Of two or more names the frame's phrase holds, the one the last reply named, when it named only one ("'A'랑
    'B' 고민하다가 'A'로 정했어요" -> "'A'는 채플홀이라 …" -> "주차는?": A's parking, not "A B 주차"); else the
    phrase."""
    named = [m for m in frame.mentions if frame.names(m) and not m.modifier and m.text in phrase]
    names = list(dict.fromkeys(m.text for m in named))
    if len(names) < 2 or not any(m.particle in lx.CONJUNCTION_PARTICLES for m in frame.mentions if m.text in phrase):
        return phrase  # only names set side by side ("A랑 B"), not one that locates another ("을지로 '테이프다방'")
    replied = [e.text for e in state.entities if e.speaker == "assistant" and e.turn == state.turn]
    one = [n for n in names if any(n in r or r in n for r in replied if len(r) >= 2)]
    return one[0] if len(one) == 1 else phrase


def reply_answer(frame: Analysis, state: DialogueState, *, offered: bool = False) -> str | None:
    """The name the last reply gave when the frame asked which one ("뭐 있어?", "어디가 좋아?", "추천해 줘"): its
    first quoted title or answer, else its first proper name of a thing, a place or an organisation. `offered`: the
    text of `offered_entity` ("'맑은물 가전수리'가 있어요"; later ones are alternatives or asides), never what answers
    where or when a named thing is."""
    if offered:
        found = offered_entity(frame, state)
        return branded(found, state) if found is not None else None
    reply = _reply_names(frame, state)
    if not any(t.form in lx.ASKING_FOR_ONE for t in frame.tokens):
        return None
    topics = [e.text for e in state.entities
              if e.speaker == "assistant" and e.turn == state.turn and e.particle in ("은", "는")]
    if not any(t.form in _ANOTHER for t in frame.tokens) and any(
            m.proper and m.kind in ("item", "org") and any(m.text in text for text in topics) for m in frame.mentions):
        # "'노트픽스'라는 수리점 있어요?" -> "… '랩탑119'도 있지만 '노트픽스'는 …": the reply's topic is the thing the
        # frame named, and what else it names is an aside (unless the frame asked for another: "'노트픽스' 말고")
        return None
    named = sorted((e for e in reply if e.salience >= 2 or (e.proper and e.type in ("item", "org", "place"))),
                   key=lambda e: (-min(e.salience, 2), e.order))
    return named[0].text if named else None


_ANOTHER = frozenset({"말", "대신", "다른", "보다", "같", "처럼", "또"})  # "X 말고 / 대신 / 보다 / 같은 …"


def answered_choice(frame: Analysis, state: DialogueState) -> Entity | None:
    """The one of the frame's things that the last reply gives as the answer when the frame asked which ("A랑 B 중에
    초보 수업 많은 데 어디야?" -> "초보 수업은 'B'가 더 많이 …", "A랑 B 중에 일요일에 여는 데 있어?" -> "B만 일요일에
    열어요"): the one it makes its subject or says alone (만), or, when the frame asked where from ("A랑 B 중에 어디서
    망사 살 수 있어요?" -> "망사는 A에서만 팔아요"), the one it says with 에서; None unless exactly one is."""
    named = [m for m in frame.mentions if frame.names(m) and not m.modifier]
    between = len(named) >= 2 and any(t.form == "중" and t.pos in ("NNB", "NNG") and t.start > named[1].start
                                      for t in frame.tokens)
    if not state.last_query or not (between or any(t.form in lx.INTERROGATIVE_FORMS for t in frame.tokens)):
        return None
    answering = {"이", "가", "만"} | ({"에서"} if between and _asks_where_from(frame) else set())
    subjects = {e.text: e for e in state.entities if e.speaker == "assistant" and e.turn == state.turn
                and e.particle in answering and e.text in state.last_query and not e.modifier
                and e.type in ("place", "item", "org")}
    if not subjects and between:
        # "'A' 장조림이 더 부드러워요" after "'A'랑 'B' 중에 장조림 어디가 맛있어?": the option with the thing asked of
        subjects = {o.text: o for e in state.entities if e.speaker == "assistant" and e.turn == state.turn
                    and e.particle in answering for o in _option_of(e.text, named, frame, state)}
    if len(subjects) == 1:
        return next(iter(subjects.values()))
    return _answered_by_words(frame, state) if between and not subjects else None


def _option_of(text: str, named: list[Mention], frame: Analysis, state: DialogueState) -> list[Entity]:
    """The frame's named option a reply's phrase is, when the phrase is that name and words the frame asked of it
    ("반찬 고을 장조림" for "반찬 고을" after "… 중에 장조림 어디가 맛있어?")."""
    for m in named:
        rest = text[len(m.text):].split() if text.startswith(m.text + " ") else []
        if rest and all(w in frame.text for w in rest):
            return [e for e in state.entities if e.text == m.text][-1:]
    return []


_CLOSED = lx.UNAVAILABLE | {"끝나", "종료"}  # "모집이 끝났고": what the question asked for is over there


def _answered_by_words(frame: Analysis, state: DialogueState) -> Entity | None:
    """Of the frame's two or more names ("'A'하고 'B' 중에 대형견 받는 데 있어?"), the one whose clause of the last
    reply alone shares the most of the question's own nouns ("A는 대형견 반이 따로 있어" beside "B는 10kg 이하만
    받고"), and does not say it is over ("모집이 끝났고"); None when they tie or none shares any."""
    names = {m.text for m in frame.mentions if frame.names(m) and not m.modifier}
    said = [e for e in state.entities if e.speaker == "assistant" and e.turn == state.turn and e.text in names
            and not e.modifier and e.type in ("place", "item", "org") and not set(e.context) & _CLOSED]
    words = {t.form for t in frame.tokens if t.pos in ("NNG", "NNP") and len(t.form) >= 2
             and not any(t.form in n for n in names)}
    shared = [sum(any(same_word(w, c) for c in e.context) for w in words) for e in said]
    best = max(shared, default=0)
    return said[shared.index(best)] if best and shared.count(best) == 1 and len(said) >= 1 else None


def _asks_where_from(frame: Analysis) -> bool:
    """Whether the frame asks where from ("어디서", "어디에서")."""
    return any(a.form == "어디" and b.form in ("서", "에서") for a, b in zip(frame.tokens, frame.tokens[1:],
                                                                          strict=False)) or any(
        t.form in ("어디서", "어디에서") for t in frame.tokens)


def kept_by_reply(frame: Analysis, state: DialogueState) -> Entity | None:
    """Of two or more things the frame names, the one the last reply goes on with as its topic or subject ("솔밭
    캠핑장은 너무 멀어서 별빛 캠핑장으로 알아보려고." -> "좋아요, 별빛 캠핑장은 입구에 주차장이 …"), or the one it says
    with the exclusive 만 ("A는 오늘 쉬고, B만 저녁 7시에 연습해요"): what a later elided "이번 주 금요일에 자리 있어?"
    asks about. None unless the reply takes up exactly one of them."""
    named = [m for m in frame.mentions if frame.names(m) and not m.modifier]
    # alternatives: names with one head noun ("솔밭 캠핑장", "별빛 캠핑장"; Kiwi may type one an item and the other a
    # noun), or proper names of one kind; not a place and what is asked about it ("'노을빛 자동차극장' 매점")
    # or names set apart by other words ("A는 만 원이라던데, B는 입장료 얼마야?": each said with its own clause)
    rivals = {m.text for m in named if any(o.text != m.text and (
        o.text.split()[-1] == m.text.split()[-1] or (o.kind == m.kind and o.proper and m.proper)
        or _apart(frame, o, m)) for o in named)}
    if len(rivals) < 2:
        return None
    # one the reply says is closed today ("A는 오늘 정기 휴무고, B는 정상 영업해요") is not the one talked on about
    said = [e for e in state.entities if e.speaker == "assistant" and e.turn == state.turn and e.text in rivals
            and not e.modifier and not set(e.context) & lx.UNAVAILABLE]
    # "A는 오늘 쉬고, B만 저녁 7시에 …": the one said with the exclusive 만 is the one that goes on
    only = [e for e in said if e.particle == "만"]
    if len(only) == 1:
        return only[0]
    kept = {e.text: e for e in said if e.particle in lx.TOPIC_OR_SUBJECT_PARTICLES}
    return next(iter(kept.values())) if len(kept) == 1 else None


def _apart(frame: Analysis, a: Mention, b: Mention) -> bool:
    """Whether two mentions are alternatives by the sentence's form: joined before 중 ("A랑 B 중에 오늘 여는 데"), or
    each the topic of its own clause ("A는 만 원이라던데, B는 입장료 얼마야?"), or the first the topic of a clause that
    gives the reason to take the second ("A는 일주일 걸린대서 B에 맡기려고요"); not one phrase ("'노을빛 자동차극장'
    매점": a place and what is asked about it)."""
    text = frame.text
    first, second = (a, b) if a.start < b.start else (b, a)
    between = text[first.end:second.start].strip(" '\"")
    if between in lx.CONJUNCTION_PARTICLES:
        return text[second.end:].lstrip(" '\"").startswith("중")
    clauses = len(between.split()) >= 2 or any(c in between for c in ",.?!")
    if not clauses or first.particle not in TOPIC_PARTICLES:
        return False
    return second.particle in TOPIC_PARTICLES or any(
        t.pos == "EC" for t in frame.tokens if first.end <= t.start and t.end <= second.start)


def answered_where(frame: Analysis, state: DialogueState) -> str | None:
    """The name the last reply gave where the frame asked where ("스노체인 어디서 사?" -> "'바퀴나라 자동차용품'에서
    팔아요"): the reply's named place or thing in 에서 that the tracker took for the answer. A follow-up that names
    nothing of its own ("장착비는 따로 받아?") asks about that place, not about the thing bought there."""
    if not any(t.form in ("어디", "어디서", "어디에서") for t in frame.tokens):
        return None
    found = next((e for e in state.entities if e.speaker == "assistant" and e.turn == state.turn and e.salience == 3
                  and e.particle == "에서" and e.proper), None)
    return found.text if found is not None else None


def offered_entity(frame: Analysis, state: DialogueState) -> Entity | None:
    """What the last reply offered when the frame asked for one (`asks_for_one`): its first quoted name ("양주 말고도
    포천 '하얀언덕 눈썰매장'이 …") or name it makes its subject (`_named_subject`), else after a request for a venue
    its first place or organisation, else its first proper name of a thing; None when the frame asked for none or the
    reply named none. After "… 버스 있어?" a place the reply names is where to take it, not what was asked for."""
    if not asks_for_one(frame):
        return None
    # a genitive modifier is no offer ("한강의 『소년이 온다』"), unless quoted itself ("'달빛 수족관'의 수달관")
    reply = [e for e in _reply_names(frame, state) if e.salience >= 0 or e.role == "title"]
    venue = asks_for_venue(frame)
    places = ("place", "org") if venue else ("org",)
    # after a request for a venue, a name that comes before any place is the venue ("양촌읍에 있는 해담솔라가 …, 일산
    # 쪽까지 보시면 …"): the places after it are where the others are
    # the first of the quoted names and of the unknown names the reply makes its subject ("처인구에 있는 푸른초원
    # 승마클럽이 …", unquoted; the district before it is where it is)
    offers = ([e for e in reply if e.role == "title" or _named_subject(e, reply)] or [
        *_topic_names(reply), *(e for e in reply if e.type in places or (venue and e.proper and e.type == "item"))]
        or [e for e in reply if e.proper and e.type == "item"])
    return min(offers, key=lambda e: e.order) if offers else None


def _named_subject(e: Entity, reply: list[Entity]) -> bool:
    """A subject of the reply that is a name (proper, or a word open Korean text never uses: `NAME_RARITY`), not a
    place nor led by a time ("요즘 우럭이"), with no subject or topic place before it ("설봉리조트가 초보 슬로프가
    넓어서": the resort is the offer, the slope what it has) and no name before it ("'어니언'을 추천해요.
    '팡도르'가 유명해요"); a place, or a name with no particle ("두물머리 바로 앞에"), before it only says where it
    is."""
    return e.particle in ("이", "가") and e.type in ("thing", "item", "org") and (
        e.proper or e.rarity >= NAME_RARITY) and e.text.split()[0] not in TIME_DEIXIS and not any(
        p.order < e.order and (p.particle in ("이", "가") or (p.type == "place" and p.particle in ("은", "는"))
                               or (p.type in ("item", "org") and p.proper and p.particle is not None))
        for p in reply)


def _topic_names(reply: list[Entity]) -> list[Entity]:
    """The names (proper, or rare in open text) that open a sentence of the reply as its topic ("별빛전파사는 중고 HF
    장비를 많이 취급하고, …"): offered as a subject is, when the reply quotes no name and makes none its subject;
    the first of these and of the places is the offer."""
    return [e for e in reply if e.particle in ("은", "는") and e.type in ("thing", "item", "org", "place")
            and (e.proper or e.rarity >= NAME_RARITY) and e.text.split()[0] not in TIME_DEIXIS
            and not any(p.sentence == e.sentence and p.order < e.order for p in reply)]


def branded(entity: Entity, state: DialogueState) -> str:
    """A branch said right after its brand ("핏라인짐 공덕점", Kiwi's two names) is named with the brand: the branch
    alone ("공덕점") says which of the brand's shops, not which shop."""
    if not entity.text.endswith("점") or " " in entity.text:
        return entity.text
    brand = next((e for e in state.entities if e.turn == entity.turn and e.speaker == entity.speaker
                  and e.order == entity.order - 1 and e.modifier and e.proper and e.type in ("item", "org")), None)
    return f"{brand.text} {entity.text}" if brand is not None else entity.text


def _reply_names(frame: Analysis, state: DialogueState) -> list[Entity]:
    """What the last reply named that the frame did not, leaving out modifiers, settings and descriptions."""
    return [e for e in state.entities if e.speaker == "assistant" and e.turn == state.turn
            and not (e.modifier or e.setting or e.predicative) and e.text not in frame.text]


def asks_for_one(frame: Analysis) -> bool:
    """Whether the frame asks for a venue or a recommendation ("수리 맡길 데 있어?", "타일 파는 곳 알려줘", "추천해
    줘"), or whether one of a kind exists while it names no thing of its own ("망원동에 수제 맥주집 있어?",
    "휴대용 선풍기 있어?"; a place may set it): what the reply names first is then the one asked for."""
    toks = frame.tokens
    if asks_for_venue(frame):
        return True
    content = [t for t in toks if not t.pos.startswith(("S", "E"))]
    return ("?" in frame.text and bool(content) and content[-1].form in ("있", "없")
            and content[-1].pos in ("VA", "VV") and not names_thing(frame)
            and not (len(content) >= 2 and content[-2].form == "수" and content[-2].pos == "NNB")  # "뽑을 수 있어?"
            and not any(t.form in lx.INTERROGATIVE_FORMS for t in toks))  # "… 어디 있어?" asks where, not which


def asks_for_venue(frame: Analysis) -> bool:
    """Whether the frame asks for a place to go or a recommendation ("수리 맡길 데 있어?", "추천해 줘")."""
    return any((t.form in ("곳", "데") and t.pos in ("NNG", "NNB")) or t.form in ("추천", "찾") for t in frame.tokens)


def names_thing(frame: Analysis) -> bool:
    """Whether the frame names a thing, an organisation or a person of its own (a place only sets it)."""
    return any(m.kind in ("item", "org", "person") or (m.proper and m.kind != "place") for m in frame.mentions)


def _own_time_and_thing(added: list[Mention], asked: list[Mention], frame: Analysis) -> bool:
    """A time of the fragment's own, apart from its asked nouns ("주말반" holds its time), and only nouns the frame
    does not hold."""
    return bool(asked) and any(m.kind == "time" and not any(a.start < m.end and m.start < a.end for a in asked)
                               for m in added) and all(m.kind == "noun" and not _in_frame(m, frame) for m in asked)


def _weather(m: Mention) -> bool:
    return any(w in lx.WEATHER_NOUNS for w in m.text.split())


def _names_known(m: Mention, state: DialogueState) -> bool:
    """Whether the mention is, or starts with, a name the dialogue gave ("청죽당" of "청죽당 정규 과정"): a proper
    noun, a quoted title or a noun rare in open text, not a time."""
    first = m.text.split()[0]
    return any(e.type != "time" and (e.proper or e.role == "title" or e.rarity >= NAME_RARITY)
               and (m.text == e.text or first == e.text) for e in state.entities)


def _in_frame(m: Mention, frame: Analysis) -> bool:
    return any(m.text == fm.text or m.text in fm.text.split() for fm in frame.mentions)


def _span(sibling: SiblingMatcher | None, m: Mention, t: Mention) -> tuple[int, int]:
    """What of the frame mention the fragment replaces: with the sibling matcher, the one word it stands in for."""
    return sibling.word_span(m, t) if sibling is not None else (t.start, t.end)


def _sibling(sibling: SiblingMatcher | None, analysis: Analysis, m: Mention,
             frame: Analysis) -> tuple[Mention, float] | None:
    return sibling.match(m, frame) if sibling is not None and is_alone(analysis, m) else None


def _compatible(m: Mention, frame: Analysis, used: set[int]) -> Mention | None:
    if m.text.isascii() and m.text.isdigit():
        return _bare_number(frame, used)
    found = [fm for fm in frame.mentions if fm.start not in used and (
        (m.kind == fm.kind and m.kind != "noun")
        or (m.kind in ("item", "person", "org") and fm.kind in ("item", "person", "org") and m.proper and fm.proper))]
    # among several, the one in the same case takes the fragment: "일본어로는?" replaces "영어로", not the quoted text
    case = m.particle if m.particle not in _FRAGMENT_PARTICLES else None
    same_case = [fm for fm in found if case and fm.particle == case]
    best = same_case or found
    return best[0] if best else None


def is_alone(analysis: Analysis, head: Mention) -> bool:
    """Whether the head noun is all the fragment says: nothing before it but a conjunction or an interjection
    ("그럼 강남점은?"), nothing after it but particles ("해군은?"); "매일 같은 노래만" says more."""
    before = [t for t in analysis.tokens if t.end <= head.start]
    return is_bare(analysis, head) and all(t.pos in ("MAJ", "IC") or t.pos in _PUNCT for t in before)


def is_bare(analysis: Analysis, head: Mention) -> bool:
    """Whether nothing but particles, a polite 요 and punctuation follow the head noun ("술집은요?")."""
    return all(t.pos.startswith("J") or t.pos in _PUNCT or t.form == "요"
               for t in analysis.tokens if t.start >= head.end)


def _request_start(frame: Analysis) -> int | None:
    """Where the request or wish that ends the frame begins ("추천해줘", "예약하고 싶어"): its verb or verbal
    noun after the last noun phrase; None when the frame is not a request."""
    toks = frame.tokens
    if not any(t.pos == "VX" and t.form in ("주", "싶") for t in toks):
        return None
    for k, tok in enumerate(toks):
        nxt = toks[k + 1] if k + 1 < len(toks) else None
        verbal_noun = tok.pos == "NNG" and nxt is not None and nxt.start == tok.end and (
            nxt.pos == "XSV" or (nxt.form == "하" and nxt.pos == "VV")  # Kiwi reads "예약해줘" both ways
        )
        if (verbal_noun or tok.pos == "VV") and not any(
            m.end > tok.start and m.start != tok.start for m in frame.mentions
        ):
            return tok.start
    return None


def _bare_number(frame: Analysis, used: set[int]) -> Mention | None:
    """The frame's last number standing as a word of its own ("에어포스 270 재고", "아이폰 15 가격"), not a count
    or a date ("7시", "3개"): a bare number fragment ("275는?", "16은?") replaces it."""
    toks = frame.tokens
    for k in range(len(toks) - 1, -1, -1):
        tok = toks[k]
        nxt = toks[k + 1] if k + 1 < len(toks) else None
        if tok.pos != "SN" or not tok.form.isdigit() or tok.start in used:
            continue
        if (nxt is not None and nxt.start == tok.end and not (nxt.pos.startswith("J") or nxt.pos in _PUNCT)) or (
            k > 0 and toks[k - 1].end == tok.start and toks[k - 1].pos not in _PUNCT
        ):
            continue  # glued to a counter or a letter: "7시", "S24"
        return Mention(tok.form, "noun", tok.start, tok.end)
    return None


def _own_start(analysis: Analysis, asked: list[Mention], placed: list[Mention]) -> int:
    """Where the fragment's own words begin: after leading connectives and values already placed in the frame."""
    first_asked = min(m.start for m in asked)
    for tok in analysis.tokens:
        if tok.start >= first_asked:
            break
        if tok.pos in ("MAJ", "MAG", "IC") and tok.form in lx.FOLLOWUP_ADVERBS:
            continue
        if any(m.start <= tok.start < m.end for m in placed) or tok.pos.startswith(("J", "S")):
            continue
        return tok.start
    return first_asked


def _prefix(added: list[Mention]) -> str:
    order = {"time": 0, "place": 1}
    return "".join(f"{m.text} " for m in sorted(added, key=lambda m: order.get(m.kind, 2)))


def _insert(frame_text: str, frame: Analysis, added: list[Mention]) -> str:
    if not added:
        return frame_text
    times = [m for m in added if m.kind == "time"]
    others = [m for m in added if m.kind != "time"]
    text = frame_text
    if others:
        lead_time = next((fm for fm in frame.mentions if fm.kind == "time" and fm.start == 0), None)
        cut = lead_time.end if lead_time is not None and lead_time.end <= len(text) else 0
        words = " ".join(m.text for m in others)
        text = f"{text[:cut]} {words} {text[cut:].lstrip()}".strip() if cut else f"{words} {text}"
    if times:
        text = " ".join(m.text for m in times) + " " + text
    return text
