"""API test fixtures: the leaf components are built once per session; each test gets its own store."""

from __future__ import annotations

import os
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest

from api.app import create_app
from assistant.services import Components, Services, assemble, build_components
from assistant.settings import Settings, load_settings
from assistant.store import open_store
from benchmarks.support.chat_server import ChatServer
from benchmarks.support.live import LiveServer, remote_generator, services_for
from benchmarks.support.tiny_lm import build_tiny_lm
from generation import GenerationConfig, Generator, build_generator
from tests.conftest import seed_bundled_index


@pytest.fixture(scope="session")
def api_settings(tmp_path_factory: pytest.TempPathFactory, bundled_index: Path) -> Settings:
    return load_settings(data_dir=seed_bundled_index(tmp_path_factory.mktemp("data"), bundled_index))


@pytest.fixture(scope="session")
def components(api_settings: Settings) -> Components:
    return build_components(api_settings)


@pytest.fixture
def services(api_settings: Settings, components: Components, database_url: str) -> Iterator[Services]:
    store = open_store(database_url, lock_timeout_s=api_settings.limits.lock_timeout_s)
    yield assemble(api_settings, store, components)
    store.close()


@pytest.fixture
async def client(services: Services) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=create_app(services=services))
    async with httpx.AsyncClient(transport=transport, base_url="http://test", timeout=60) as c:
        yield c


def assert_error_body(response: httpx.Response, status: int) -> dict:
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert set(error) == {"message", "type", "param", "code"} and error["message"]
    return error


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def chat_server() -> Iterator[ChatServer]:
    """A real OpenAI-compatible HTTP server on 127.0.0.1 (echoes a fixed reply), for remote-backend tests."""
    server = ChatServer().start()
    yield server
    server.stop()


@pytest.fixture
async def gen_client(api_settings: Settings, components: Components, database_url: str,
                     chat_server: ChatServer) -> AsyncIterator[tuple[httpx.AsyncClient, Services]]:
    """A client whose LM is the product's OpenAI-compatible backend on the local echo server."""
    with services_for(api_settings, components, database_url,
                      remote_generator(chat_server.base_url, "echo-응답")) as services:
        transport = httpx.ASGITransport(app=create_app(services=services))
        async with httpx.AsyncClient(transport=transport, base_url="http://test", timeout=60) as client:
            yield client, services


@pytest.fixture(scope="session")
def tiny_lm_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tiny Korean LM the tests build themselves (benchmarks/support/tiny_lm.py); TINY_LM_DIR keeps it."""
    target = Path(os.environ["TINY_LM_DIR"]) if os.environ.get("TINY_LM_DIR") else tmp_path_factory.mktemp("tiny_lm")
    return build_tiny_lm(target)


@pytest.fixture(scope="session")
def tiny_generator(tiny_lm_path: Path, components: Components) -> Iterator[Generator]:
    """The product's transformers backend and Generator on the tiny LM (token-level streaming, real tokenizer)."""
    deadline = time.monotonic() + 60
    while "loading" in components.generation.status()[1] and time.monotonic() < deadline:
        time.sleep(0.05)  # two threads importing transformers' lazy modules at once can fail: let the other finish
    config = GenerationConfig(backend="transformers", model=str(tiny_lm_path), device="cpu", load_in_background=False,
                              batch_wait_ms=1.0, context_window=2048)  # RoPE: the persona prompts need > 512
    generator = build_generator(config)
    generator.speech = components.generation.speech  # one Kiwi, as one server process has
    yield generator
    backend = generator.backend
    if getattr(backend, "batcher", None) is not None:
        backend.batcher.close()  # type: ignore[attr-defined]


@pytest.fixture
def tiny_live(api_settings: Settings, components: Components, database_url: str,
              tiny_generator: Generator) -> Iterator[tuple[str, Services]]:
    """The app on a real uvicorn (127.0.0.1) whose LM is the tiny model: for the official clients."""
    with services_for(api_settings, components, database_url, tiny_generator) as services, \
            LiveServer(create_app(services=services)) as server:
        yield server.url, services
