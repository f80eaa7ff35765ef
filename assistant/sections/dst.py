"""Settings section `dst`: context injection's own `dst.DstConfig` (strategy, learned models, windows, bounds)
plus the limits of the `/v1/context/rewrite` surface. Defaults work offline (rules with the bundled models).
"""

from __future__ import annotations

from pydantic import ConfigDict, Field

from dst import DstConfig


class DstSettings(DstConfig):
    model_config = ConfigDict(extra="forbid")

    api_max_history_turns: int = Field(50, ge=0, le=1000, description="history entries /v1/context/rewrite accepts")
    api_max_turn_chars: int = Field(4000, ge=16, le=100_000, description="characters per history entry accepted")
