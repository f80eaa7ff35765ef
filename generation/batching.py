"""Dynamic batching: concurrent requests are gathered for a few milliseconds and decoded as one batch.

One worker thread owns the model. `submit()` never blocks: a full queue raises `GenerationBusy` at once.
The worker takes the oldest job, then gathers jobs that share its decoding key (sampling parameters, seed)
until `max_batch_size` jobs are in hand or `wait_s` has passed since the first; jobs with another key wait
for the next round in arrival order. Results travel back to each job's own event loop, so callers on
different loops (tests, sync adapters) can share one batcher.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import queue
import threading
import time
from collections import deque
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field

from generation.errors import GenerationBusy
from generation.types import StreamEvent

log = logging.getLogger(__name__)


@dataclass(eq=False)
class Job:
    """One request inside the batcher; the worker fills `tokens`, the caller reads events from `events`."""

    prompt_ids: list[int]
    key: Hashable
    max_new_tokens: int
    stop: tuple[str, ...]
    loop: asyncio.AbstractEventLoop
    events: asyncio.Queue[StreamEvent | BaseException]
    deadline: float | None = None
    streaming: bool = True
    cancelled: bool = False
    tokens: list[int] = field(default_factory=list)
    emitted_chars: int = 0
    finish_reason: str | None = None

    def push(self, item: StreamEvent | BaseException) -> None:
        with contextlib.suppress(RuntimeError):  # the caller's loop is closed: nobody is listening any more
            self.loop.call_soon_threadsafe(self.events.put_nowait, item)

    @property
    def done(self) -> bool:
        return self.finish_reason is not None or self.cancelled


class DynamicBatcher:
    def __init__(self, run_batch: Callable[[list[Job]], None], *, max_batch_size: int, wait_s: float,
                 max_queue: int, name: str = "generation-batcher") -> None:
        self._run_batch = run_batch
        self.max_batch_size = max_batch_size
        self.wait_s = wait_s
        self._queue: queue.Queue[Job | None] = queue.Queue(maxsize=max_queue)
        self._carry: deque[Job] = deque()
        self.batches = 0
        self.batch_sizes: list[int] = []
        self._closed = False
        self._stopping = False
        self._thread = threading.Thread(target=self._loop, name=name, daemon=True)
        self._thread.start()

    @property
    def queued(self) -> int:
        return self._queue.qsize() + len(self._carry)

    def submit(self, job: Job) -> None:
        if self._closed:
            raise GenerationBusy("generation backend is shutting down", retry_after=5.0)
        try:
            self._queue.put_nowait(job)
        except queue.Full:
            raise GenerationBusy(
                f"generation queue is full ({self._queue.maxsize} requests waiting); retry shortly",
                retry_after=max(1.0, self.wait_s * 10)) from None

    def close(self, timeout: float = 5.0) -> None:
        self._closed = True
        with contextlib.suppress(queue.Full):
            self._queue.put(None, timeout=timeout)
        self._thread.join(timeout)

    def _next(self, timeout: float | None) -> Job | None:
        if self._carry:
            return self._carry.popleft()
        if self._stopping:
            return None
        try:
            job = self._queue.get(timeout=timeout) if timeout is None or timeout > 0 else self._queue.get_nowait()
        except queue.Empty:
            return None
        if job is None:  # close() sentinel
            self._stopping = True
        return job

    def _gather(self) -> list[Job] | None:
        first = self._next(None)
        if first is None:
            return None
        batch, skipped = [first], []
        until = time.monotonic() + self.wait_s
        # Jobs already carried over are looked at first, without waiting.
        carried = list(self._carry)
        self._carry.clear()
        for job in carried:
            (batch if job.key == first.key and len(batch) < self.max_batch_size else skipped).append(job)
        while len(batch) < self.max_batch_size:
            job = self._next(until - time.monotonic())
            if job is None:
                break
            (batch if job.key == first.key else skipped).append(job)
        self._carry.extend(skipped)
        return batch

    def _loop(self) -> None:
        while True:
            batch = self._gather()
            if batch is None:
                for job in self._carry:
                    job.push(GenerationBusy("generation backend shut down", retry_after=5.0))
                return
            live = [job for job in batch if not job.cancelled]
            if not live:
                continue
            self.batches += 1
            self.batch_sizes.append(len(live))
            try:
                self._run_batch(live)
            except Exception as exc:
                log.exception("batch of %d failed", len(live))
                for job in live:
                    job.push(exc)
