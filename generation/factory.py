"""Factories: build the configured backend and the controlled `Generator` from a `GenerationConfig`.

Building never raises for a model that cannot be loaded: the backend records the reason and reports it in
`status()`, so the server starts and answers 503 for generation only.
"""

from __future__ import annotations

import importlib
import logging
from typing import Any

from generation.backend import LMBackend
from generation.config import GenerationConfig
from generation.filters import AbuseClassifier, AbuseFilter
from generation.generator import Generator
from generation.speech_level import SpeechLevelControl

log = logging.getLogger(__name__)


def build_backend(config: GenerationConfig) -> LMBackend:
    if config.backend == "transformers":
        from generation.transformers_backend import TransformersBackend

        backend = TransformersBackend(
            config.model, device=config.device, dtype=config.dtype, local_files_only=config.local_files_only,
            trust_remote_code=config.trust_remote_code, max_batch_size=config.max_batch_size,
            batch_wait_ms=config.batch_wait_ms, max_queue=config.max_queue, context_window=config.context_window,
            prefill_chunk_tokens=config.prefill_chunk_tokens, prefix_cache_mb=config.prefix_cache_mb,
            prefix_cache_min_tokens=config.prefix_cache_min_tokens)
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

        oc = config.openai
        return OpenAIBackend(oc.base_url, model=oc.model or config.model, api_key=oc.api_key.get_secret_value(),
                             timeout_s=oc.timeout_s, max_retries=oc.max_retries, backoff_s=oc.backoff_s,
                             breaker_failures=oc.breaker_failures, breaker_reset_s=oc.breaker_reset_s,
                             send_extra_params=oc.send_extra_params, context_window=config.context_window)
    if config.backend == "mii":
        from generation.mii_backend import MIIBackend

        mc = config.mii
        backend_mii = MIIBackend(config.model, mode=mc.mode, deployment_name=mc.deployment_name, host=mc.host,
                                 max_length=mc.max_length, local_files_only=config.local_files_only,
                                 context_window=config.context_window)
        backend_mii.start()
        return backend_mii
    raise ValueError(f"unknown generation backend {config.backend!r}")


def load_classifier(spec: str) -> AbuseClassifier:
    """Import 'package.module:callable'."""
    module_name, _, attr = spec.partition(":")
    if not attr:
        raise ValueError(f"abuse_classifier must look like 'module:callable', got {spec!r}")
    return getattr(importlib.import_module(module_name), attr)


def build_generator(config: GenerationConfig, backend: LMBackend | None = None, *, kiwi: Any = None) -> Generator:
    """`kiwi`: a shared `kiwipiepy.Kiwi` for the speech-level control (None: the Generator builds its own)."""
    classifier = load_classifier(config.abuse_classifier) if config.abuse_classifier else None
    abuse = AbuseFilter.from_file(config.profanity_list_path, classifier=classifier,
                                  threshold=config.abuse_threshold)
    return Generator(backend or build_backend(config), abuse_filter=abuse,
                     max_regenerations=config.max_regenerations,
                     speech_regenerations=config.speech_regenerations, pii_mask_replies=config.pii_mask_replies,
                     default_refusal=config.default_refusal,
                     speech=SpeechLevelControl(kiwi) if kiwi is not None else None)
