"""Errors of the key store, as domain errors the API maps to 401, 403 and 429 (+ Retry-After)."""

from __future__ import annotations

from typing import Any

from assistant.errors import AssistantError, Busy, InvalidInput


class Unauthorized(AssistantError):
    status_code = 401
    error_type = "authentication_error"


class Forbidden(AssistantError):
    """A valid key without the scope the route needs."""

    status_code = 403
    error_type = "permission_error"


class QuotaExceeded(Busy):
    """Over the per-minute request quota or the daily token quota; `retry_after` says when it frees up, `rate_limit`
    (an `assistant.keys.store.RateLimit`) where the key stands, for the `x-ratelimit-*` headers."""

    status_code = 429
    error_type = "rate_limit_error"

    def __init__(self, message: str, *, retry_after: float = 1.0, code: str | None = None,
                 rate_limit: Any = None) -> None:
        super().__init__(message, retry_after=retry_after, code=code)
        self.rate_limit = rate_limit


class KeyNotFound(InvalidInput):
    status_code = 404
    error_type = "not_found_error"
