"""API test fixtures: the leaf components are built once per session; each test gets its own store."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest

from api.app import create_app
from assistant.services import Components, Services, assemble, build_components
from assistant.settings import Settings, load_settings
from assistant.store import open_store
from benchmarks.support.chat_server import ChatServer
from benchmarks.support.live import remote_generator, services_for


@pytest.fixture(scope="session")
def api_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return load_settings(data_dir=tmp_path_factory.mktemp("data"))


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
