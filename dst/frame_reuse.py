"""Follow-ups with a predicate of their own that reuse the frame (the previous standalone user query).

Contract: each function returns None unless its pattern fires. `additive_time(analyzer, analysis, state)`:
an utterance of times only with the additive 도 and a verb ("일요일에도 열어?") asks the frame's question again
for that time, carrying the frame's named things (after a request for a venue, the one the reply offered; of
alternatives, the one the reply went on with, `dst.ellipsis.kept_by_reply`).
`generic_one(analyzer, analysis, state)`: in a request, the topic "…는 건" ("돌아오는 건 일요일로 알아봐줘") stands
for the object of the frame's request. Neither is confident.
"""

from __future__ import annotations

from dst.analysis import Analysis, Analyzer, Mention, Tok
from dst.ellipsis import NAMED_KINDS, TOPIC_PARTICLES, kept_by_reply, reply_answer
from dst.phrases import noun_phrase, splice, strip_followups
from dst.types import DialogueState, Resolution, RuleResult


def additive_time(analyzer: Analyzer, analysis: Analysis, state: DialogueState) -> RuleResult | None:
    """An additive time asks the frame's question again for another time: "일요일에도 열어?"."""
    if not state.last_query or not analysis.mentions:
        return None
    if any(m.kind != "time" for m in analysis.mentions) or not any(
        _additive_particle(analysis, m) for m in analysis.mentions
    ):
        return None
    if not any(t.pos in ("VV", "VA") for t in analysis.tokens):
        return None
    frame = analyzer.analyze(state.last_query, state.names)
    carried = [fm for fm in frame.mentions if fm.kind != "time"]
    # after a request for a venue the venue the reply offered is what is asked about ("수리 맡길 데 있어?" ->
    # "'맑은물 가전수리'가 있어요"); else the utterance repeats the predicate, so its arguments in the frame stay:
    # "치과 토요일에도 열어?"
    offered = reply_answer(frame, state, offered=True)
    # of alternatives the frame named ("A는 6시에 닫던데, B는 몇 시까지 해요?"), the one the reply went on with
    kept = kept_by_reply(frame, state) if not offered else None
    if kept is not None:
        text = f"{kept.text} {strip_followups(analysis)}"
        return RuleResult(text, [Resolution("", kept.text, kept.type, "ellipsis.additive-time+kept")], confident=False)
    if not offered and not any(fm.kind in NAMED_KINDS for fm in carried):
        return None
    phrase = offered or noun_phrase(frame, set(), [], drop_attribute=False, skip_kinds=frozenset({"time"}),
                                    keep_verb_args=True)
    if not phrase:
        return None
    text = f"{phrase} {strip_followups(analysis)}"
    resolutions = ([Resolution("", offered, "item", "ellipsis.additive-time+offered")] if offered else
                   [Resolution("", fm.text, fm.kind, "ellipsis.additive-time") for fm in carried if fm.is_entity])
    return RuleResult(text, resolutions, confident=False)


def generic_one(analyzer: Analyzer, analysis: Analysis, state: DialogueState) -> RuleResult | None:
    """A bound-noun "one" stands for the object of the frame's request: "돌아오는 건 일요일로"."""
    toks = analysis.tokens
    idx = next(
        (k for k in range(1, len(toks)) if toks[k].form in ("거", "것") and toks[k].pos == "NNB"
         and toks[k - 1].pos == "ETM"),
        None,
    )
    if idx is None or not state.last_query or not _requests(toks):
        return None
    particle = toks[idx + 1] if idx + 1 < len(toks) and toks[idx + 1].pos.startswith("J") else None
    if particle is None or particle.form not in TOPIC_PARTICLES:
        return None  # only the topic "~는 건" of a request ("돌아오는 건 일요일로 알아봐줘")
    frame = analyzer.analyze(state.last_query, state.names)
    heads = [m for m in frame.mentions if m.kind == "noun" and m.followed_by_verb]
    if not heads or not _requests(frame.tokens):
        return None
    head = heads[-1]
    end = particle.end
    start = toks[idx].start
    glue = "" if start == 0 or analysis.text[start - 1].isspace() else " "
    pieces = [(start, end, glue + analyzer.attach(head.text, (particle,)))]
    resolutions = [Resolution(analysis.text[toks[idx].start : end], head.text, "object", "generic-one.frame-head")]
    own = {m.kind for m in analysis.entities()}
    carried = [fm for fm in frame.entities() if fm.kind not in own and fm.kind in NAMED_KINDS]
    text = splice(analysis.text, pieces)
    if carried:
        text = " ".join(fm.text for fm in carried) + " " + text
        resolutions += [Resolution("", fm.text, fm.kind, "generic-one.carry") for fm in carried]
    return RuleResult(text, resolutions, confident=False)


def _additive_particle(analysis: Analysis, m: Mention) -> bool:
    """Whether the particles right after `m` include the additive 도 ("일요일에도", "주말도")."""
    for tok in analysis.tokens:
        if tok.start < m.end:
            continue
        if not tok.pos.startswith("J"):
            return False
        if tok.form == "도":
            return True
    return False


def _requests(toks: tuple[Tok, ...]) -> bool:
    """A request ends in the benefactive 주다 ("찾아줘", "알아봐 주세요")."""
    return any(t.form == "주" and t.pos == "VX" for t in toks)
