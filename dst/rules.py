"""Rule-based standalone rewriting: anaphora first, then ellipsis against the last standalone query.

Contract: `RuleResolver.resolve(utterance, state)` never raises on a string and returns the rewritten text,
the resolutions that made it, and whether the rules were confident. Nothing is rewritten unless a rule
fires: greetings, thanks, discourse markers and complete new questions come back unchanged.

Ellipsis ("부산은?", "내일은?", "요금은?", "안방도"): the utterance is a fragment (noun phrases with a
topic/additive particle, a question mark or a light predicate such as 어때/얼마야). Against the frame (the
previous standalone user query) a fragment value of a type the frame holds replaces it (slot replacement:
"내일 서울 날씨" + "부산은?" -> "내일 부산 날씨"), the frame's other values are carried over, a new time or
place is added, and a new attribute ("요금은?") is asked about the frame's noun phrase.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from dst import lexicon as lx
from dst.analysis import Analysis, Analyzer, Mention, Tok
from dst.anaphora import Anaphor, choose, find_anaphors, ordinal_item
from dst.types import DialogueState, Entity, Resolution

_NAMED = ("place", "person", "item", "org")
_FRAGMENT_PARTICLES = frozenset({"은", "는", "도", "만", "요", "ᆫ", "이요", "까지", "부터"})
# Determiners and relative-clause pieces may modify a fragment's noun; a final ending (EF) may not.
_MODIFIER_TAGS = frozenset({"MM", "VA", "VV", "VX", "XSA", "XSV", "ETM", "EP", "MAG", "XPN"})
_TOPIC_PARTICLES = frozenset({"은", "는", "도", "ᆫ"})
_PUNCT = ("SF", "SP", "SS", "SSO", "SSC", "SW", "SE", "SO", "SB")


@dataclass
class RuleResult:
    text: str
    resolutions: list[Resolution] = field(default_factory=list)
    confident: bool = True


class RuleResolver:
    def __init__(self, analyzer: Analyzer) -> None:
        self.analyzer = analyzer

    def resolve(self, utterance: str, state: DialogueState) -> RuleResult:
        analysis = self.analyzer.analyze(utterance)
        anaphors = find_anaphors(analysis)
        if anaphors:
            return self._resolve_anaphors(analysis, anaphors, state)
        if state.last_query and self._is_fragment(analysis):
            return self._resolve_ellipsis(analysis, state)
        generic = self._generic_one(analysis, state) or self._additive_time(analysis, state)
        if generic is not None:
            return generic
        return RuleResult(utterance)

    # -- anaphora --------------------------------------------------------------------------------------------
    def _resolve_anaphors(self, analysis: Analysis, anaphors: list[Anaphor], state: DialogueState) -> RuleResult:
        text = analysis.text
        pieces: list[tuple[int, int, str]] = []
        resolutions: list[Resolution] = []
        confident = True
        has_place = bool(analysis.of_kind("place")) or any(a.need == "place" for a in anaphors)
        for ana in anaphors:
            span = text[ana.start : ana.span_end]
            replacement, antecedent, rule = self._antecedent_text(ana, state, has_place)
            if replacement is None:
                confident = False
                continue
            if ana.deictic or (ana.need == "place" and not _typed_place(antecedent, state)):
                confident = False
            pieces.append((ana.start, ana.span_end, self.analyzer.attach(replacement, ana.particles)))
            resolutions.append(Resolution(span.strip(), antecedent, ana.need, rule))
        return RuleResult(_splice(text, pieces), resolutions, confident)

    def _antecedent_text(
        self, ana: Anaphor, state: DialogueState, has_place: bool
    ) -> tuple[str | None, str, str]:
        if ana.need == "ordinal":
            item = ordinal_item(ana, state)
            return item, item or "", "ordinal.list"
        entity = choose(ana, state)
        if entity is None:
            return None, "", ana.rule
        replacement = entity.text
        rule = ana.rule
        if ana.need == "person" and ana.category in lx.ROLE_NOUNS and not entity.text.endswith(ana.category):
            replacement = f"{entity.text} {ana.category}"  # "그 감독" -> "봉준호 감독"
        if ana.need == "time" and not has_place:
            place = _event_place(entity, state)
            if place is not None:
                # "그때 비 와?" asks about the event, which has a place: carry it with the time
                replacement = f"{replacement} {place.text}"
                rule += "+carry-place"
        return replacement, entity.text, rule

    # -- ellipsis --------------------------------------------------------------------------------------------
    def _is_fragment(self, analysis: Analysis) -> bool:
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
                topic = topic or tok.form in _TOPIC_PARTICLES
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

    def _resolve_ellipsis(self, analysis: Analysis, state: DialogueState) -> RuleResult:
        frame_text = state.last_query or ""
        frame = self.analyzer.analyze(frame_text)
        fragment = [m for m in analysis.mentions if not m.predicative or m.kind != "noun"]
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
        if any(m.kind in _NAMED for m in added) and asked:
            return RuleResult(analysis.text)  # a new named thing with its own question: a new topic
        pieces = [(t.start, t.end, m.text) for m, t in replaced]
        resolutions = [Resolution(m.text, t.text, t.kind, f"ellipsis.replace-{t.kind}") for m, t in replaced]
        keep = [fm for fm in frame.entities() if fm.start not in used]
        if asked:
            noun_phrase = _noun_phrase(
                frame, used, replaced,
                drop_attribute=any(m.kind == "attribute" for m in asked),
                drop_nouns=asked[-1].kind == "noun",  # the fragment's head is a new thing, not an attribute
            )
            tail = _strip_followups(analysis, start=_own_start(analysis, asked, [m for m, _ in replaced] + added))
            if not noun_phrase:
                return RuleResult(analysis.text, confident=False)
            text = f"{_prefix(added)}{noun_phrase} {tail}".strip()
            rule = "ellipsis.attribute"
        else:
            text = _insert(_splice(frame_text, pieces), frame, added)
            rule = "ellipsis.carry"
        resolutions += [Resolution(m.text, m.text, m.kind, "ellipsis.add") for m in added]
        resolutions += [Resolution("", fm.text, fm.kind, rule) for fm in keep]
        return RuleResult(text, resolutions, confident=bool(replaced) or bool(asked) or bool(added))

    # -- "일요일에도 열어?" : an additive time asks the frame's question again for another time ---------------
    def _additive_time(self, analysis: Analysis, state: DialogueState) -> RuleResult | None:
        if not state.last_query or not analysis.mentions:
            return None
        if any(m.kind != "time" for m in analysis.mentions) or not any(
            _additive_particle(analysis, m) for m in analysis.mentions
        ):
            return None
        if not any(t.pos in ("VV", "VA") for t in analysis.tokens):
            return None
        frame = self.analyzer.analyze(state.last_query)
        carried = [fm for fm in frame.mentions if fm.kind != "time"]
        if not any(fm.kind in _NAMED for fm in carried):
            return None
        # the utterance repeats the predicate, so its arguments in the frame stay: "치과 토요일에도 열어?"
        noun_phrase = _noun_phrase(frame, set(), [], drop_attribute=False, skip_kinds=frozenset({"time"}),
                                   keep_verb_args=True)
        if not noun_phrase:
            return None
        text = f"{noun_phrase} {_strip_followups(analysis)}"
        resolutions = [Resolution("", fm.text, fm.kind, "ellipsis.additive-time") for fm in carried if fm.is_entity]
        return RuleResult(text, resolutions, confident=False)

    # -- "돌아오는 건 일요일로" : a bound-noun "one" standing for the frame's object --------------------------
    def _generic_one(self, analysis: Analysis, state: DialogueState) -> RuleResult | None:
        toks = analysis.tokens
        idx = next(
            (k for k in range(1, len(toks)) if toks[k].form in ("거", "것") and toks[k].pos == "NNB"
             and toks[k - 1].pos == "ETM"),
            None,
        )
        if idx is None or not state.last_query or not _requests(toks):
            return None
        particle = toks[idx + 1] if idx + 1 < len(toks) and toks[idx + 1].pos.startswith("J") else None
        if particle is None or particle.form not in _TOPIC_PARTICLES:
            return None  # only the topic "~는 건" of a request ("돌아오는 건 일요일로 알아봐줘")
        frame = self.analyzer.analyze(state.last_query)
        heads = [m for m in frame.mentions if m.kind == "noun" and m.followed_by_verb]
        if not heads or not _requests(frame.tokens):
            return None
        head = heads[-1]
        end = particle.end
        start = toks[idx].start
        glue = "" if start == 0 or analysis.text[start - 1].isspace() else " "
        pieces = [(start, end, glue + self.analyzer.attach(head.text, (particle,)))]
        resolutions = [Resolution(analysis.text[toks[idx].start : end], head.text, "object", "generic-one.frame-head")]
        own = {m.kind for m in analysis.entities()}
        carried = [fm for fm in frame.entities() if fm.kind not in own and fm.kind in _NAMED]
        text = _splice(analysis.text, pieces)
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


def _typed_place(text: str, state: DialogueState) -> bool:
    return any(e.text == text and e.type == "place" for e in state.entities)


def _event_place(time_entity: Entity, state: DialogueState) -> Entity | None:
    same_turn = [e for e in state.entities if e.type == "place" and e.turn == time_entity.turn]
    return same_turn[0] if same_turn else None


def _compatible(m: Mention, frame: Analysis, used: set[int]) -> Mention | None:
    for fm in frame.mentions:
        if fm.start in used:
            continue
        if m.kind == fm.kind and m.kind != "noun":
            return fm
        if m.kind in ("item", "person", "org") and fm.kind in ("item", "person", "org") and m.proper and fm.proper:
            return fm
    return None


def _noun_phrase(
    frame: Analysis, used: set[int], replaced: list[tuple[Mention, Mention]], *, drop_attribute: bool,
    drop_nouns: bool = False, skip_kinds: frozenset[str] = frozenset(), keep_verb_args: bool = False,
) -> str:
    """The frame's noun phrase that a new attribute is asked about ("강남역 근처 주차장").

    A new head noun ("분위기 좋은 카페는?" after "황리단길 맛집 추천해줘") replaces the frame's untyped nouns.
    """
    repl = {t.start: m.text for m, t in replaced}
    keep = [
        fm for fm in frame.mentions
        if not (fm.kind == "attribute" and drop_attribute and fm.start not in repl)
        and not (fm.kind == "noun" and ((fm.followed_by_verb and not keep_verb_args) or drop_nouns))
        and fm.kind != "quantity" and fm.kind not in skip_kinds
    ]
    parts: list[str] = []
    prev_end: int | None = None
    for fm in keep:
        piece = repl.get(fm.start, fm.text)
        gap = frame.text[prev_end : fm.start].strip() if prev_end is not None else ""
        if parts and gap and all(w in lx.SPATIAL_NOUNS for w in gap.split()):
            parts.append(gap)  # keep "근처" in "강남역 근처 주차장"
        parts.append(piece)
        prev_end = fm.end
    return " ".join(parts)


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


def _strip_followups(analysis: Analysis, start: int = 0) -> str:
    """The fragment from `start` on (values already placed in the noun phrase are not repeated)."""
    if start > 0:
        return analysis.text[start:].strip(" ,")
    text = analysis.text
    for tok in analysis.tokens:
        if tok.pos in ("MAJ", "MAG", "IC") and tok.form in lx.FOLLOWUP_ADVERBS:
            text = analysis.text[tok.end :]
            continue
        break
    return text.strip(" ,")


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


def _splice(text: str, pieces: list[tuple[int, int, str]]) -> str:
    for start, end, new in sorted(pieces, key=lambda p: p[0], reverse=True):
        text = text[:start] + new + text[end:]
    return text
