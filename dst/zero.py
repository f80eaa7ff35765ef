"""Zero anaphora: an utterance whose predicate lacks the topic or object that the frame supplies.

Contract: `complete_zero(analyzer, analysis, state, detector)` returns the utterance with the frame's noun phrase put
before it ("주차돼요?" after "국민건강보험 일산병원 위치가 어디야?" -> "국민건강보험 일산병원 주차돼요?";
"다음 화 틀어 줘" after "약한영웅 3화 틀어 줘" -> "약한영웅 다음 화 틀어 줘"), or None when the detector says the
utterance stands on its own, or when it asks which with a question word as its subject ("배송은 어디가 빨라요?")
after a reply that named two things or more. After a bare reaction ("아쉽다. 입장료는 얼마야?") only the question is
read and completed.
Only questions and requests that name nothing themselves (no noun but attribute nouns, times, quantities and a
means in 로: "영어로도 돼요?") and follow a frame that names a particular thing (`named`) are asked, so a complete new
question is never touched: measured on open chit-chat, letting single common nouns in ("샤워실 있어?") also completed
"수영 배울까?" and "스킨십은 언제 시작해?" with the previous question's nouns.
`complete_additive(analyzer, analysis, state)` completes one kind of question with a noun of its own: the noun takes
the additive 도 and shares a word with the exchange ("주말 자유수영도 있어?" after "… 자유수영은 평일 …"), so the
frame's named thing is put before it with the genitive ("하늘빛 수영장의 주말 자유수영도 있어?").
`ZeroDetector` is a logistic model over `FEATURE_NAMES` (sentence form, what the utterance and the frame hold, and
the sentence encoder's similarity of the two, and the elision model's reading of the utterance alone, `dst.elision`,
itself fitted on open data), fitted by `dst.training.zero` on labelled dialogues and shipped as
`data/zero_detector.json`; without it, nothing is completed. Never confident: the LM strategy may still improve it.
The detector carries the follow-up gate (`dst.followup`, a cross-encoder on e5): it reads questions with nouns of
their own, which the detector does not, and an utterance the detector turned down is still completed when the gate
reads a follow-up in it (`FollowupGate.reads_elided`; the trace then names `followup-gate`).
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dst import lexicon as lx
from dst.analysis import Analysis, Analyzer
from dst.chosen import settled_option
from dst.elision import ElisionModel, ElisionScore, elision_score
from dst.ellipsis import (
    answered_choice,
    answered_where,
    frame_sentence,
    kept_by_reply,
    names_thing,
    replied_one,
    reply_answer,
)
from dst.logistic import LogisticModel, read_model
from dst.mentions import TITLE_RE, Mention
from dst.phrases import noun_phrase, same_word
from dst.types import DialogueState, Resolution, RuleResult
from korean.frequency import NAME_RARITY, noun_rarity

if TYPE_CHECKING:
    from dst.followup import FollowupGate

log = logging.getLogger(__name__)

BUNDLED = Path(__file__).resolve().parent / "data" / "zero_detector.json"
GATE_FROM = 0.1  # the detector's probability from which the follow-up gate reads what the detector turned down
FREE_KINDS = frozenset({"attribute", "time", "quantity"})  # what an utterance may hold and still lack its topic
_PERSONAL = frozenset({"나", "저", "너", "니", "우리", "저희", "너희", "당신", "자기"})
_PREDICATE_TAGS = ("VV", "VA", "XSV", "XSA", "VCP", "VCN")
SentenceSimilarity = Callable[[str, str], float]

FEATURE_NAMES: tuple[str, ...] = (
    "question", "request", "predicate", "attribute", "time_or_quantity", "personal", "connective",
    "short", "tokens", "frame_named", "frame_request", "frame_question", "similarity", "similarity_high", "elided",
)


def eligible(analysis: Analysis, frame: Analysis | None, *, offered: bool = False) -> bool:
    """Whether the utterance names nothing of its own and the frame names something to supply, or (`offered`) the
    last reply named the one the frame asked for ("아이랑 가기 좋은 눈썰매장 있어?" -> "'하얀언덕 눈썰매장'이 …")."""
    if frame is None or not analysis.tokens:
        return False
    if any(m.kind not in FREE_KINDS and not asked_measure(analysis, m) and not _number(analysis, m)
           and not (_means(analysis, m) and m.text not in frame.text) and not _incorporated(analysis, m)
           for m in analysis.mentions):
        return False
    if any(t.form in lx.SOCIAL_NOUNS or t.form in lx.SOCIAL_PREDICATES for t in analysis.tokens):
        return False
    if not ("?" in analysis.text or any(t.form == "주" and t.pos == "VX" for t in analysis.tokens)):
        return False  # a statement ("너무 떨려") reacts; only a question or a request asks about the frame
    if any(t.pos == "NP" and t.form in _PERSONAL for t in analysis.tokens):
        return False  # "나 어때?", "너 누구니?": about the speakers, not about what was talked about
    if _repeats(analysis, frame):
        return any(m.kind not in FREE_KINDS for m in frame.mentions)  # "한 캔 더 시켜 줘" after "테니스공 주문해 줘"
    return offered or any(frame.names(m) for m in frame.mentions)


def _incorporated(analysis: Analysis, m: Mention) -> bool:
    """A one-syllable common noun bare before its verb beside a time or an attribute ("주말에도 문 열어?"): one
    predicate with the verb, which says what the frame's thing does, not a thing of the utterance's own. Alone the
    phrase is as often about the speakers ("밥 먹었어?")."""
    return len(m.text) == 1 and m.particle is None and m.followed_by_verb and not m.proper and not any(
        t.pos == "MM" and t.end <= m.start for t in analysis.before(m.start)[-1:]) and any(  # "모든 불": its own
        n.kind in FREE_KINDS for n in analysis.mentions)


def _means(analysis: Analysis, m: Mention) -> bool:
    """A noun in the instrumental 로 / 으로 of a question ("카드로 결제돼요?", "영어로 작성해도 돼요?") or with the
    additive 도 ("중국어로도 해 줘"): the means or the manner of what the frame's thing is asked to do, not a topic or
    an object of the utterance's own (unless the frame said it: then it is what is talked about). A command's 로
    without 도 mostly says what to set or change to ("외출 모드로 바꿔 줘"), a request of its own (measured on open
    commands after named exchanges)."""
    if m.particle not in ("로", "으로") or m.kind not in ("noun", "item") or len(m.text.split()) > 2:
        return False  # a long phrase before 로 names a thing of its own ("쇼콜라 담 봉봉 16구 세트 택배로")
    inside = analysis.within(m.start, m.end)
    if inside and noun_rarity(inside[-1].form) >= NAME_RARITY:
        return False  # a word open text never uses is a name Kiwi cut a 로 off ("드라코 + 로 + 는"), no means
    before = analysis.before(m.start)[-2:]
    if any(t.pos == "SN" for t in (*analysis.within(m.start, m.end), *before)):
        return False  # a numbered thing is one of its own, and 로 its way ("2번 출구로 나가면 돼?")
    after = analysis.after(m.end, 2)
    additive = len(after) == 2 and after[1].form == "도" and after[1].pos == "JX"
    return additive or "?" in analysis.text


def asked_measure(analysis: Analysis, m: Mention) -> bool:
    """A noun that the interrogative 몇 counts ("몇 층이에요?", "몇층이야?"), or 정도 after 얼마 / 어느 ("얼마 정도
    해?"): the measure asked about, like the bound counters of "몇 시", "몇 개", not a thing of the utterance's own."""
    before = [t for t in analysis.tokens if t.end <= m.start]
    if before and before[-1].form in ("얼마", "어느") and m.text == "정도":
        return True
    return m.text.startswith("몇") or bool(before and before[-1].form == "몇" and before[-1].pos == "MM")


def _number(analysis: Analysis, m: Mention) -> bool:
    """A number with one counter that the lexicon does not list ("5주" shares, "1세트"), or a bare number chosen with
    로 ("235로", a size): an amount or a value of the frame's thing, like "두 켤레", not a thing of the utterance's
    own. A bare number otherwise is arithmetic or a code ("1부터 100까지 더하면")."""
    toks = analysis.within(m.start, m.end)
    if not toks or toks[0].pos != "SN" or len(toks) > 2:
        return False
    return len(toks) == 2 or m.particle in ("로", "으로")


def _repeats(analysis: Analysis, frame: Analysis) -> bool:
    """A request for more of what a requesting frame asked for: "더" in a request after a request."""
    return analysis.requests and frame.requests and any(t.form == "더" and t.pos == "MAG" for t in analysis.tokens)


def zero_features(analysis: Analysis, frame: Analysis, similarity: float, elided: float = 0.0) -> dict[str, float]:
    """`similarity`: the encoder's cosine of utterance and frame; `elided`: the elision model's probability that the
    utterance lacks its topic or object (`dst.elision`)."""
    toks = analysis.tokens
    content = [t for t in toks if not t.pos.startswith(("S", "J", "E"))]
    frame_toks = frame.tokens
    out = {
        "question": float("?" in analysis.text or "？" in analysis.text),
        "request": float(any(t.form == "주" and t.pos == "VX" for t in toks)),
        "predicate": float(any(t.pos in _PREDICATE_TAGS for t in toks)),
        "attribute": float(any(m.kind == "attribute" for m in analysis.mentions)),
        "time_or_quantity": float(any(m.kind in ("time", "quantity") for m in analysis.mentions)),
        "personal": float(any(t.pos == "NP" and t.form in _PERSONAL for t in toks)),
        "connective": float(bool(content) and content[0].form in lx.FOLLOWUP_ADVERBS),
        "short": float(len(content) <= 3),
        "tokens": min(len(content), 12) / 12.0,
        "frame_named": float(sum(frame.names(m) for m in frame.mentions) >= 2),
        "frame_request": float(any(t.form == "주" and t.pos == "VX" for t in frame_toks)),
        "frame_question": float("?" in frame.text),
        "similarity": similarity,
        "similarity_high": float(similarity >= 0.85),
        "elided": elided,
    }
    return {k: v for k, v in out.items() if v}


class ZeroDetector(LogisticModel):
    FEATURE_NAMES = FEATURE_NAMES
    NAME = "zero-anaphora detector"
    FALLBACK = "nothing is completed"

    def __init__(self, weights: dict[str, float], bias: float, threshold: float, *,
                 similarity: SentenceSimilarity | None = None, elision: ElisionScore | None = None,
                 meta: dict[str, Any] | None = None, gate: FollowupGate | None = None) -> None:
        super().__init__(weights, bias, threshold, meta=meta)
        self.similarity = similarity
        self.elision = elision
        self.gate = gate  # the follow-up gate (`dst.followup`): a second reader of whether the frame is asked about

    def elided(self, text: str) -> float:
        return self.elision(text) if self.elision is not None else 0.0

    def sentence_similarity(self, a: str, b: str) -> float:
        if self.similarity is None:
            return 0.0
        try:
            return self.similarity(a, b)
        except Exception:  # the encoder only adds evidence; the detector decides without it
            log.exception("sentence similarity failed; deciding without it")
            return 0.0

    @classmethod
    def load(cls, path: Path | None = None, *, similarity: SentenceSimilarity | None = None,
             elision: ElisionScore | None = None, gate: FollowupGate | None = None) -> ZeroDetector | None:
        return read_model(cls, path or BUNDLED, similarity=similarity, elision=elision, gate=gate)


def put_before(analysis: Analysis, phrase: str) -> str:
    """The utterance with `phrase` before its own words, after its leading connectives ("그럼 X 주차돼?")."""
    lead = own_start(analysis)
    head = analysis.text[:lead]
    return f"{head}{' ' if head and not head.endswith(' ') else ''}{phrase} {analysis.text[lead:]}".strip()


def last_sentence_start(analysis: Analysis) -> int:
    """Where the last sentence of an utterance of several begins ("아쉽다. 입장료는 얼마야?" -> 5), after a remark
    that ends in "." or "!"; 0 for one sentence."""
    ends = [t.end for t in analysis.tokens if t.pos == "SF" and t.form in (".", "!") and t.end < len(analysis.text)]
    if not ends or not analysis.text[ends[-1]:].strip():
        return 0
    start = ends[-1]
    while start < len(analysis.text) and analysis.text[start] == " ":
        start += 1
    return start


_BACKGROUND = frozenset({"ᆫ데", "는데", "은데", "던데"})


def _background_end(analysis: Analysis) -> int:
    """Where the question after a background clause begins ("친구가 외국인인데 영어로도 진행돼?" -> the offset of
    "영어로도"): the clause ends in the connective -ㄴ데 and a question follows with a predicate of its own; 0
    otherwise."""
    if "?" not in analysis.text:
        return 0
    toks = analysis.tokens
    for k, t in enumerate(toks[:-2]):
        if t.pos == "EC" and t.form in _BACKGROUND and any(u.pos in ("VV", "VA", "XSV", "XSA") for u in toks[k + 1:]):
            start = t.end
            while start < len(analysis.text) and analysis.text[start] in " ,":
                start += 1
            return start if start < len(analysis.text) else 0
    return 0


_OPEN_QUESTION = frozenset({"뭐", "무엇", "누구", "누가", "어디", "어느", "무슨", "어떤", "어떻게"})


def _asks_of_a_thing(question: Analysis) -> bool:
    """Whether the question after a background clause asks what a thing does or has: a means ("영어로도 진행돼?") or
    an attribute ("주차비는 얼마야?") of its own, and no open question word ("선물로 뭐가 좋을까요?", "어떻게
    신청해요?" ask for something new). Measured on open chit-chat, a bare predicate after -ㄴ데 ("…는데 가도 되나?")
    is about the speakers, not about the frame's thing."""
    return not any(t.form in _OPEN_QUESTION for t in question.tokens) and any(
        _means(question, m) or m.kind == "attribute" for m in question.mentions)


def own_start(analysis: Analysis) -> int:
    """Where the utterance's own words begin: after leading connectives, interjections and a vocative comma."""
    start = 0
    for tok in analysis.tokens:
        if (tok.pos in ("MAJ", "IC") or (tok.pos == "MAG" and tok.form in lx.FOLLOWUP_ADVERBS)
                or (tok.pos == "SP" and start == tok.start)):
            start = tok.end
            continue
        break
    while start < len(analysis.text) and analysis.text[start] in " ,":
        start += 1
    return start


def _asks_which_of_several(analysis: Analysis, state: DialogueState) -> bool:
    """A question whose subject is a question word ("어디가", "뭐가", "누가") after a reply that named two things or
    more: it asks which of them, so no one of them is its elided topic."""
    asks = any(a.form in _WHICH_WORDS and b.pos == "JKS" for a, b in zip(analysis.tokens, analysis.tokens[1:],
                                                                          strict=False))
    asks = asks or any(t.form == "누가" for t in analysis.tokens)
    named = {e.text for e in state.entities if e.turn == state.turn and e.speaker == "assistant"
             and e.proper and e.type in ("place", "item", "org", "person")}
    return asks and len(named) >= 2


_WHICH_WORDS = frozenset({"어디", "뭐", "무엇", "누구"})


def complete_zero(analyzer: Analyzer, analysis: Analysis, state: DialogueState,
                  detector: ZeroDetector | None) -> RuleResult | None:
    if detector is None or not state.last_query:
        return None
    lead = last_sentence_start(analysis)
    if lead and (not any(t.pos.startswith("N") and t.form not in lx.ORDINAL_HEADS
                         for t in analysis.tokens if t.end <= lead)
                 or _repeated_request(analyzer, analyzer.analyze(analysis.text[lead:], state.names), state)):
        # "아쉽다. 입장료는 얼마야?": a bare reaction, then the question, which is what lacks its topic; so is a choice
        # that names no thing but the option ("가까운 데 다닐래. 몇 시까지 해?"); a remark with a noun ("썸남인데 넘
        # 귀여워. 어쩌지?") is itself what the question is about, unless what follows it asks again for what an
        # earlier request did ("친구들 더 온대. 두 장 더 예매해 줘.")
        done = complete_zero(analyzer, analyzer.analyze(analysis.text[lead:], state.names), state, detector)
        return None if done is None else RuleResult(f"{analysis.text[:lead].rstrip()} {done.text}",
                                                    done.resolutions, done.confident)
    background = _background_end(analysis) if not lead else 0
    question = analyzer.analyze(analysis.text[background:], state.names) if background else None
    if question is not None and _asks_of_a_thing(question):
        # "친구가 외국인인데 영어로도 진행돼?": the clause in -ㄴ데 gives the background; the question after it is what
        # may lack its topic, and the frame's thing goes before it
        done = complete_zero(analyzer, question, state, detector)
        if done is not None:
            return RuleResult(f"{analysis.text[:background].rstrip()} {done.text}", done.resolutions, done.confident)
    frame_text = _repeated_request(analyzer, analysis, state) or frame_sentence(analyzer, state)
    frame = analyzer.analyze(frame_text, state.names)
    # "A랑 B 중에 일요일에 여는 데 있어?" -> "B만 일요일에 열어요"; "추천 없이 들어갈 수 있는 데로 할래요." -> "그럼
    # 청란회가 맞아요."; "A는 멀어서 B로 알아보려고." -> "B는 입구에 …"
    if _asks_which_of_several(analysis, state):
        return None  # "배송은 어디가 빨라요?" after a reply that named two shops: it asks which, about them all
    choice = answered_choice(frame, state) or settled_option(state) or kept_by_reply(frame, state)
    offered = (choice.text if choice is not None else None) or reply_answer(frame, state, offered=True) \
        or answered_where(frame, state)
    if not eligible(analysis, frame, offered=offered is not None):
        return None
    values = zero_features(analysis, frame, detector.sentence_similarity(analysis.text, frame_text),
                           detector.elided(analysis.text))
    probability, reader = detector.probability(values), "detector"
    if _asks_for_more(analysis):
        anchor = _replied_thing(state)
        if offered is not None or _one_named(frame):
            # "더 싼 건 없어?" after a reply that settled on one option, or after a question about one named thing:
            # compared with that one, whatever the detector reads in so short a question
            probability, reader = 1.0, "compared"
        elif anchor is not None:
            # "더 싼 건요?" after "'스카겐 사이드보드'가 있는데 … 280만 원이에요" (a question that named no one
            # thing): the one thing the reply named is what the user wants another than
            return RuleResult(put_before(analysis, anchor + "보다"),
                              [Resolution("", anchor, "zero", "zero.compared-with-reply")], confident=False)
    if probability < detector.threshold and offered is not None and _asks_hours(analysis):
        # "오늘 몇 시까지 해요?" after a reply that answered with one place ("'석정인방'이 낙관 전문이에요"): hours
        # are a place's, and the dialogue settled which; the detector's features do not read the question's verb
        probability, reader = 1.0, "hours"
    if probability < detector.threshold:
        # the cross-encoder reads the exchange itself: "주말엔 몇 시부터 열어?" after a question about a named rink,
        # which the detector's sentence features miss (measured in benchmarks/RESULTS.md, stop 41); it is asked only
        # where the detector is unsure, as each reading costs about 15 ms
        gate = detector.gate
        gated = gate.reads_elided(analysis, state) if gate is not None and probability >= GATE_FROM else None
        if gated is None:
            return None
        probability, reader = gated, "followup-gate"
    asks_attribute = any(m.kind == "attribute" for m in analysis.mentions)
    # a command (no question) acts on the frame's object, not on its instrument or place
    command = "?" not in analysis.text and any(t.form == "주" and t.pos == "VX" for t in analysis.tokens)
    # after "수리 맡길 데 있어?" the topic is the name the reply offered, not the question's words
    # ... unless the frame only said which to take ("연습용으로 살래" -> "'트레이닝볼 100' 한 박스 준비해 둘게요"): then
    # the one the reply settled on is what the command orders more of
    phrase = (None if command and (choice is None or names_thing(frame)) else offered) or noun_phrase(
        frame, set(), [], drop_attribute=asks_attribute, skip_kinds=_own_kinds(analysis), skip_adjuncts=command,
        keep_verb_args=command)
    if not phrase:
        return None
    phrase = fuller(replied_one(phrase, frame, state), state)
    carried = [Resolution("", phrase, "zero", f"zero.frame-topic+{reader}:{probability:.2f}")]
    return RuleResult(put_before(analysis, phrase), carried, confident=False)


def complete_additive(analyzer: Analyzer, analysis: Analysis, state: DialogueState) -> RuleResult | None:
    """"주말 자유수영도 있어?" after "… '하늘빛 수영장' … 자유수영은 평일 …": a question whose one noun of its own
    takes the additive 도 and shares a word with the exchange (the frame or the last reply) asks the same of the
    frame's named thing, which is put before it. Measured on open questions after named exchanges (`dst_quality
    --shifts`), a noun of its own without a shared word is as often a new topic ("지하철 파업해?", "주식도 해?"), which
    no detector fitted here told apart, so nothing else is completed."""
    if not state.last_query or "?" not in analysis.text:
        return None
    named = [m for m in analysis.mentions if m.kind not in FREE_KINDS and not asked_measure(analysis, m)]
    own = [m for m in analysis.mentions if m.particle == "도" and m.kind in ("noun", "attribute") and not m.proper]
    if len(own) != 1:
        return None
    start = own[0].start
    for m in sorted((m for m in named if m is not own[0]), key=lambda m: -m.start):
        if analysis.text[m.end : start].strip():
            return None  # a noun of its own apart from the one with 도; only a modifier of it ("주말 자유수영도") joins
        start = m.start
    if any(t.form in lx.INTERROGATIVE_FORMS or (t.pos == "NP" and t.form in _PERSONAL) for t in analysis.tokens):
        return None
    frame = analyzer.analyze(state.last_query, state.names)
    offered = reply_answer(frame, state, offered=True)
    if offered is None and not names_thing(frame):
        return None
    said = {t.form for t in frame.tokens if t.pos in ("NNG", "NNP")} | {
        w for e in state.entities if e.speaker == "assistant" and e.turn == state.turn for w in (*e.text.split(),
                                                                                                 *e.context)}
    mine = [t.form for t in analysis.within(start, own[0].end) if t.pos in ("NNG", "NNP")]
    if not any(same_word(w, s) for w in mine for s in said):
        return None
    # the named thing alone, not what the frame asked of it ("푸른들 종묘사", not "… 적축면 상추 씨앗")
    quoted = {q.group(1).strip() for q in TITLE_RE.finditer(frame.text)}
    things = [m for m in frame.mentions if m.kind in ("item", "org", "person") or (m.proper and m.kind != "place")]
    phrase = offered or next((m.text for m in sorted(things, key=lambda m: (m.text not in quoted, not m.proper))), "")
    if not phrase or analysis.text[start : own[0].end] in phrase:
        return None
    # the genitive keeps the name a name of its own: "하늘빛 수영장 자유수영도" would read as one thing's name
    return RuleResult(put_before(analysis, phrase + "의"), [Resolution("", phrase, "zero", "zero.additive-shared")],
                      confident=False)


def _request_verb(analysis: Analysis) -> str | None:
    """The verb a 주다-request asks for ("맞추" of "3분 맞춰 줘", "재생" of "재생해 줘"), or None."""
    toks = analysis.tokens
    for k, tok in enumerate(toks):
        if tok.form == "주" and tok.pos == "VX":
            verbs = [t for t in toks[:k] if t.pos in ("VV", "XSV") or (t.pos == "NNG" and t.form.isalpha())]
            if len(verbs) >= 2 and verbs[-1].pos == "XSV":
                return verbs[-2].form  # a verbal noun and its 하다: "재생해 줘" asks for 재생
            return verbs[-1].form if verbs and verbs[-1].pos == "VV" else None
    return None


def _repeated_request(analyzer: Analyzer, analysis: Analysis, state: DialogueState) -> str | None:
    """The latest earlier request with the same verb as a command ("한 번 더 맞춰 줘" after "타이머 3분 맞춰 줘",
    a question between them): what it asks again."""
    if "?" in analysis.text:
        return None
    verb = _request_verb(analysis)
    if verb is None:
        return None
    for request in reversed(state.requests):
        said = analyzer.analyze(request, state.names)
        if _request_verb(said) != verb:
            continue
        # of a request of several sentences, the one that asks ("… 안내문은 이미 있어. 공연 안내문 초안 써 줘.")
        starts = [0] + [t.end for t in said.tokens if t.pos == "SF" and request[t.end:].strip()]
        return next((request[a:].strip() for a in reversed(starts)
                     if _request_verb(analyzer.analyze(request[a:].strip(), state.names)) == verb), request)
    return None


def _asks_for_more(analysis: Analysis) -> bool:
    """A comparative asking for another one: "더" before an adjective that modifies a noun that means only the option
    ("거", "데", `lx.ORDINAL_HEADS`: "더 싼 건?", "좀 더 가벼운 거 있어?")."""
    toks = analysis.tokens
    return "?" in analysis.text and any(
        toks[i].form == "더" and toks[i].pos == "MAG" and toks[i + 1].pos == "VA" and toks[i + 2].pos == "ETM"
        and toks[i + 3].form in lx.ORDINAL_HEADS for i in range(len(toks) - 3))


# The verbs a question about opening hours asks with ("몇 시까지 해?", "몇 시에 열어?", "몇 시부터 받아요?"): a closed
# class of what a business does at a time of day, so a list, not a model.
_HOURS_VERBS = frozenset({"하", "열", "닫", "받", "영업", "운영", "마감"})


def _asks_hours(analysis: Analysis) -> bool:
    """Whether the utterance asks at what time a business opens, closes or takes people: 몇 시 + 까지 / 부터 / 에,
    then one of `_HOURS_VERBS` as its predicate."""
    toks = analysis.tokens
    for i in range(len(toks) - 3):
        if toks[i].form == "몇" and toks[i + 1].form == "시" and toks[i + 1].pos == "NNB" \
                and toks[i + 2].form in ("까지", "부터", "에"):
            verb = next((t for t in toks[i + 3:] if t.pos in ("VV", "XSV", "NNG")), None)
            return verb is not None and verb.form in _HOURS_VERBS
    return False


def _replied_thing(state: DialogueState) -> str | None:
    """The one name the last reply said of a thing (a name the dialogue quoted, not a person), or None when it said
    none or more."""
    named = {e.text for e in state.entities if e.speaker == "assistant" and e.turn == state.turn and e.proper
             and e.type in ("item", "place", "org") and not e.predicative and e.text in state.names}
    return fuller(named.pop(), state) if len(named) == 1 else None


def _one_named(frame: Analysis) -> bool:
    """Whether the frame names exactly one particular thing (a comparative then asks for another like it)."""
    return len({m.text for m in frame.mentions if frame.names(m) and m.kind != "person"}) == 1


def fuller(phrase: str, state: DialogueState) -> str:
    """A phrase that the dialogue named in full before, by one name only ("워머가 비싸네" after "'루미 캔들
    워머'는 6만 9천 원", "흑마늘진액 쪽이 궁금해요" after "'청솔 흑마늘진액 30포'", "한우 진밥" after "'소담이 한우
    진밥'"): the full name, which says which one."""
    if " " in phrase:
        ending = {e.text for e in state.entities if e.proper and e.text.endswith(" " + phrase)}
        return ending.pop() if len(ending) == 1 else phrase
    full = {e.text for e in state.entities if e.proper and " " in e.text and phrase in e.text.split()}
    if not full:
        # the head of the compound that ends the name ("솔 하나 더 주문해 줘" after "'대나무 손잡이 찻솔'")
        full = {e.text for e in state.entities if e.proper and " " in e.text
                and (last := e.text.split()[-1]).endswith(phrase) and len(last) > len(phrase)}
    return full.pop() if len(full) == 1 else phrase


def _own_kinds(analysis: Analysis) -> frozenset[str]:
    """Kinds the utterance states itself (a new time replaces the frame's): they are not carried over."""
    return frozenset(m.kind for m in analysis.mentions if m.kind in ("time", "quantity"))


@functools.cache
def default_zero_detector() -> ZeroDetector | None:
    """The bundled detector with the offline default encoder for the utterance-frame similarity."""
    from dst.followup import default_followup_gate
    from dst.ranking import default_encoder, sentence_similarity

    encoder = default_encoder()
    if encoder is None:
        return ZeroDetector.load()
    model = ElisionModel.load()
    return ZeroDetector.load(similarity=sentence_similarity(encoder),
                             elision=elision_score(model, encoder) if model is not None else None,
                             gate=default_followup_gate())
