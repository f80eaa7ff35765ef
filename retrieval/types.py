"""Domain types of the retrieval package: stored responses, hits, selections and knowledge passages.

All are immutable dataclasses; `to_dict()` gives a JSON-serialisable view used in the turn trace.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

Decision = Literal["retrieve", "generate"]


@dataclass(frozen=True)
class ResponseRecord:
    """One stored question/answer pair of a response set."""

    id: str
    question: str
    answer: str
    intent: str | None = None
    tags: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "question": self.question, "answer": self.answer,
                "intent": self.intent, "tags": list(self.tags)}


@dataclass(frozen=True)
class Hit:
    """A stored response matched against a query, with the fused score and each retriever's score."""

    id: str
    question: str
    answer: str
    score: float
    response_set: str
    scores: dict[str, float] = field(default_factory=dict)
    intent: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Selection:
    """The selector's verdict: answer with `hit` (retrieve) or let the LM generate."""

    decision: Decision
    hit: Hit | None
    score: float
    reason: str
    candidates: list[Hit] = field(default_factory=list)
    response_set: str = "default"
    threshold: float = 0.5

    def to_dict(self) -> dict[str, Any]:
        return {
            "decision": self.decision,
            "score": round(self.score, 4),
            "threshold": round(self.threshold, 4),
            "reason": self.reason,
            "response_set": self.response_set,
            "hit": self.hit.to_dict() if self.hit else None,
            "candidates": [c.to_dict() for c in self.candidates],
        }


@dataclass(frozen=True)
class Passage:
    """A chunk of a knowledge document returned for knowledge injection."""

    id: str
    text: str
    source: str
    score: float

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)
