"""A small circuit breaker: after `failures` consecutive failures the circuit opens for `reset_s` seconds,
during which calls are refused at once; then one trial call is let through (half-open)."""

from __future__ import annotations

import threading
import time


class CircuitBreaker:
    def __init__(self, failures: int, reset_s: float) -> None:
        self.failures = failures
        self.reset_s = reset_s
        self._count = 0
        self._opened_at: float | None = None
        self.last_error = ""
        self._lock = threading.Lock()

    @property
    def state(self) -> str:
        with self._lock:
            if self._opened_at is None:
                return "closed"
            return "half-open" if time.monotonic() - self._opened_at >= self.reset_s else "open"

    def allow(self) -> bool:
        return self.state != "open"

    def retry_in(self) -> float:
        with self._lock:
            if self._opened_at is None:
                return 0.0
            return max(0.0, self.reset_s - (time.monotonic() - self._opened_at))

    def record_success(self) -> None:
        with self._lock:
            self._count = 0
            self._opened_at = None

    def record_failure(self, error: str) -> None:
        with self._lock:
            self._count += 1
            self.last_error = error
            if self._count >= self.failures:
                self._opened_at = time.monotonic()
