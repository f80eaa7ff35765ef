"""Context injection: Korean anaphora/ellipsis resolution and dialogue-state tracking.

Turns each user utterance into a standalone query ("그때 비 와?" -> "토요일 저녁 7시 강남역 비 와?") and keeps a
typed dialogue state. This package imports no other package of the project; an LM for the "lm" strategy is
wired in through the `RewriteLM` Protocol.
"""

from dst.injector import STRATEGIES, ContextInjector
from dst.lm import RewriteLM
from dst.types import (
    DialogueState,
    DstInputError,
    Entity,
    HistoryTurn,
    OrdinalList,
    Resolution,
    Rewrite,
)

__all__ = [
    "STRATEGIES",
    "ContextInjector",
    "DialogueState",
    "DstInputError",
    "Entity",
    "HistoryTurn",
    "OrdinalList",
    "Resolution",
    "Rewrite",
    "RewriteLM",
]
