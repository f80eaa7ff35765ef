"""Anaphora resolution: each anaphor of the utterance is replaced by the text of its antecedent.

Contract: `resolve_anaphors(analyzer, analysis, anaphors, state)` returns the utterance with every anaphor that
has an antecedent (`dst.anaphora.choose`, or the listed item of an ordinal) replaced by it, its particles
re-attached in the allomorph the antecedent needs. It is not confident when an anaphor found no antecedent,
points at the situation (deictic 여기/저기), or needs a place the state only knows as an untyped name.
"""

from __future__ import annotations

from collections.abc import Callable

from dst.analysis import Analysis, Analyzer
from dst.anaphora import Anaphor, choose, ordinal_item
from dst.phrases import splice
from dst.ranking import AntecedentRanker
from dst.types import DialogueState, Entity, Resolution, RuleResult


def resolve_anaphors(
    analyzer: Analyzer, analysis: Analysis, anaphors: list[Anaphor], state: DialogueState,
    ranker: AntecedentRanker | None = None,
) -> RuleResult:
    text = analysis.text
    pieces: list[tuple[int, int, str]] = []
    resolutions: list[Resolution] = []
    confident = True
    has_place = bool(analysis.of_kind("place")) or any(a.need == "place" for a in anaphors)
    for ana in anaphors:
        span = text[ana.start : ana.span_end]
        replacement, antecedent, rule = _antecedent_text(ana, state, has_place, text[ana.start : ana.end],
                                                         _chooser(ranker, analysis))
        if replacement is None:
            confident = False
            continue
        if antecedent == ana.category:
            continue  # "이 기회는" after "이 기회 잡고 싶다": the antecedent is the noun itself, nothing to add
        if ana.deictic or (ana.need == "place" and not _typed_place(antecedent, state)):
            confident = False
        pieces.append((ana.start, ana.span_end, analyzer.attach(replacement, ana.particles)))
        resolutions.append(Resolution(span.strip(), antecedent, ana.need, rule))
    return RuleResult(splice(text, pieces), resolutions, confident)


Chooser = Callable[[Anaphor, DialogueState], tuple[Entity | None, str]]


def _chooser(ranker: AntecedentRanker | None, analysis: Analysis) -> Chooser:
    """The learned ranker when there is one (its probability in the rule name), else the rules' order."""
    if ranker is None:
        return lambda ana, state: (choose(ana, state), "")

    def ranked(ana: Anaphor, state: DialogueState) -> tuple[Entity | None, str]:
        best = ranker.choose(ana, state, analysis)
        if best is not None:
            return best.entity, f"+ranker:{best.probability:.2f}"
        return choose(ana, state), "+rules(ranker unsure)"

    return ranked


def _antecedent_text(
    ana: Anaphor, state: DialogueState, has_place: bool, surface: str, chooser: Chooser
) -> tuple[str | None, str, str]:
    if ana.need == "ordinal":
        item = ordinal_item(ana, state)
        return item, item or "", "ordinal.list"
    entity, how = chooser(ana, state)
    if entity is None:
        return None, "", ana.rule + how
    replacement = entity.text
    rule = ana.rule + how
    if ana.rule == "demonstrative.role" and entity.role is None and not entity.text.endswith(ana.category or ""):
        # a bare name takes the title ("그 감독" -> "봉준호 감독", "그 선생님" keeps 님); a titled one keeps its own
        replacement = f"{entity.text} {surface[1:].strip()}"
    if ana.need == "time" and not has_place:
        place = _event_place(entity, state)
        if place is not None:
            # "그때 비 와?" asks about the event, which has a place: carry it with the time
            replacement = f"{replacement} {place.text}"
            rule += "+carry-place"
    return replacement, entity.text, rule


def _typed_place(text: str, state: DialogueState) -> bool:
    return any(e.text == text and e.type == "place" for e in state.entities)


def _event_place(time_entity: Entity, state: DialogueState) -> Entity | None:
    same_turn = [e for e in state.entities if e.type == "place" and e.turn == time_entity.turn]
    return same_turn[0] if same_turn else None
