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
"""

from __future__ import annotations

from dst.analysis import Analysis, Analyzer, Tok
from dst.phrases import noun_phrase
from dst.types import DialogueState, Resolution, RuleResult
from dst.zero import FREE_KINDS

_COMITATIVE = frozenset({"랑", "이랑", "와", "과", "하고"})
_SUBJECT = frozenset({"은", "는", "ᆫ", "이", "가"})


def complete_comparison(analyzer: Analyzer, analysis: Analysis, state: DialogueState) -> RuleResult | None:
    if not state.last_query:
        return None
    own = [m for m in analysis.mentions if m.kind not in FREE_KINDS]
    if len(own) != 1:
        return None
    new = own[0]
    frame = analyzer.analyze(state.last_query)
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
    if new.particle in _SUBJECT and _comparative(after):
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

