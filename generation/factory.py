"""Factories: build the configured backend and the controlled `Generator` from a `GenerationConfig`.

Building never raises for a model that cannot be loaded: the backend records the reason and reports it in
`status()`, so the server starts and answers 503 for generation only.
"""

from __future__ import annotations

import logging
from typing import Any

from generation.backend import LMBackend
from generation.config import GenerationConfig
from generation.filters import AbuseFilter
from generation.generator import Generator
from generation.speech_level import SpeechLevelControl

log = logging.getLogger(__name__)


def build_backend(config: GenerationConfig) -> LMBackend:
    """The configured backend, loading (transformers, in the background if `load_in_background`) or reaching
    (mii) its model; an OpenAI-compatible server is not called until the first request."""
    if config.backend == "transformers":
        from generation.transformers_backend import TransformersBackend

        backend = TransformersBackend(config)
        if config.load_in_background:
            backend.load_in_background()
        else:
            try:
                backend.load()
            except Exception as exc:
                log.warning("generation model not loaded: %s", exc)
        return backend
    if config.backend == "openai":
        from generation.openai_backend import OpenAIBackend

        return OpenAIBackend(config.openai, model=config.openai.model or config.model,
                             context_window=config.context_window)
    if config.backend == "mii":
        from generation.mii_backend import MIIBackend

        backend_mii = MIIBackend(config)
        backend_mii.start()
        return backend_mii
    raise ValueError(f"unknown generation backend {config.backend!r}")


def build_generator(config: GenerationConfig, backend: LMBackend | None = None, *, kiwi: Any = None) -> Generator:
    """`backend` (None: `build_backend(config)`); `kiwi`: a shared `kiwipiepy.Kiwi` for the speech-level control
    (None: the Generator builds its own)."""
    abuse = AbuseFilter.from_config(config)  # a bad classifier spec fails before any model starts loading
    return Generator(backend or build_backend(config), config, abuse_filter=abuse,
                     speech=SpeechLevelControl(kiwi) if kiwi is not None else None)
