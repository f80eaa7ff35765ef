"""Domain types of context injection: history turns, typed entities, the dialogue state, and the rewrite trace.

Contract: every type here is plain data. `DialogueState.to_dict()` is JSON-serialisable and
`DialogueState.from_dict(state.to_dict()) == state`; `from_dict` refuses malformed input with `DstInputError`.
States are treated as immutable values: the tracker returns new states instead of mutating.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from functools import cached_property
from typing import Any, Literal

Role = Literal["user", "assistant"]
EntityType = Literal["time", "place", "person", "item", "org", "quantity", "thing"]
# "thing": a noun chunk that morphology and the lexicons could not type ("현대 블루핸즈 성수점", "가족관계증명서"); the
# antecedent ranker decides from its rarity, position and context whether it names what a pronoun points at.
ENTITY_TYPES: tuple[str, ...] = ("time", "place", "person", "item", "org", "quantity", "thing")

# How many entities / lists a state keeps; older ones fall out (recency window, keeps stored states small).
MAX_ENTITIES = 48
MAX_LISTS = 3
MAX_REQUESTS = 4
MAX_REPLY_CHARS = 200  # of the last reply kept in the state: the follow-up gate reads at most 112 tokens
_PARTICLE_SYLLABLES = frozenset("도이가나와과랑은는을를만의")  # the last syllables Kiwi takes for a particle


class DstInputError(ValueError):
    """Input that context injection cannot accept (wrong role, malformed state dict, non-string text)."""


@dataclass(frozen=True)
class HistoryTurn:
    role: Role
    text: str

    def __post_init__(self) -> None:
        if self.role not in ("user", "assistant"):
            raise DstInputError(f"history role must be 'user' or 'assistant', got {self.role!r}")
        if not isinstance(self.text, str):
            raise DstInputError("history text must be a string")


@dataclass(frozen=True)
class Entity:
    """One mention of something the conversation talks about.

    `predicative`: the mention is the complement of 이다 ("… 호주인이에요"), it describes a referent rather
    than introducing one, so pronouns do not pick it up. `role`: the role noun that typed a person
    ("감독") or the category noun of an item ("영화"), when the text gave one. `proper`: a proper noun
    that morphology could not type further (a name that may be a person, a title or a product).
    `salience` ranks mentions of one turn (centering): 3 the answer to a wh-question, 2 a quoted title, 1 plain,
    0 an adverbial adjunct of a reply ("여의나루역에서 내리면 돼요"), -1 a genitive modifier ("한강의 …").
    `rarity`: how rare its rarest noun is in open Korean text (`korean.frequency`), 0 for times and numbers;
    `order`: its position among the mentions of its turn (0 = first); `particle`: the particle after it;
    `context`: the content words of its sentence, its own left out ("엔딩곡은 별의 시차예요" gives 별의 시차 the
    context 엔딩곡), which a later "그 엔딩곡" or "오프닝 하는 그 사람" picks it up by. `modifier`: a name follows it in
    its noun phrase ("양평" in "양평 은하수천문대가"): it locates or qualifies that head rather than being talked about.
    `setting`: a reply's mention that repeats where the user set the request ("성수동에 … 스튜디오 있어?" ->
    "성수동에서는 '빛담스튜디오'가 …"): the frame of the answer, not the answer. `asked_for`: for a name a reply gave to
    a question or request, the words of what the user asked for ("가죽공방 원데이 클래스 있어?" -> "'오브제 레더'에서
    …" gives 오브제 레더 가죽공방, 원데이, 클래스): a later "그 공방" picks it up, however later turns named it.
    `sentence`: which sentence of its turn it was said in (0 = first), so that what one sentence says of two options
    can be read together (`dst.ranking`); for a name said again in a later sentence of the same turn, that later one,
    and `said_again` is set ("'A'랑 'B'를 팔아요. 초보분들은 주로 A를 사 가세요": the reply comes back to A).
    `replied`: the earlier turns whose replies named it, before the turn it was last said in (the tracker keeps one
    entity per referent, at its latest turn, so what an earlier reply offered would otherwise be lost).
    """

    text: str
    type: str
    turn: int
    speaker: Role
    role: str | None = None
    predicative: bool = False
    proper: bool = False
    salience: int = 1
    rarity: float = 0.0
    order: int = 0
    particle: str | None = None
    context: tuple[str, ...] = ()
    modifier: bool = False
    setting: bool = False
    asked_for: tuple[str, ...] = ()
    sentence: int = 0
    said_again: bool = False
    replied: tuple[int, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class OrdinalList:
    """Options the assistant offered in order ("1. A 2. B 3. C", "A와 B"), for "두 번째 거". `numbered`: the reply
    marked its entries with numbers ("1번 A, 2번 B", "① A ② B"), so a bare "2번" refers to one."""

    items: tuple[str, ...]
    turn: int
    numbered: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {"items": list(self.items), "turn": self.turn, "numbered": self.numbered}


@dataclass(frozen=True)
class DialogueState:
    """What the conversation has established so far.

    `slots` maps "domain-slot" to a value (KLUE-WoS convention, see `dst.wos`); `last_query` is the
    standalone form of the last user turn, the frame that ellipsis ("부산은?") is resolved against;
    `domain` is the active WoS domain (식당, 숙소 …), kept until a turn names another; `requests` are the standalone
    forms of the last few user requests ("타이머 3분 맞춰 줘"), which a later "한 번 더 맞춰 줘" repeats even after a
    question in between; `last_reply` is the start of the assistant's reply to `last_query` (at most
    `MAX_REPLY_CHARS`), which the follow-up gate reads with it (`dst.followup`).
    """

    entities: tuple[Entity, ...] = ()
    lists: tuple[OrdinalList, ...] = ()
    topic: str | None = None
    last_query: str | None = None
    slots: dict[str, str] = field(default_factory=dict)
    turn: int = 0
    domain: str | None = None
    requests: tuple[str, ...] = ()
    last_reply: str | None = None

    @cached_property
    def names(self) -> frozenset[str]:
        """The names the dialogue has established by quoting them ("'라루나 탱고살롱'에서 …"), which later turns are
        read with (`dst.analysis.Analyzer.analyze`). Quoted ones, and one-word proper names of things Kiwi read whole
        although they end like a particle ("비보도는", which a later "비보도 월 수강권" would cut as 비보 + 도, "also"):
        another name Kiwi found on its own may be a misreading, and forcing it on later turns spread the error. A name
        of several words is also said by its last word ("스시 유키하나" then "유키하나는 …", which Kiwi alone reads as
        유키 + 하나, "one")."""
        quoted = [e.text for e in self.entities if e.role == "title"]
        whole = [e.text for e in self.entities if e.proper and " " not in e.text and len(e.text) >= 3
                 and e.text[-1] in _PARTICLE_SYLLABLES and e.type != "person"]
        return frozenset([*quoted, *whole, *(t.rsplit(maxsplit=1)[1] for t in quoted
                                             if len(t.rsplit(maxsplit=1)[-1]) >= 2 and " " in t)])

    @cached_property
    def sentences(self) -> dict[tuple[int, str, int], tuple[Entity, ...]]:
        """The entities by the sentence they were said in: (turn, speaker, sentence) -> entities in order."""
        out: dict[tuple[int, str, int], list[Entity]] = {}
        for e in self.entities:
            out.setdefault((e.turn, e.speaker, e.sentence), []).append(e)
        return {k: tuple(v) for k, v in out.items()}

    def to_dict(self) -> dict[str, Any]:
        return {
            "entities": [e.to_dict() for e in self.entities],
            "lists": [lst.to_dict() for lst in self.lists],
            "topic": self.topic,
            "last_query": self.last_query,
            "slots": dict(self.slots),
            "turn": self.turn,
            "domain": self.domain,
            "requests": list(self.requests),
            "last_reply": self.last_reply,
        }

    @classmethod
    def from_dict(cls, data: Any) -> DialogueState:
        if not isinstance(data, dict):
            raise DstInputError("state must be an object")
        try:
            entities = tuple(
                Entity(
                    text=str(e["text"]),
                    type=str(e["type"]),
                    turn=int(e["turn"]),
                    speaker=e.get("speaker", "user"),
                    role=e.get("role"),
                    predicative=bool(e.get("predicative", False)),
                    proper=bool(e.get("proper", False)),
                    salience=int(e.get("salience", 1)),
                    rarity=float(e.get("rarity", 0.0)),
                    order=int(e.get("order", 0)),
                    particle=e.get("particle"),
                    context=tuple(str(w) for w in e.get("context", ())),
                    modifier=bool(e.get("modifier", False)),
                    setting=bool(e.get("setting", False)),
                    asked_for=tuple(str(w) for w in e.get("asked_for", ())),
                    sentence=int(e.get("sentence", 0)),
                    said_again=bool(e.get("said_again", False)),
                    replied=tuple(int(t) for t in e.get("replied", ())),
                )
                for e in data.get("entities", [])
            )
            lists = tuple(
                OrdinalList(items=tuple(str(i) for i in lst["items"]), turn=int(lst["turn"]),
                            numbered=bool(lst.get("numbered", False)))
                for lst in data.get("lists", [])
            )
            slots = {str(k): str(v) for k, v in dict(data.get("slots", {})).items()}
            topic = data.get("topic")
            last_query = data.get("last_query")
            turn = int(data.get("turn", 0))
            domain = data.get("domain")
            requests = tuple(str(r) for r in data.get("requests", ()))
            last_reply = data.get("last_reply")
        except (KeyError, TypeError, ValueError) as exc:
            raise DstInputError(f"malformed state: {exc}") from exc
        for e in entities:
            if e.type not in ENTITY_TYPES:
                raise DstInputError(f"malformed state: unknown entity type {e.type!r}")
            if e.speaker not in ("user", "assistant"):
                raise DstInputError(f"malformed state: unknown speaker {e.speaker!r}")
            if e.particle is not None and not isinstance(e.particle, str):
                raise DstInputError("malformed state: particle must be a string")
        if topic is not None and not isinstance(topic, str):
            raise DstInputError("malformed state: topic must be a string")
        if last_query is not None and not isinstance(last_query, str):
            raise DstInputError("malformed state: last_query must be a string")
        if domain is not None and not isinstance(domain, str):
            raise DstInputError("malformed state: domain must be a string")
        if last_reply is not None and not isinstance(last_reply, str):
            raise DstInputError("malformed state: last_reply must be a string")
        return cls(entities[-MAX_ENTITIES:], lists[-MAX_LISTS:], topic, last_query, slots, turn, domain,
                   requests[-MAX_REQUESTS:], last_reply)


@dataclass(frozen=True)
class Resolution:
    """One decision of the rewrite: `span` of the utterance became `antecedent` (kind: what was resolved)."""

    span: str
    antecedent: str
    kind: str
    rule: str

    def to_dict(self) -> dict[str, str]:
        return asdict(self)


@dataclass
class RuleResult:
    """What one rule-based rewrite made: the text, the decisions behind it, and whether the rules trust it."""

    text: str
    resolutions: list[Resolution] = field(default_factory=list)
    confident: bool = True


@dataclass(frozen=True)
class Rewrite:
    """The standalone query and its trace. `confident` is False when rules saw context they could not use."""

    standalone: str
    state: DialogueState
    resolutions: list[Resolution]
    strategy: str
    original: str = ""
    confident: bool = True
    truncated: bool = False

    @property
    def changed(self) -> bool:
        return self.standalone != self.original

    def to_dict(self, *, include_state: bool = False) -> dict[str, Any]:
        """The trace; the state is left out unless asked for (responses and turns carry it on their own)."""
        out: dict[str, Any] = {
            "standalone": self.standalone,
            "original": self.original,
            "strategy": self.strategy,
            "confident": self.confident,
            "truncated": self.truncated,
            "resolutions": [r.to_dict() for r in self.resolutions],
        }
        if include_state:
            out["state"] = self.state.to_dict()
        return out
