"""Session fixtures for generation tests: the tiny Korean LM (built once), a loaded transformers backend
on it, the same model with random weights (replies that never end early), the local OpenAI-compatible server and
the MII-protocol server over that backend, and one Kiwi."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from benchmarks.support.tiny_lm import build_tiny_lm
from generation.config import GenerationConfig, MIIBackendConfig, OpenAIBackendConfig
from generation.mii_backend import MIIBackend
from generation.openai_backend import OpenAIBackend
from generation.speech_level import SpeechLevelControl
from generation.transformers_backend import TransformersBackend


@pytest.fixture(scope="session")
def tiny_lm_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # TINY_LM_DIR lets a developer keep the built model between runs; CI builds it in the session tmp dir.
    target = Path(os.environ["TINY_LM_DIR"]) if os.environ.get("TINY_LM_DIR") else tmp_path_factory.mktemp("tiny_lm")
    return build_tiny_lm(target)


@pytest.fixture(scope="session")
def random_lm_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tiny model with random weights and a 2048-token window: greedy replies run to max_new_tokens."""
    return build_tiny_lm(tmp_path_factory.mktemp("random_lm"), train_steps=0, max_positions=2048)


@pytest.fixture(scope="session")
def random_backend(random_lm_path: Path) -> Iterator[TransformersBackend]:
    backend = TransformersBackend(GenerationConfig(model=str(random_lm_path), device="cpu", max_batch_size=16,
                                                   batch_wait_ms=0))
    backend.load()
    yield backend
    assert backend.batcher is not None
    backend.batcher.close()


@pytest.fixture(scope="session")
def tf_backend(tiny_lm_path: Path) -> Iterator[TransformersBackend]:
    backend = TransformersBackend(GenerationConfig(model=str(tiny_lm_path), device="cpu", max_batch_size=16,
                                                   batch_wait_ms=30, max_queue=64))
    backend.load()
    yield backend
    assert backend.batcher is not None
    backend.batcher.close()


@pytest.fixture(scope="session")
def speech() -> SpeechLevelControl:
    return SpeechLevelControl()


@pytest.fixture(scope="session")
def openai_server(tf_backend: TransformersBackend) -> Iterator[object]:
    from tests.generation.openai_server import LocalOpenAIServer

    server = LocalOpenAIServer(tf_backend).start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def openai_backend(openai_server: object) -> OpenAIBackend:
    config = OpenAIBackendConfig(base_url=openai_server.base_url, max_retries=2, backoff_s=0.01,  # type: ignore[attr-defined]
                                 breaker_failures=3, breaker_reset_s=0.5)
    return OpenAIBackend(config, model="tiny-korean")


@pytest.fixture(scope="session")
def mii_backend(mii_server: object, tiny_lm_path: Path) -> MIIBackend:
    from mii.backend.client import MIIClient
    from mii.config import MIIConfig

    config = MIIConfig(deployment_name="tiny", model_config={"model_name_or_path": str(tiny_lm_path)},
                       port_number=mii_server.port)  # type: ignore[attr-defined]
    section = GenerationConfig(backend="mii", model=str(tiny_lm_path),
                               mii=MIIBackendConfig(mode="client", max_length=512))
    backend = MIIBackend(section, client_factory=lambda: MIIClient(config, host="127.0.0.1"))
    backend.start()
    assert backend.status()[0], backend.status()[1]
    return backend


@pytest.fixture(scope="session")
def mii_server(tf_backend: TransformersBackend) -> Iterator[object]:
    pytest.importorskip("mii")
    from tests.generation.mii_grpc_server import MIIProtocolServer

    server = MIIProtocolServer(tf_backend).start()
    yield server
    server.stop()
