"""Shadow traffic: a copy of a live generation request goes to the endpoint's shadow version in the background.

The contract: a shadow call can never change the user's reply, its errors or its latency beyond scheduling one
task. `launch` only creates a task (never awaits) and is called after the live reply exists, so an in-process
shadow model never competes with the live one for the same turn. The task has its own deadline
(`shadow.timeout_s`), catches every error, and at most `shadow.max_concurrent` run at once (more are dropped
and counted) so a slow shadow endpoint cannot pile up work. Shadow traffic never takes capacity from live traffic:
it takes no slot of the live admission gate (`gate`, wired by `assistant.services`), and while that gate is
saturated (every slot taken or turns queued) the call is not started at all, counted with outcome `shed`.
Each comparison (live and shadow reply, latencies, outcome) is kept in memory (`recent`) and appended to
`data_dir/shadow/<endpoint>.jsonl`. Replies are already PII-masked by the Generator; the user's message is not
stored here.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import logging
import threading
import time
from collections import deque
from pathlib import Path
from typing import Any

from assistant.admission import Admission
from assistant.metrics import Metrics
from assistant.routing.router import Route
from assistant.routing.settings import ShadowSettings
from generation import GenerationRequest

log = logging.getLogger(__name__)


class ShadowRunner:
    def __init__(self, settings: ShadowSettings, directory: Path | None = None,
                 metrics: Metrics | None = None) -> None:
        self.settings = settings
        self.directory = directory if settings.write_jsonl else None
        self.metrics = metrics
        self._tasks: set[asyncio.Task[None]] = set()
        self._recent: deque[dict[str, Any]] = deque(maxlen=settings.keep)
        self._file_lock = threading.Lock()
        self.gate: Admission | None = None

    @property
    def in_flight(self) -> int:
        return len(self._tasks)

    def launch(self, route: Route, request: GenerationRequest, *, live_reply: str, live_ms: float,
               conversation_id: str, request_id: str | None = None) -> bool:
        """Start the shadow call for `route` if it has one and there is room; True when started."""
        if route.shadow is None or route.shadow_version is None:
            return False
        if len(self._tasks) >= self.settings.max_concurrent:
            self._count(route, "dropped")
            return False
        if self.gate is not None and self.gate.saturated:
            self._count(route, "shed")
            return False
        record = {"time": time.time(), "endpoint": route.endpoint, "live_version": route.version,
                  "shadow_version": route.shadow_version, "conversation_id": conversation_id,
                  "request_id": request_id, "live_reply": live_reply, "live_ms": round(live_ms, 3)}
        shadow_request = dataclasses.replace(request, timeout_s=self.settings.timeout_s)
        task = asyncio.get_running_loop().create_task(self._run(route, shadow_request, record),
                                                      name=f"shadow:{route.endpoint}/{route.shadow_version}")
        self._tasks.add(task)  # a strong reference, or the loop may collect a running task
        task.add_done_callback(self._tasks.discard)
        return True

    async def _run(self, route: Route, request: GenerationRequest, record: dict[str, Any]) -> None:
        assert route.shadow is not None
        started = time.perf_counter()
        try:
            async with asyncio.timeout(self.settings.timeout_s):
                completion = await route.shadow.generate(request)
            record.update(outcome="ok", shadow_reply=completion.text, finish_reason=completion.finish_reason,
                          completion_tokens=completion.completion_tokens)
        except TimeoutError:
            record.update(outcome="timeout", error=f"no reply within {self.settings.timeout_s:g} s")
        except Exception as exc:  # a shadow failure is data for the comparison, never an error
            record.update(outcome="error", error=f"{type(exc).__name__}: {exc}"[:500])
        elapsed = time.perf_counter() - started
        record["shadow_ms"] = round(elapsed * 1000, 3)
        self._count(route, record["outcome"], elapsed)
        self._recent.append(record)
        if record["outcome"] != "ok":
            log.warning("shadow %s/%s %s: %s", route.endpoint, route.shadow_version, record["outcome"],
                        record.get("error"))
        if self.directory is not None:
            try:
                await asyncio.to_thread(self._append, route.endpoint, record)
            except OSError as exc:
                log.warning("shadow comparison not written: %s", exc)

    def _count(self, route: Route, outcome: str, seconds: float | None = None) -> None:
        if self.metrics is None:
            return
        version = route.shadow_version or "none"
        self.metrics.shadow_requests.labels(route.endpoint, version, outcome).inc()
        if seconds is not None:
            self.metrics.shadow_duration.labels(route.endpoint, version).observe(seconds)

    def _append(self, endpoint: str, record: dict[str, Any]) -> None:
        assert self.directory is not None
        self.directory.mkdir(parents=True, exist_ok=True)
        line = json.dumps(record, ensure_ascii=False) + "\n"
        with self._file_lock, (self.directory / f"{endpoint}.jsonl").open("a", encoding="utf-8") as fh:
            fh.write(line)

    def recent(self, endpoint: str | None = None, limit: int = 50) -> list[dict[str, Any]]:
        """The latest comparisons, newest first."""
        rows = [r for r in reversed(self._recent) if endpoint is None or r["endpoint"] == endpoint]
        return rows[:limit]

    async def drain(self, timeout_s: float | None = None) -> None:
        """Wait for the shadow calls in flight (tests, shutdown); cancel what is left after `timeout_s`."""
        tasks = list(self._tasks)
        if not tasks:
            return
        _, pending = await asyncio.wait(tasks, timeout=timeout_s)
        for task in pending:
            task.cancel()
        if pending:
            await asyncio.gather(*pending, return_exceptions=True)
