"""Backpressure for generation: a bounded number of generations in flight and a bounded FIFO queue.

Contract:
- `slot()` admits at once while fewer than `max_in_flight` generations run and nobody is queued; otherwise the
  caller joins the queue if it has fewer than `max_queue` waiters, else it is refused AT ONCE with `Busy`
  (HTTP 503 + Retry-After). Nobody waits unboundedly: a queued caller is refused after `queue_timeout_s`.
- Slots are handed to waiters in arrival order. A caller cancelled while queued or while generating (client
  disconnect) gives its place or slot back; no slot is ever leaked.
- `slot(wait=False)` is for optional generations (dst's LM rewrite, which has a rule fallback): admitted only while
  a slot is free and nobody is queued, else `Busy` at once without queueing, counted in `declined`, not `refused`.
- Only live generation is admitted here: turns that generate, skills with an LM, dst's LM rewrite. Retrieval answers
  and `/health` never wait for a slot. Shadow generations never take a slot: they start only while the gate is not
  `saturated` and run on their own budget (`assistant.routing.shadow`).
The counters (`in_flight`, `queued`, `peak`, `admitted`, `refused`, `declined`) are for metrics, benchmarks, tests.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from pydantic import BaseModel, ConfigDict, Field

from assistant.errors import Busy


class AdmissionSettings(BaseModel):
    """Settings section `admission` (env: `ASSISTANT_ADMISSION__MAX_IN_FLIGHT=4`)."""

    model_config = ConfigDict(extra="forbid")

    max_in_flight: int = Field(8, ge=1, le=4096, description="generations running at once")
    max_queue: int = Field(32, ge=0, le=100_000, description="generations waiting for a slot")
    queue_timeout_s: float = Field(30.0, gt=0, le=3600, description="longest wait in the queue before refusal")
    retry_after_s: float = Field(1.0, ge=1, le=3600, description="Retry-After sent with a refusal")


class Admission:
    def __init__(self, settings: AdmissionSettings | None = None) -> None:
        settings = settings if settings is not None else AdmissionSettings()
        self.max_in_flight = settings.max_in_flight
        self.max_queue = settings.max_queue
        self.queue_timeout_s = settings.queue_timeout_s
        self.retry_after_s = settings.retry_after_s
        self.in_flight = 0
        self._waiters: deque[asyncio.Future[None]] = deque()
        self.peak = 0
        self.admitted = 0
        self.refused = 0
        self.declined = 0

    @property
    def queued(self) -> int:
        return len(self._waiters)

    @property
    def saturated(self) -> bool:
        """True while a new generation could not start at once (every slot taken, or callers queued)."""
        return self.in_flight >= self.max_in_flight or bool(self._waiters)

    def _refuse(self, why: str) -> Busy:
        self.refused += 1
        return Busy(f"the server is at capacity ({why}); retry after {self.retry_after_s:g} s",
                    retry_after=self.retry_after_s, code="overloaded")

    def _note_peak(self) -> None:
        self.peak = max(self.peak, self.in_flight + len(self._waiters))

    async def _acquire(self, wait: bool) -> None:
        if not self.saturated:
            self.in_flight += 1
            self.admitted += 1
            self._note_peak()
            return
        if not wait:
            self.declined += 1
            raise Busy(f"no free generation slot ({self.in_flight} running, {len(self._waiters)} waiting)",
                       retry_after=self.retry_after_s, code="overloaded")
        if len(self._waiters) >= self.max_queue:
            raise self._refuse(f"{self.in_flight} generations running, {len(self._waiters)} waiting")
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiters.append(waiter)
        self._note_peak()
        try:
            async with asyncio.timeout(self.queue_timeout_s):
                await waiter
        except BaseException as exc:
            if waiter.done() and not waiter.cancelled():
                self._release()  # the slot was handed over just as we gave up: pass it on
            else:
                waiter.cancel()
                if waiter in self._waiters:  # `_release` may already have dropped the cancelled waiter
                    self._waiters.remove(waiter)
            if isinstance(exc, TimeoutError):
                raise self._refuse(f"no generation slot within {self.queue_timeout_s:g} s") from None
            raise
        self.admitted += 1

    def _release(self) -> None:
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(None)  # the slot passes to the next waiter; in_flight is unchanged
                return
        self.in_flight -= 1

    @asynccontextmanager
    async def slot(self, *, wait: bool = True) -> AsyncIterator[None]:
        """One generation slot; `wait=False`: only a free one, never a place in the queue."""
        await self._acquire(wait)
        try:
            yield
        finally:
            self._release()
