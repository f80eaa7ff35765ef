"""Comparison follow-ups: the other side of a comparison is what the frame asked about.

Contract: `complete_comparison(analyzer, analysis, state)` returns a `RuleResult` or None when the utterance is not
a comparison follow-up. It reads two constructions of the utterance, each naming exactly one new thing X that the
frame (the previous standalone user query) does not name, where the frame names something of its own:
- X with a comitative particle before 비교 ("DB손보랑 비교하면요?", "8주 과정이랑 비교하면 어느 쪽이 싸요?"): the
  frame's noun phrase is put before it as the object of the comparison ("삼성화재 자동차보험 연간 보험료를
  DB손보랑 비교하면요?");
- X as topic or subject of 더 + a predicate ("쏘나타는 얼마나 더 비싸요?"): the frame's first named thing is the
  standard ("아반떼보다 쏘나타는 얼마나 더 비싸요?").
The utterance's own words are kept. Never confident: the LM strategy may still improve it.

`complete_choice(analysis, state)` reads a third: a question that asks which of several ("어느 쪽이 더 빨리 돼?",
"샤워실은 어디가 더 넓어?", "누가 더 잘 가르쳐?") and names and lists no option itself ("A랑 B 중에 어느 쪽이 …"),
after a reply that named two to `MAX_OPTIONS` things of one type (else a frame that did, or listed them: "A랑 B
중에"): the options are put before it ("말끔카펫, 포근세탁소 중 어느 쪽이 더 빨리 돼?"). The interrogatives are a
closed class: 어느 + a noun, and 어디 / 누구 / 뭐 / 무엇 as the subject or topic before 더, 덜, 제일 or 가장 (not
"어디서", which asks a place of its own, nor "뭐가 포함돼요?", which asks what).
"""

from __future__ import annotations

from dst import lexicon as lx
from dst.analysis import Analysis, Analyzer, Tok
from dst.anaphora import WHICH_PRONOUNS, named_options
from dst.lists import offered_options
from dst.phrases import noun_phrase
from dst.types import DialogueState, Resolution, RuleResult
from dst.zero import FREE_KINDS, own_start

_COMITATIVE = frozenset({"랑", "이랑", "와", "과", "하고"})
_DEGREE = frozenset({"더", "덜", "제일", "가장"})
MAX_OPTIONS = 4


def complete_comparison(analyzer: Analyzer, analysis: Analysis, state: DialogueState) -> RuleResult | None:
    if not state.last_query:
        return None
    own = [m for m in analysis.mentions if m.kind not in FREE_KINDS]
    if len(own) != 1:
        return None
    new = own[0]
    frame = analyzer.analyze(state.last_query, state.names)
    if new.text in frame.text or not any(frame.names(m) for m in frame.mentions):
        return None
    toks = analysis.tokens
    after = [t for t in toks if t.start >= new.end]
    if new.particle in _COMITATIVE and any(t.form == "비교" for t in after):
        phrase = noun_phrase(frame, set(), [], drop_attribute=False, keep_verb_args=True)
        if not phrase:
            return None
        head = analyzer.attach(phrase, (Tok("를", "JKO", 0, 0),))
        return _result(analysis, new.start, head, phrase, "comparison.object")
    if new.particle in lx.TOPIC_OR_SUBJECT_PARTICLES and _comparative(after):
        standard = next((m for m in frame.mentions if frame.names(m)), None)
        if standard is None:
            return None
        head = analyzer.attach(standard.text, (Tok("보다", "JKB", 0, 0),))
        return _result(analysis, new.start, head, standard.text, "comparison.standard")
    return None


def _comparative(after: list[Tok]) -> bool:
    """더 before a predicate: "얼마나 더 비싸요", "더 가까워?"."""
    return any(t.form == "더" and t.pos == "MAG" for t in after) and any(t.pos in ("VA", "VV") for t in after)


def _result(analysis: Analysis, at: int, head: str, antecedent: str, rule: str) -> RuleResult:
    text = f"{analysis.text[:at]}{head} {analysis.text[at:]}".strip()
    return RuleResult(text, [Resolution("", antecedent, "comparison", rule)], confident=False)


def complete_choice(analysis: Analysis, state: DialogueState, frame: Analysis | None = None) -> RuleResult | None:
    """`frame`: the analysis of the last standalone query, whose own list ("라벤더랑 로즈마리 중에 …") is the last
    place the options are looked for."""
    if not state.last_query or "?" not in analysis.text or not _asks_which(analysis.tokens):
        return None
    if any(m.proper or m.kind in ("place", "org", "person", "item") for m in analysis.mentions):
        return None  # it names an option itself ("강남점은 어느 쪽이 가까워?"): a question about that one
    if len(offered_options(analysis.text, analysis)) >= 2:
        return None  # it lists its own ("생크림이랑 버터크림 중에 어느 쪽이 …"): nothing to bring in
    options = named_options([e for e in state.entities if e.speaker == "assistant" and e.turn == state.turn])
    if len(options) < 2:
        options = named_options([e for e in state.entities if e.speaker == "user" and e.turn == state.turn - 1])
    if len(options) < 2 and frame is not None:
        options = offered_options(frame.text, frame)
    if not 2 <= len(options) <= MAX_OPTIONS:
        return None
    listed = ", ".join(options)
    return _result(analysis, own_start(analysis), f"{listed} 중", listed, "comparison.options")


def _asks_which(toks: tuple[Tok, ...]) -> bool:
    for k, tok in enumerate(toks[:-1]):
        nxt = toks[k + 1]
        if tok.form == "어느" and tok.pos == "MM" and nxt.pos in ("NNB", "NNG"):
            return True
        if (tok.pos == "NP" and tok.form in WHICH_PRONOUNS and nxt.form in lx.TOPIC_OR_SUBJECT_PARTICLES
                and nxt.pos.startswith("J")
                and any(t.form in _DEGREE and t.pos == "MAG" for t in toks[k + 2:])):
            return True  # "뭐가 더 싸?" chooses; "뭐가 포함돼요?" asks what
    return False
