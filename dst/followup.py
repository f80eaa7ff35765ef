"""Whether an utterance asks about the last exchange: the follow-up gate, a cross-encoder fine-tuned from e5.

Contract: `FollowupGate.probability(utterance, state)` is the probability that the utterance refers back to the last
exchange (`exchange_text(state)`: the frame `last_query` and the start of its reply `last_reply`), read by a pair
classifier on multilingual-e5-small (`korean.e5_pairs`: LoRA rank 8 and a head over the pooled pair) fitted by
`dst.training.followup` and shipped as `data/followup_gate.safetensors`. `threshold` is the score that lets
`meta["calibration"]["false_rate"]` of open questions through after an unrelated exchange, fitted with the gate.
`FollowupGate.load()` returns None when the file is absent or was fitted on other e5 weights (logged); then questions
with nouns of their own are left as they are. Answers are cached per (utterance, exchange).

`complete_followup(analyzer, analysis, state, gate)` completes a question with a common noun of its own that the word
rules never complete ("주말 수업도 있나요?", "택배로 보내도 되나요?" after a reply about a named academy), and only
when:
- the utterance names no particular thing itself (no proper name, no place, no person, none of the frame's names:
  "B는 견인비가 따로 있어?" after "A랑 B 중에 …");
- the frame names something, or the reply offered a name (`dst.ellipsis.reply_answer`), or took up one of two
  alternatives the frame named (`dst.ellipsis.kept_by_reply`), which is then the name completed;
- the reply did not list several named options (`offers_several`: then the question must say which), or a noun of
  the question was said of one of them only (`told_by_shared_word`: "택배로 보내면 며칠 걸려?" after "… A는 택배
  접수도 받아") or the reply answered which of the frame's names it asked for (`dst.ellipsis.answered_choice`),
  which is then the name completed;
- the gate reads a follow-up (past `SHARED_WORD_BAR` only, when a shared noun or the answer told the name).
The named thing goes before the utterance's own words, with the genitive when the first of them is the noun that the
question is about ("하늘 미술학원의 주말 수업도 있나요?"). Commands are left alone: measured after named exchanges, one
with an object of its own ("조명 켜 줘") is a new request. Utterances without a noun of their own stay with the zero
detector (`dst.zero`): letting the gate admit what that detector rejects completed world-knowledge questions ("지금
몇 시야?") and discourse markers ("그거 알아?"), which read as elided to a model without world knowledge.
Why a model and not a rule: measured on blind batches no fit had read, the cosine of the utterance and the exchange
separated follow-ups from new requests with AUC 0.69, a logistic model over e5 pair features 0.81, this
cross-encoder 0.98 (benchmarks/RESULTS.md, stop 39).
"""

from __future__ import annotations

import functools
import logging
import math
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dst import lexicon as lx
from dst.analysis import Analysis, Analyzer
from dst.ellipsis import answered_choice, answered_where, kept_by_reply, reply_answer
from dst.mentions import TITLE_RE
from dst.types import DialogueState, Resolution, RuleResult
from dst.zero import FREE_KINDS, asked_measure, own_start, put_before

if TYPE_CHECKING:
    from korean.e5_pairs import PairScorer

log = logging.getLogger(__name__)

BUNDLED = Path(__file__).resolve().parent / "data" / "followup_gate.safetensors"
EXCHANGE_CHARS = 220
# the gate's bar when a noun of the utterance tells one of several offered names: the shared word is evidence the
# gate does not read (measured with `dst_quality --shifts`)
SHARED_WORD_BAR = 0.5
CACHED_PAIRS = 4096  # (utterance, exchange) pairs whose probability is kept: about 1 MB
_TOPIC_PARTICLES = frozenset({"도", "은", "는", "이", "가", "만"})


def exchange_text(state: DialogueState) -> str:
    """The last exchange as the gate reads it: the frame, " / ", the start of its reply."""
    return f"{state.last_query or ''} / {state.last_reply or ''}"[:EXCHANGE_CHARS]


