"""Server-sent events for every streaming surface, through sse-starlette: pings, disconnects, one format.

Contract: `sse_response(events, settings, headers)` answers an async iterator of `{"event"?, "data"}` dicts (data
already a string) as `text/event-stream` with `\\n` line ends, a `: ping` comment after `limits.stream_ping_s`
seconds without an event (proxies and clients keep a slow turn open), and sse-starlette's headers (no caching, no
proxy buffering). When the client goes away the iterator is cancelled; `closing(events)` shields the turn's own
cleanup from that cancellation, so its conversation lock and generation slot are given back at once.
(benchmarks/RESULTS.md, "Server-sent events": the library against the hand-written writer it replaced.)
On SIGTERM/SIGINT sse-starlette would by default cancel every open stream at once (its "automatic graceful drain"),
cutting a streamed turn without its `error` event and before the turn is stored as failed. The server's own drain
(`assistant.shutdown`, README "Shutdown") ends each turn's stream instead, so the library's is switched off here, for
the process; what is still open after the drain is closed by uvicorn's `timeout_graceful_shutdown`.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncGenerator, AsyncIterator, Mapping
from typing import Any

import anyio
from sse_starlette import EventSourceResponse
from sse_starlette.sse import AppStatus

from assistant.settings import Settings

AppStatus.disable_automatic_graceful_drain()  # the turns' own drain ends their streams (module docstring)


def sse_response(events: AsyncIterator[dict[str, Any]], settings: Settings,
                 headers: Mapping[str, str] | None = None) -> EventSourceResponse:
    return EventSourceResponse(events, headers=dict(headers or {}), ping=settings.limits.stream_ping_s, sep="\n")


@contextlib.asynccontextmanager
async def closing(events: AsyncGenerator[Any]) -> AsyncIterator[AsyncGenerator[Any]]:
    """Close `events` (a turn's stream) on the way out, even when the response is being cancelled."""
    try:
        yield events
    finally:
        with anyio.CancelScope(shield=True):
            await events.aclose()
