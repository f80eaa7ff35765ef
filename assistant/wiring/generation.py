"""Builds the controlled `Generator` from Settings and reports its readiness.

Never raises for a model that cannot be loaded: the Generator reports (False, reason) and its `generate`
raises `GenerationUnavailable` (-> 503, `assistant.error_table`) until a model is there, so the server starts and
retrieval answers.
With `load_in_background` (default) the transformers model loads in a thread and readiness says "loading"
meanwhile; a model missing from disk fails in milliseconds because loading uses `local_files_only`.
"""

from __future__ import annotations

import logging
from typing import Any

from assistant.readiness import ComponentStatus
from assistant.settings import Settings
from generation import Generator, build_generator

log = logging.getLogger(__name__)


def build_generation(settings: Settings, kiwi: Any = None) -> tuple[Generator, ComponentStatus]:
    """`kiwi`: the process's shared Kiwi for the speech-level control (None: generation builds its own)."""
    generator = build_generator(settings.generation, kiwi=kiwi)
    ready, detail = generator.status()
    if not ready:
        log.warning("generation not ready: %s", detail)
    return generator, ComponentStatus("generation", ready, detail)

