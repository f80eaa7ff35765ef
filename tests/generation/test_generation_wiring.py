"""Wiring from Settings: a model that cannot be loaded leaves a not-ready Generator (never an exception),
a local model path loads, env names reach the section, and generation errors map to API errors."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from assistant.error_table import to_assistant_error
from assistant.errors import Busy, InvalidInput, Timeout, Unavailable
from assistant.settings import Settings, SettingsError, load_settings
from assistant.wiring.generation import build_generation
from benchmarks.support.tiny_lm import SCRIPT
from generation import (
    GenerationBusy,
    GenerationConfig,
    GenerationRequest,
    GenerationTimeout,
    GenerationUnavailable,
    InvalidGenerationRequest,
    build_backend,
)


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("ASSISTANT_CONFIG", "ASSISTANT_MODEL", "ASSISTANT_BACKEND"):
        monkeypatch.delenv(name, raising=False)


async def test_default_hub_model_missing_offline_gives_a_clear_not_ready_reason() -> None:
    started = time.monotonic()
    generator, status = build_generation(Settings(generation={"load_in_background": False}))
    assert time.monotonic() - started < 30
    assert status.name == "generation" and not status.ready
    assert "HyperCLOVAX" in status.detail
    with pytest.raises(GenerationUnavailable, match="HyperCLOVAX"):
        await generator.generate(GenerationRequest(messages=[{"role": "user", "content": "안녕"}]))


async def test_background_loading_reports_loading_then_ready(tiny_lm_path: Path) -> None:
    generator, _status = build_generation(Settings(generation={"model": str(tiny_lm_path), "device": "cpu"}))
    deadline = time.monotonic() + 60
    while not generator.status()[0] and time.monotonic() < deadline:
        assert "loading" in generator.status()[1]
        time.sleep(0.05)
    assert generator.status()[0], generator.status()[1]
    done = await generator.generate(GenerationRequest(messages=[{"role": "user", "content": "날씨 알려줘"}],
                                                      temperature=0.0, max_new_tokens=60))
    assert done.text == SCRIPT["날씨 알려줘"]
    generator.backend.batcher.close()  # type: ignore[attr-defined]


def test_env_names_reach_the_generation_section(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ASSISTANT_GENERATION__BACKEND", "openai")
    monkeypatch.setenv("ASSISTANT_GENERATION__OPENAI__BASE_URL", "http://mii:28080/v1")
    monkeypatch.setenv("ASSISTANT_GENERATION__MAX_BATCH_SIZE", "32")
    monkeypatch.setenv("ASSISTANT_MODEL", "/models/exaone")
    settings = load_settings()
    assert settings.generation.backend == "openai" and settings.generation.max_batch_size == 32
    assert settings.generation.openai.base_url == "http://mii:28080/v1"
    assert settings.generation.model == "/models/exaone"


@pytest.mark.parametrize(("field", "ok", "bad"), [("max_batch_size", 256, 257), ("max_queue", 1, 0),
                                                  ("batch_wait_ms", 1000, 1001), ("max_regenerations", 10, 11),
                                                  ("prefill_chunk_tokens", 1, 0), ("prefix_cache_mb", 0, -1),
                                                  ("prefix_cache_min_tokens", 1, 0)])
def test_impossible_values_are_refused_at_start(field: str, ok: int, bad: int) -> None:
    assert getattr(load_settings(generation={field: ok}).generation, field) == ok
    with pytest.raises(SettingsError, match=field):
        load_settings(generation={field: bad})


def test_unknown_backend_and_missing_word_list_are_refused(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="backend"):
        load_settings(generation={"backend": "llamacpp"})
    with pytest.raises(SettingsError, match="profanity_list_path"):
        load_settings(generation={"profanity_list_path": str(tmp_path / "none.txt")})


def test_openai_backend_is_ready_without_a_call() -> None:
    _generator, status = build_generation(Settings(generation={"backend": "openai",
                                                              "openai": {"base_url": "http://127.0.0.1:9/v1"}}))
    assert status.ready and "127.0.0.1:9" in status.detail


def test_generation_errors_map_to_api_errors() -> None:
    assert isinstance(to_assistant_error(InvalidGenerationRequest("x", param="top_p")), InvalidInput)
    busy = to_assistant_error(GenerationBusy("full", retry_after=2.0))
    assert isinstance(busy, Busy) and busy.retry_after == 2.0
    assert isinstance(to_assistant_error(GenerationTimeout("slow")), Timeout)
    assert isinstance(to_assistant_error(GenerationUnavailable("no model")), Unavailable)


def test_batching_and_prefix_cache_settings_reach_the_transformers_backend(tiny_lm_path: Path) -> None:
    backend = build_backend(GenerationConfig(model=str(tiny_lm_path), device="cpu", load_in_background=False,
                                             max_batch_size=5, prefill_chunk_tokens=7, prefix_cache_mb=1.5,
                                             prefix_cache_min_tokens=9))
    try:
        assert backend.batcher.max_batch_size == 5  # type: ignore[attr-defined]
        assert backend.engine.chunk == 7  # type: ignore[attr-defined]
        assert backend.prefix_cache.max_bytes == int(1.5 * 2**20)  # type: ignore[attr-defined]
        assert backend.prefix_cache.min_tokens == 9  # type: ignore[attr-defined]
    finally:
        backend.batcher.close()  # type: ignore[attr-defined]
