"""Continuous batching: requests join and leave the running batch at every decoding step.

One worker thread owns the model. `submit()` never blocks: a full queue raises `GenerationBusy` at once. The worker
loops over iterations; in each one it

1. admits queued requests while fewer than `max_batch_size` are held (when it holds none, it first waits for
   one, then up to `wait_s` for more, so a burst starts as one prefill),
2. asks the engine for one iteration of model work (`StepEngine.step`: a prompt chunk for requests still reading
   their prompt, then one decoding step for all the others, each with its own sampling parameters),
3. releases the requests that finished, were cancelled by their caller, or passed their deadline.

So a request waits for at most one iteration before it starts, never for another request's whole reply, and a
finished or abandoned one stops costing compute at the next step. There is no batch key: requests with different
sampling parameters share every forward pass. Results travel back to each job's own event loop, so callers on
different loops (tests, sync adapters) can share one batcher. An engine failure fails the requests it held (each
gets the exception) and the worker carries on with the next ones. `close()` stops admitting, lets the requests
already admitted or queued finish, then ends the thread.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import queue
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Protocol

from generation.errors import GenerationBusy
from generation.sampling import Sampling
from generation.types import StreamEvent

log = logging.getLogger(__name__)


@dataclass(eq=False)
class Job:
    """One request inside the batcher; the worker fills `tokens`, the caller reads events from `events`."""

    prompt_ids: list[int]
    sampling: Sampling
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
    # worker-side state
    pending: list[int] = field(default_factory=list)  # prompt tokens not fed to the model yet
    cached_tokens: int = 0  # prompt tokens whose KV came from the prefix cache
    last_token: int | None = None  # sampled, not fed yet
    generator: Any = None  # torch.Generator of a seeded sampling request
    submitted_at: float = field(default_factory=time.monotonic)

    def push(self, item: StreamEvent | BaseException) -> None:
        with contextlib.suppress(RuntimeError):  # the caller's loop is closed: nobody is listening any more
            self.loop.call_soon_threadsafe(self.events.put_nowait, item)

    @property
    def done(self) -> bool:
        return self.finish_reason is not None or self.cancelled

    def expire(self, now: float) -> bool:
        """Past its deadline: the caller raises the timeout; the row is dropped at the next release."""
        if self.deadline is not None and now >= self.deadline and not self.done:
            self.cancelled = True
        return self.done


class StepEngine(Protocol):
    @property
    def rows(self) -> int:
        """Requests held (reading their prompt or decoding)."""

    def admit(self, jobs: list[Job]) -> None:
        """Take new requests; they start at the next `step`."""

    def step(self) -> None:
        """One iteration of model work for every held request."""

    def release(self) -> None:
        """Drop the requests that are done (finished, cancelled, past their deadline)."""

    def reset(self) -> list[Job]:
        """Drop everything (after a failure) and return the requests that were held."""


class ContinuousBatcher:
    def __init__(self, engine: StepEngine, *, max_batch_size: int, wait_s: float, max_queue: int,
                 name: str = "generation-batcher") -> None:
        self.engine = engine
        self.max_batch_size = max_batch_size
        self.wait_s = wait_s
        self._queue: queue.Queue[Job | None] = queue.Queue(maxsize=max_queue)
        self.iterations = 0  # iterations that ran model work
        self.admitted = 0
        self.peak_rows = 0
        self._closed = False
        self._stopping = False
        self._thread = threading.Thread(target=self._loop, name=name, daemon=True)
        self._thread.start()

    @property
    def queued(self) -> int:
        return self._queue.qsize()

    def submit(self, job: Job) -> None:
        if self._closed:
            raise GenerationBusy("generation backend is shutting down", retry_after=5.0)
        try:
            self._queue.put_nowait(job)
        except queue.Full:
            raise GenerationBusy(
                f"generation queue is full ({self._queue.maxsize} requests waiting); retry shortly",
                retry_after=1.0) from None

    def close(self, timeout: float = 5.0) -> None:
        self._closed = True
        with contextlib.suppress(queue.Full):
            self._queue.put(None, timeout=timeout)
        self._thread.join(timeout)

    def _take(self, timeout: float | None) -> Job | None:
        """The next queued job (None: nothing within `timeout`, or the close sentinel)."""
        if self._stopping:
            return None
        try:
            job = self._queue.get(timeout=timeout) if timeout is None or timeout > 0 else self._queue.get_nowait()
        except queue.Empty:
            return None
        if job is None:
            self._stopping = True
        return job

    def _newcomers(self) -> list[Job]:
        room = self.max_batch_size - self.engine.rows
        jobs: list[Job] = []
        if self.engine.rows == 0:
            first = self._take(None)
            if first is None:
                return []
            jobs.append(first)
            until = time.monotonic() + self.wait_s
            while len(jobs) < room:
                job = self._take(until - time.monotonic())
                if job is None:
                    break
                jobs.append(job)
        else:
            while len(jobs) < room:
                job = self._take(0)
                if job is None:
                    break
                jobs.append(job)
        return [job for job in jobs if not job.cancelled]

    def _loop(self) -> None:
        while True:
            if self._stopping and self.engine.rows == 0:
                return
            newcomers = self._newcomers()
            if self.engine.rows == 0 and not newcomers:
                continue
            try:
                if newcomers:
                    self.admitted += len(newcomers)
                    self.engine.admit(newcomers)
                self.peak_rows = max(self.peak_rows, self.engine.rows)
                self.iterations += 1
                self.engine.step()
                self.engine.release()
            except Exception as exc:
                log.exception("generation step failed")
                failed = set(self.engine.reset()) | set(newcomers)
                for job in failed:
                    if not job.done:
                        job.push(exc)
