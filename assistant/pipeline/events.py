"""Streaming a turn as events: the turn runs in a task of its own and hands over one event at a time.

Contract: `handover(produce)` runs `produce(put)` in a new task and yields each event it `put`s; an exception in the
task is raised to the reader, and closing the iterator (a client hang-up) cancels the task and waits until it has
ended (so it has given back its lock and slot). The task's deadline and cancellation then never depend on which task
reads (a web server reads the first event in the request's task and the rest in another). `paused(deadline)` stops
the turn's clock while the reader holds an event: the reader's pace is not our work. It is bounded on its own:
`put_within(put, event, idle_s)` raises a 504 `slow_reader` when the reader has not taken the previous event within
`idle_s`, so a client that keeps the connection open but stops reading cannot hold the turn's lock and slot forever.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncGenerator, Awaitable, Callable, Iterator
from typing import Any

from assistant.errors import Timeout

Put = Callable[[dict[str, Any]], Awaitable[None]]


async def handover(produce: Callable[[Put], Awaitable[None]]) -> AsyncGenerator[dict[str, Any]]:
    """The events `produce` puts, in order, one at a time (the producer waits until the reader has taken one)."""
    queue: asyncio.Queue[tuple[str, Any]] = asyncio.Queue(maxsize=1)

    async def put(event: dict[str, Any]) -> None:
        await queue.put(("event", event))

    async def run() -> None:
        try:
            await produce(put)
        except Exception as exc:  # the reader raises it; cancellation (the reader left) ends the task quietly
            await queue.put(("error", exc))
        else:
            await queue.put(("end", None))

    task = asyncio.get_running_loop().create_task(run())
    try:
        while True:
            kind, item = await queue.get()
            if kind == "event":
                yield item
            elif kind == "error":
                raise item
            else:
                return
    finally:
        task.cancel()
        await asyncio.wait({task})


@contextlib.contextmanager
def paused(deadline: asyncio.Timeout) -> Iterator[None]:
    """Stop the turn's clock while the caller holds a yielded event: a slow reader is not our work."""
    when = deadline.when()
    if when is None:  # already stopped: the reply is being stored
        yield
        return
    loop = asyncio.get_running_loop()
    left = when - loop.time()
    deadline.reschedule(None)
    try:
        yield
    finally:
        deadline.reschedule(loop.time() + left)


async def put_within(put: Put, event: dict[str, Any], idle_s: float) -> None:
    """Hand `event` over, waiting at most `idle_s` for the reader to take the one before it."""
    try:
        async with asyncio.timeout(idle_s):
            await put(event)
    except TimeoutError:
        raise Timeout(f"the client took no event for {idle_s:g} s", code="slow_reader") from None
