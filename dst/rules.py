"""Rule-based standalone rewriting: anaphora first, then ellipsis against the last standalone query.

Contract: `RuleResolver.resolve(utterance, state)` never raises on a string and returns the rewritten text,
the resolutions that made it, and whether the rules were confident. Nothing is rewritten unless a rule
fires: greetings, thanks, discourse markers and complete new questions come back unchanged.

The rules, tried in this order (the first that fires wins):
anaphora (`dst.antecedents`: "그때 비 와?", "거기 주차돼?", "두 번째 거"), fragment ellipsis against the frame,
the previous standalone user query (`dst.ellipsis`: "부산은?", "내일은?", "요금은?", "안방도", "다섯 명은요?"),
then follow-ups with a predicate of their own that reuse the frame (`dst.frame_reuse`: "돌아오는 건 일요일로 알아봐줘",
"일요일에도 열어?"), and last an utterance that names nothing while its predicate needs the frame's topic
(`dst.zero`, a learned detector: "주차돼요?", "다음 화 틀어 줘"), or a counted request to get more of the exchange's
thing (`dst.counted`: "조종기 없는 걸로 두 대 주문해 줘"), or one whose own noun with 도 shares a word with the
exchange ("주말 자유수영도 있어?", `dst.zero.complete_additive`), or one with common nouns of its own that the follow-up
gate reads as asking about the frame's named thing ("택배로 보내도 되나요?", `dst.followup`).
"""

from __future__ import annotations

from dst.analysis import Analyzer
from dst.anaphora import BARE_TITLE, EVERY, NUMBERED_ENTRY, PAIR_POSITION, RELATIVE_ONE, SIDE_CHOSEN, find_anaphors
from dst.antecedents import resolve_anaphors
from dst.comparison import complete_choice, complete_comparison
from dst.counted import complete_counted
from dst.ellipsis import is_fragment, resolve_ellipsis
from dst.followup import complete_followup
from dst.frame_reuse import additive_time, generic_one
from dst.ranking import AntecedentRanker
from dst.sibling import SiblingMatcher
from dst.types import DialogueState, RuleResult
from dst.zero import ZeroDetector, complete_additive, complete_zero

__all__ = ["RuleResolver", "RuleResult"]

# anaphors that may turn out to be none
FALL_THROUGH = frozenset({RELATIVE_ONE, EVERY, BARE_TITLE, NUMBERED_ENTRY, PAIR_POSITION, SIDE_CHOSEN})


class RuleResolver:
    """`ranker`: the learned antecedent ranker (`dst.ranking`); None leaves the choice to the rules' order.
    `zero`: the learned zero-anaphora detector (`dst.zero`); None completes nothing. `sibling`: the fitted meaning
match of a one-noun fragment (`dst.sibling`); None replaces fragment values by type only."""

    def __init__(self, analyzer: Analyzer, ranker: AntecedentRanker | None = None,
                 zero: ZeroDetector | None = None, sibling: SiblingMatcher | None = None) -> None:
        self.analyzer = analyzer
        self.ranker = ranker
        self.zero = zero
        self.sibling = sibling

    @property
    def learned(self) -> bool:
        """Whether any learned model takes part (the readiness detail says when none does)."""
        return any(m is not None for m in (self.ranker, self.zero, self.sibling))

    def resolve(self, utterance: str, state: DialogueState) -> RuleResult:
        analysis = self.analyzer.analyze(utterance, state.names)
        anaphors = find_anaphors(analysis)
        if anaphors:
            result = resolve_anaphors(self.analyzer, analysis, anaphors, state, self.ranker)
            if result.resolutions or any(a.rule not in FALL_THROUGH for a in anaphors):
                return result
            # "…는 거" that no option's sentence matches, "둘 다" with no two options, a title no one named holds:
            # no anaphor, so the other rules read the utterance
        if state.last_query and is_fragment(analysis):
            return resolve_ellipsis(self.analyzer, analysis, state, self.sibling)
        generic = generic_one(self.analyzer, analysis, state) or additive_time(self.analyzer, analysis, state)
        if generic is not None:
            return generic
        frame = self.analyzer.analyze(state.last_query, state.names) if state.last_query else None
        compared = complete_choice(analysis, state, frame) or complete_comparison(self.analyzer, analysis, state)
        if compared is not None:
            return compared
        # a counted request gets the exchange's named thing, not the frame's words the detector would carry ("두 개 더
        # 담아 줘" after "A 진밥은 유통기한 얼마나 돼?": the 진밥, not its shelf life); a counted question ("두 명
        # 예약돼요?") asks of the frame as a whole, which the detector reads first
        request = "?" not in analysis.text
        counted = complete_counted(analysis, state, frame) if request else None
        completed = counted or complete_zero(self.analyzer, analysis, state, self.zero) or (
            None if request else complete_counted(analysis, state, frame)) or complete_additive(
            self.analyzer, analysis, state) or complete_followup(
            self.analyzer, analysis, state, self.zero.gate if self.zero is not None else None)
        return completed if completed is not None else RuleResult(utterance)
