"""Per-request routing pins that arrive outside the turn's body (HTTP headers, the pinned-version path).

The HTTP layer sets `pins` for the duration of one request (`X-Model-Endpoint`, `X-Model-Version`); the pipeline
reads it when the TurnRequest names no endpoint or version itself. A ContextVar keeps concurrent requests apart
and follows the request into the tasks it starts (streaming responses copy the context).
"""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True)
class Pins:
    endpoint: str | None = None
    version: str | None = None


pins: ContextVar[Pins | None] = ContextVar("routing_pins", default=None)
