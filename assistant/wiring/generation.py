"""Builds the controlled `Generator` from Settings, reports readiness, and maps generation errors to API errors.

Never raises for a model that cannot be loaded: the Generator reports (False, reason) and its `generate`
raises `GenerationUnavailable` (-> 503) until a model is there, so the server starts and retrieval answers.
With `load_in_background` (default) the transformers model loads in a thread and readiness says "loading"
meanwhile; a model missing from disk fails in milliseconds because loading uses `local_files_only`.
"""

from __future__ import annotations

import logging
from typing import Any

from assistant.errors import AssistantError, Busy, InvalidInput, Timeout, Unavailable
from assistant.readiness import ComponentStatus
from assistant.settings import Settings
from generation import (
    GenerationBusy,
    GenerationError,
    GenerationTimeout,
    GenerationUnavailable,
    Generator,
    InvalidGenerationRequest,
    build_generator,
)

log = logging.getLogger(__name__)


def build_generation(settings: Settings, kiwi: Any = None) -> tuple[Generator, ComponentStatus]:
    """`kiwi`: the process's shared Kiwi for the speech-level control (None: generation builds its own)."""
    generator = build_generator(settings.generation, kiwi=kiwi)
    ready, detail = generator.status()
    if not ready:
        log.warning("generation not ready: %s", detail)
    return generator, ComponentStatus("generation", ready, detail)


def generation_error(exc: Exception) -> AssistantError:
    """The API error for an exception raised by `generation`."""
    if isinstance(exc, InvalidGenerationRequest):
        return InvalidInput(str(exc), param=exc.param, code="invalid_generation_request")
    if isinstance(exc, GenerationBusy):
        return Busy(str(exc), retry_after=exc.retry_after, code="generation_busy")
    if isinstance(exc, GenerationTimeout):
        return Timeout(str(exc), code="generation_timeout")
    if isinstance(exc, GenerationUnavailable | GenerationError):
        return Unavailable(str(exc), code="generation_unavailable")
    raise TypeError(f"not a generation error: {type(exc).__name__}")
