"""Exceptions of the generation package.

`generation` never imports `assistant`; the composition root maps these onto its HTTP-aware errors:
InvalidGenerationRequest -> 4xx, GenerationUnavailable -> 503, GenerationFailed -> 503 `generation_failed`,
GenerationBusy -> 503/429 with Retry-After, GenerationTimeout -> 504.
"""


class GenerationError(RuntimeError):
    """Base class of the runtime failures of a backend."""


class InvalidGenerationRequest(ValueError):
    """The request itself is wrong (bad parameter, prompt longer than the context window)."""

    def __init__(self, message: str, *, param: str | None = None) -> None:
        super().__init__(message)
        self.param = param


class GenerationUnavailable(GenerationError):
    """No model can serve the request (not configured, failed to load, remote down, circuit open)."""


class GenerationFailed(GenerationError):
    """The backend answered, but what it sent cannot be read (a malformed or cut stream): the LM failed mid-reply."""


class GenerationBusy(GenerationError):
    """The request queue is full; the caller should retry after `retry_after` seconds."""

    def __init__(self, message: str, *, retry_after: float = 1.0) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class GenerationTimeout(GenerationError, TimeoutError):
    """The request ran past its deadline; the backend has been told to stop working on it."""


class UnsupportedModel(GenerationUnavailable):
    """The configured model's architecture cannot run on the chosen backend (e.g. not a FastGen model)."""