class FollowupGate:
    """`probability` keeps the last `CACHED_PAIRS` answers: a stateless rewrite replays the whole history, and each
    replayed turn would otherwise be read again (about 15 ms a pair on 2 cores)."""

    def __init__(self, scorer: PairScorer, threshold: float, meta: dict[str, Any] | None = None) -> None:
        self.scorer = scorer
        self.threshold = threshold
        self.meta = meta or {}
        self._cached = functools.lru_cache(maxsize=CACHED_PAIRS)(self._probability)

    def probability(self, utterance: str, state: DialogueState) -> float:
        return self._cached(utterance, exchange_text(state))

    def reads_elided(self, analysis: Analysis, state: DialogueState) -> float | None:
        """The probability that an utterance with no noun of its own, which the zero detector turned down, asks
        about the last exchange ("주말엔 몇 시부터 열어?"), when it reaches the threshold; None otherwise and for
        what the gate cannot judge: an utterance with a pronoun ("그거 알아? 오늘 눈 온대"), one with no worded
        mention at all ("지금 몇 시야?", "1부터 100까지 다 더하면 얼마야?": world knowledge, which the gate lacks, reads
        as elided), and one after a reply that offered several names (the question must say which)."""
        if offers_several(state) or any(t.pos == "NP" for t in analysis.tokens):
            return None
        if not any(any(ch.isalpha() for ch in m.text) for m in analysis.mentions):
            return None
        probability = self.probability(analysis.text, state)
        return probability if probability >= self.threshold else None

    def clear_cache(self) -> None:
        self._cached.cache_clear()

    def _probability(self, utterance: str, exchange: str) -> float:
        try:
            z = float(self.scorer.scores([(utterance, exchange)])[0])
        except Exception:  # evidence only: a failing model completes nothing
            log.exception("follow-up gate failed; completing nothing")
            return 0.0
        return 1.0 / (1.0 + math.exp(-z))

    @classmethod
    def load(cls, path: Path | None = None) -> FollowupGate | None:
        path = path or BUNDLED
        if not path.is_file():
            log.info("no follow-up gate at %s: questions with nouns of their own are not completed", path)
            return None
        from korean.e5_pairs import load_scorer

        try:
            scorer = load_scorer(path)
        except (ValueError, KeyError, OSError) as exc:
            log.warning("follow-up gate not used: %s", exc)
            return None
        return cls(scorer, float(scorer.meta["threshold"]), scorer.meta)


def eligible_own_nouns(analysis: Analysis, frame: Analysis, offered: str | None) -> bool:
    """A question whose own nouns are common ones, after a frame that names something or a reply that offered one."""
    if not analysis.tokens or "?" not in analysis.text:
        return False  # a command with an object of its own ("조명 켜 줘") is a new request, measured on open commands
    if not any(m.kind not in FREE_KINDS and not asked_measure(analysis, m) and any(ch.isalpha() for ch in m.text)
               for m in analysis.mentions):  # a bare number ("1부터 100까지") is no noun of the utterance's own
        return False  # no noun of its own: the zero detector's utterance ("주차돼요?"), or one that needs no frame
    # a place the thing goes to ("제주도까지 배송돼요?") is where, not what the question is about
    if any(m.proper or m.kind == "person" or (m.kind == "place" and m.particle != "까지") for m in analysis.mentions):
        return False
    if any(t.form in lx.SOCIAL_NOUNS or t.form in lx.SOCIAL_PREDICATES for t in analysis.tokens):
        return False
    if any(t.pos == "NP" for t in analysis.tokens):
        return False  # "나 어때?", "그건 뭐야?": the speakers themselves, or a pronoun the anaphora rules read
    # a name, not a kind noun: after "남편이 …" the chit-chat question "삼각관계인가?" is about no named thing
    return offered is not None or any(frame.names(m) and m.kind != "person" for m in frame.mentions)


