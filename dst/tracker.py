"""The dialogue-state tracker: folds one turn into a new `DialogueState`.

Contract: `observe(state, text, speaker)` is pure (returns a new state) and never raises on a string. It adds
the typed entities of the turn (a repeated mention moves to the front of recency instead of duplicating),
the ordinal lists an assistant offered ("1. A 2. B", "A와 B"), the topic (the last attribute a user asked
about) and the domain slots. An assistant's answer to a wh-question ("누구야?" -> "장재현 감독이에요")
introduces its referent, so it is not marked predicative.
"""

from __future__ import annotations

import re

from dst import wos
from dst.analysis import Analysis, Analyzer, Mention, Tok
from dst.types import MAX_ENTITIES, MAX_LISTS, DialogueState, Entity, OrdinalList, Role

_NUMBERED = re.compile(r"(?:^|(?<=\s))(\d{1,2})\s*[.)]\s+")
_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩"
_CONJ_PARTICLES = frozenset({"와", "과", "이나", "나", "랑", "이랑", "하고", "및"})
_ITEM_STOP = frozenset({"SF", "SP", "SSO", "SSC"})
# Which entity type a wh-word asks for.
_WH_TYPES = {"누구": "person", "누가": "person", "언제": "time", "몇": "time", "어디": "place", "뭐": "item",
             "무엇": "item", "어떤": "item", "어느": "item"}


class Tracker:
    def __init__(self, analyzer: Analyzer) -> None:
        self.analyzer = analyzer

    def observe(self, state: DialogueState, text: str, speaker: Role, *, standalone: str | None = None) -> DialogueState:
        """State after `speaker` said `text`; for a user turn `standalone` is its rewrite (the new frame)."""
        turn = state.turn + 1
        source = standalone if speaker == "user" and standalone else text
        analysis = self.analyzer.analyze(source)
        answered = self._asked_types(state.last_query) if speaker == "assistant" else set()
        entities = list(state.entities)
        new: list[Entity] = []
        for m in analysis.entities():
            predicative = m.predicative and not (m.kind in answered or (m.proper and "person" in answered))
            role = "title" if m.kind == "item" and _is_title(source, m) else m.role
            if m.particle == "의" and m.kind != "time":
                role = role or "modifier"
            new.append(Entity(m.text, m.kind, turn, speaker, role, predicative, m.proper))
        for entity in new:
            entities = [e for e in entities if not _same_referent(e, entity)]
            entities.append(entity)
        lists = list(state.lists)
        if speaker == "assistant":
            offered = self.ordinal_list(text, analysis)
            if offered:
                lists.append(OrdinalList(tuple(offered), turn))
        topic = state.topic
        slots = state.slots
        last_query = state.last_query
        if speaker == "user":
            attributes = analysis.of_kind("attribute")
            if attributes:
                topic = attributes[-1].text
            slots = wos.update_slots(slots, [(e.type, e.text) for e in new], source, wos.detect_domain(source))
            if source.strip():
                last_query = source
        return DialogueState(
            tuple(entities[-MAX_ENTITIES:]), tuple(lists[-MAX_LISTS:]), topic, last_query, slots, turn
        )

    def _asked_types(self, query: str | None) -> set[str]:
        if not query:
            return set()
        return {_WH_TYPES[t.form] for t in self.analyzer.analyze(query).tokens if t.form in _WH_TYPES}

    def ordinal_list(self, text: str, analysis: Analysis | None = None) -> list[str]:
        """Options offered in order: numbered ("1. A 2. B", "① A ② B") or joined ("A와 B", "A, B, C")."""
        numbered = self._numbered(text)
        if numbered:
            return numbered
        analysis = analysis or self.analyzer.analyze(text)
        return _conjoined(text, list(analysis.mentions))

    def _numbered(self, text: str) -> list[str]:
        marks = [(m.start(), m.end(), int(m.group(1))) for m in _NUMBERED.finditer(text)]
        marks += [(i, i + 1, _CIRCLED.index(ch) + 1) for i, ch in enumerate(text) if ch in _CIRCLED]
        marks.sort()
        # keep the run 1, 2, 3 … so that "3.6점" or a stray number does not start a list
        run: list[tuple[int, int, int]] = []
        for mark in marks:
            if mark[2] == len(run) + 1:
                run.append(mark)
        if len(run) < 2:
            return []
        items = []
        for k, (_, end, _) in enumerate(run):
            stop = run[k + 1][0] if k + 1 < len(run) else len(text)
            item = self._item_head(text[end:stop])
            if item:
                items.append(item)
        return items if len(items) >= 2 else []

    def _item_head(self, segment: str) -> str:
        """The name at the start of a list entry: "대림창고가 있어요." -> "대림창고"."""
        toks = self.analyzer.tokens(segment)
        last: Tok | None = None
        for tok in toks:
            if tok.pos.startswith(("J", "E", "V", "XS")) or tok.pos in _ITEM_STOP or tok.form in ("-", ":", "–"):
                break
            last = tok
        if last is None:
            return ""
        return segment[: last.end].strip()


def _conjoined(text: str, mentions: list[Mention]) -> list[str]:
    best: list[str] = []
    current: list[Mention] = []
    for m in mentions:
        if current and _linked(text, current[-1], m):
            current.append(m)
        else:
            current = [m]
        if len(current) >= 2 and len(current) > len(best):
            best = [c.text for c in current]
    return best


def _linked(text: str, a: Mention, b: Mention) -> bool:
    between = text[a.end : b.start].strip()
    if a.particle in _CONJ_PARTICLES:
        between = between[len(a.particle) :].strip() if between.startswith(a.particle) else between
    return between in ("", ",", "、") and (a.particle in _CONJ_PARTICLES or text[a.end : b.start].strip() == ",")


def _is_title(text: str, m: Mention) -> bool:
    return m.start > 0 and text[m.start - 1] in "『「《〈<“\"'"


def _same_referent(old: Entity, new: Entity) -> bool:
    if old.text == new.text:
        return True
    # "손흥민" is the same person as "손흥민 선수"
    return new.type == "person" and old.proper and old.type == "item" and new.text.startswith(old.text + " ")
