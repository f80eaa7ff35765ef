"""Worker threads for the CPU-bound stages of turns and skills, so the event loop keeps answering while they compute.

Contract: `await workers.run(fn, *args)` runs `fn` on one of the pool's threads with the caller's
context variables (request id for logs, routing pins) and returns its result or raises its exception. The caller
stays suspended meanwhile, so whatever it holds (the conversation's lock, the deadline) is held for the whole
call. A caller cancelled (deadline, client hang-up) before its call starts drops it from the queue; one cancelled
mid-call returns at once while the thread finishes the call and its result is discarded, so `fn` must not publish
shared state (the stages only compute and return values). `close()` drops queued calls and lets running ones end.
Turns get a pool of `limits.turn_workers` threads, skills their own of `limits.skill_workers`, so a long skill run
never holds a thread that a turn (holding its conversation's lock) waits for.
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")


class StageWorkers:
    def __init__(self, max_workers: int, name: str = "turn") -> None:
        self.max_workers = max_workers
        self._pool = ThreadPoolExecutor(max_workers=max_workers, thread_name_prefix=name)

    async def run(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        context = contextvars.copy_context()
        call = functools.partial(context.run, fn, *args, **kwargs)
        return await asyncio.get_running_loop().run_in_executor(self._pool, call)

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
