"""DstConfig: the settings of context injection, owned here and taken whole by `ContextInjector`.

The composition root embeds this model in its settings (`assistant/sections/dst.py` adds only the HTTP
surface's own limits), so each default is written once. Validation refuses impossible values when the
configuration is built, before any injector exists.
"""

from __future__ import annotations

from typing import Literal, get_args

from pydantic import BaseModel, ConfigDict, Field

Strategy = Literal["rules", "lm", "rules+lm"]
STRATEGIES: tuple[str, ...] = get_args(Strategy)


class DstConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    strategy: Strategy = Field(
        "rules", description="rules: Kiwi + rules; lm: the generation LM, validated; rules+lm: LM when rules are unsure"
    )
    learned: bool = Field(
        True, description="use the bundled learned models (antecedent ranker; zero-anaphora detector, follow-up gate "
        "and sibling matcher, with the offline sentence encoder); false: the rules alone"
    )
    max_rewrite_chars: int = Field(500, ge=16, le=100_000, description="a rewrite never exceeds this length")
    max_history_turns: int = Field(20, ge=0, le=1000, description="history window read by context injection")
    max_turn_chars: int = Field(2000, ge=16, le=100_000, description="characters of each history turn read")
    lm_max_new_tokens: int = Field(96, ge=8, le=4096, description="token budget of one LM rewrite")
    lm_timeout_s: float = Field(10.0, gt=0, le=600, description="an LM rewrite slower than this falls back to rules")
