"""Graceful shutdown of turns: stop admitting, let in-flight turns finish within the grace period, cancel the rest.

Contract:
- `TurnDrain.admit()` wraps one turn (in the task that runs it). While the drain is open it registers the task;
  once `drain()` has begun it refuses at once with 503 `shutting_down` and `Retry-After` (a `Busy`: nothing is
  stored, the client resends, to another replica).
- `drain(grace_s)` begins refusing, waits until every admitted turn has ended or `grace_s` has passed, then cancels
  the turns left and waits (at most `cancel_wait_s`) until they have ended. A cancelled turn learns why from
  `stopped_by_shutdown()`: `assistant.pipeline.failures.turn_scope` then stores its user message as a failed turn
  and raises `shutting_down_error()` (503 `shutting_down`, a server error), so a streamed turn ends with an `error`
  event and a blocking one with the error body, like every other server-side failure.
- `drain_all(grace_s)` drains every `TurnDrain` of this process (each `TurnPipeline` has one): `assistant serve`
  calls it when uvicorn begins its shutdown (SIGTERM, SIGINT), before uvicorn waits for connections to close.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import weakref
from collections.abc import Iterator

from assistant.errors import Busy, Unavailable

log = logging.getLogger(__name__)
_DRAINS: weakref.WeakSet[TurnDrain] = weakref.WeakSet()
SHUTTING_DOWN = "shutting_down"


class TurnDrain:
    def __init__(self, *, cancel_wait_s: float = 2.0) -> None:
        self.cancel_wait_s = cancel_wait_s
        self.draining = False
        self._turns: set[asyncio.Task[object]] = set()
        self._cancelled: weakref.WeakSet[asyncio.Task[object]] = weakref.WeakSet()
        self._idle: asyncio.Event | None = None
        _DRAINS.add(self)

    @property
    def in_flight(self) -> int:
        return len(self._turns)

    @contextlib.contextmanager
    def admit(self) -> Iterator[None]:
        """Hold the current task as an in-flight turn; refused once the drain has begun."""
        if self.draining:
            raise Busy("the server is shutting down; send the turn again", retry_after=1.0, code=SHUTTING_DOWN)
        task = asyncio.current_task()
        assert task is not None
        self._turns.add(task)
        try:
            yield
        finally:
            self._turns.discard(task)
            if not self._turns and self._idle is not None:
                self._idle.set()

    def stopped_by_shutdown(self) -> bool:
        """Whether the current task's cancellation is this drain's (and not a client hang-up or a deadline)."""
        task = asyncio.current_task()
        return task is not None and task in self._cancelled

    @staticmethod
    def shutting_down_error() -> Unavailable:
        return Unavailable("the server shut down before this turn finished; its message is stored as a failed turn",
                           code=SHUTTING_DOWN)

    async def drain(self, grace_s: float) -> int:
        """Refuse new turns, wait up to `grace_s` for the in-flight ones, cancel the rest; returns how many."""
        self.draining = True
        if not self._turns:
            return 0
        self._idle = asyncio.Event()
        started = time.monotonic()
        log.info("shutdown: waiting up to %g s for %d turn(s) in flight", grace_s, len(self._turns))
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(grace_s):
                await self._idle.wait()
        left = list(self._turns)
        if not left:
            log.info("shutdown: every turn finished within %.1f s", time.monotonic() - started)
            return 0
        log.warning("shutdown: cancelling %d turn(s) still running after %g s", len(left), grace_s)
        for task in left:
            self._cancelled.add(task)
            task.cancel(msg=SHUTTING_DOWN)
        await asyncio.wait(left, timeout=self.cancel_wait_s)
        return len(left)


async def drain_all(grace_s: float) -> int:
    """Drain every turn pipeline of this process concurrently (see the module contract)."""
    drains = list(_DRAINS)
    return sum(await asyncio.gather(*(d.drain(grace_s) for d in drains))) if drains else 0
