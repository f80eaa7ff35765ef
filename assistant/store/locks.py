"""Per-conversation mutual exclusion, FIFO in arrival order.

In one process an `asyncio.Lock` per conversation (asyncio wakes waiters first-come, first-served). Across
processes on PostgreSQL the store adds a session advisory lock (PostgreSQL queues lock waiters in order).
Entries are reference-counted so that idle conversations hold no memory.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager


class LockTimeout(TimeoutError):
    """The conversation stayed locked by other requests for longer than the configured wait."""


class ConversationLocks:
    def __init__(self) -> None:
        self._locks: dict[str, tuple[asyncio.Lock, int]] = {}

    def waiting(self, key: str) -> int:
        entry = self._locks.get(key)
        return entry[1] if entry else 0

    @asynccontextmanager
    async def hold(self, key: str, timeout_s: float) -> AsyncIterator[None]:
        lock, users = self._locks.get(key, (asyncio.Lock(), 0))
        self._locks[key] = (lock, users + 1)
        try:
            try:
                await asyncio.wait_for(lock.acquire(), timeout_s)
            except TimeoutError:
                raise LockTimeout(f"conversation {key!r} is busy with earlier requests") from None
            try:
                yield
            finally:
                lock.release()
        finally:
            lock, users = self._locks[key]
            if users <= 1:
                del self._locks[key]
            else:
                self._locks[key] = (lock, users - 1)
