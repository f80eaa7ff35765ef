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