def told_by_shared_word(analysis: Analysis, state: DialogueState) -> str | None:
    """Of the names the last reply offered, the one whose sentences alone share a noun of the utterance ("택배로
    보내면 며칠 걸려?" after "'A'는 날개 수리를 하고, 'B'는 부품만 팔아. A는 택배 접수도 받아."), or None."""
    mine = {t.form for t in analysis.tokens if t.pos in ("NNG", "NNP") and len(t.form) >= 2}
    names = [e for e in state.entities if e.turn == state.turn and e.speaker == "assistant"
             and (e.proper or e.role == "title") and e.type in ("place", "item", "org")]
    told = {e.text for e in names if mine & set(e.context)}
    return told.pop() if len(told) == 1 else None


def offers_several(state: DialogueState) -> bool:
    """Whether the last reply listed two or more named options: list items that the reply's entities type as places,
    items or organisations, or as proper names (a list finder's pair of clauses is not an offer)."""
    named = {e.text for e in state.entities if e.turn == state.turn and e.speaker == "assistant"
             and (e.proper or e.type in ("place", "item", "org"))}
    return any(lst.turn == state.turn and sum(item in named for item in lst.items) >= 2 for lst in state.lists)


def named_thing(frame: Analysis, offered: str | None) -> str:
    """What the frame or the reply named: the offered name, else the frame's quoted or proper thing first."""
    if offered:
        return offered
    quoted = {q.group(1).strip() for q in TITLE_RE.finditer(frame.text)}
    things = [m for m in frame.mentions if frame.names(m) and m.kind != "person"]
    ranked = sorted(things, key=lambda m: (m.text not in quoted, not m.proper, m.kind == "place", m.start))
    return ranked[0].text if ranked else ""


def complete_followup(analyzer: Analyzer, analysis: Analysis, state: DialogueState,
                      gate: FollowupGate | None) -> RuleResult | None:
    if gate is None or not state.last_query or "?" not in analysis.text:
        return None  # only questions are read: checked before the frame is analysed, on every turn that gets here
    several = offers_several(state)
    told = told_by_shared_word(analysis, state) if several else None
    frame = analyzer.analyze(state.last_query, state.names)
    if several and told is None:
        # after "'한빛 약국'과 '새봄 약국'이 …" a follow-up is about one of them only if it says which, or if the reply
        # answered which one the frame asked for ("A랑 B 중에 신입 모집하는 데 있어?" -> "A는 끝났고, B는 신입을 받아")
        answered = answered_choice(frame, state)
        named = [m.text for m in frame.mentions if frame.names(m) and m.text != getattr(answered, "text", None)]
        if answered is None or any(n in analysis.text for n in named):
            return None  # "B 그룹 레슨은 …?": the question names the other one itself
        told = answered.text
    kept = kept_by_reply(frame, state)  # "A는 멀어서 B로 알아보려고." -> "B는 …": B, not the first name said
    offered = told or reply_answer(frame, state, offered=True) or answered_where(frame, state) or (
        kept.text if kept is not None else None)
    if not eligible_own_nouns(analysis, frame, offered):
        return None
    phrase = named_thing(frame, offered)
    if not phrase or phrase in analysis.text or any(w in analysis.text for w in phrase.split() if len(w) >= 2):
        return None
    if any(m.text != phrase and frame.names(m) and m.text in analysis.text for m in frame.mentions):
        return None  # "B는 견인비가 따로 있어?" after "A랑 B 중에 …": the question names the other one itself
    probability = gate.probability(analysis.text, state)
    if probability < (SHARED_WORD_BAR if told else gate.threshold):
        return None
    lead = own_start(analysis)
    first = next((m for m in analysis.mentions if m.start >= lead), None)
    about = first is not None and not analysis.text[lead:first.start].strip() and first.particle in _TOPIC_PARTICLES
    carried = [Resolution("", phrase, "zero", f"zero.followup-gate:{probability:.2f}")]
    return RuleResult(put_before(analysis, phrase + ("의" if about else "")), carried, confident=False)


@functools.cache
def default_followup_gate() -> FollowupGate | None:
    """The bundled gate, loaded once per process."""
    return FollowupGate.load()
