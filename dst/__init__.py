"""Context injection: Korean anaphora/ellipsis resolution and dialogue-state tracking.

Turns each user utterance into a standalone query ("그때 비 와?" -> "토요일 저녁 7시 강남역 비 와?") and keeps a
typed dialogue state. `DstConfig` is its settings. This package imports only `korean` of the project; an LM
for the "lm" strategy is wired in through the `RewriteLM` Protocol. Exports other than the config load on first
use (`korean.exports`), so reading settings does not load Kiwi.
"""

from typing import TYPE_CHECKING

from dst.config import STRATEGIES, DstConfig, Strategy
from korean.exports import lazy_exports

if TYPE_CHECKING:
    from dst.injector import ContextInjector
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

__getattr__ = lazy_exports(__name__, {
    "ContextInjector": "dst.injector",
    "RewriteLM": "dst.lm",
    "DialogueState": "dst.types",
    "DstInputError": "dst.types",
    "Entity": "dst.types",
    "HistoryTurn": "dst.types",
    "OrdinalList": "dst.types",
    "Resolution": "dst.types",
    "Rewrite": "dst.types",
})

__all__ = [
    "STRATEGIES",
    "ContextInjector",
    "DialogueState",
    "DstConfig",
    "DstInputError",
    "Entity",
    "HistoryTurn",
    "OrdinalList",
    "Resolution",
    "Rewrite",
    "RewriteLM",
    "Strategy",
]
