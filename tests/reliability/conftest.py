"""The reliability battery's fleet: real `assistant serve` processes on 127.0.0.1, each stopped by its own PID.

One SQLite server, and, when TEST_DATABASE_URL is set, two servers sharing one PostgreSQL schema. Every server uses
the OpenAI-compatible backend against `tests.support.scripted_lm` (in this process), auth on (keys created in the
store before start), two generation slots and no queue (backpressure shows at once), and a 3 s shutdown grace.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, text

from assistant.keys import KeyStore
from assistant.store import make_engine
from assistant.store.migrate import upgrade
from benchmarks.support.live import LiveServer
from tests.conftest import REPO_ROOT, seed_bundled_index
from tests.support.scripted_lm import build_app
from tests.support.server_env import free_port, server_env

GRACE_S = 3.0
START_TIMEOUT_S = 180


@dataclass
class Keys:
    chat: str
    other: str
    admin: str

    def auth(self, which: str = "chat") -> dict[str, str]:
        return {"Authorization": f"Bearer {getattr(self, which)}"}


def create_keys(url: str) -> Keys:
    engine = make_engine(url)
    upgrade(engine)  # migrated once here: servers sharing a database never race to migrate it
    store = KeyStore(engine)
    quota = {"requests_per_minute": 100_000, "tokens_per_day": 10**9}
    keys = Keys(chat=store.create("battery-chat", **quota, scopes=["chat"])[1],
                other=store.create("battery-other", **quota, scopes=["chat"])[1],
                admin=store.create("battery-admin", **quota, scopes=["chat", "admin"])[1])
    engine.dispose()
    return keys


@dataclass
class ServerProcess:
    data_dir: Path
    lm_url: str
    database_url: str | None = None
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def launch(self) -> None:
        env = server_env(self.data_dir, PYTHONPATH=str(REPO_ROOT), ASSISTANT_BACKEND="openai",
                         ASSISTANT_MODEL="battery", ASSISTANT_GENERATION__OPENAI__BASE_URL=f"{self.lm_url}/v1",
                         ASSISTANT_GENERATION__OPENAI__MAX_RETRIES="0", ASSISTANT_AUTH__MODE="on",
                         ASSISTANT_ADMISSION__MAX_IN_FLIGHT="2", ASSISTANT_ADMISSION__MAX_QUEUE="0",
                         ASSISTANT_SERVER__SHUTDOWN_GRACE_S=str(GRACE_S))
        if self.database_url:
            env["DATABASE_URL"] = self.database_url
        log = open(self.data_dir / f"server-{self.port}.log", "ab")  # noqa: SIM115 - the process owns it
        self.process = subprocess.Popen([sys.executable, "-m", "assistant", "serve", "--port", str(self.port)],
                                        cwd=REPO_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)

    def wait_ready(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.process is None or self.process.poll() is not None:
                raise AssertionError(self.log()[-3000:])
            try:
                if httpx.get(f"{self.url}/health", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                time.sleep(0.25)
        raise AssertionError(f"server {self.pid} did not start: {self.log()[-2000:]}")

    def log(self) -> str:
        return (self.data_dir / f"server-{self.port}.log").read_text(errors="replace")

    def signal(self, sig: int) -> None:
        os.kill(self.pid, sig)

    def stop(self) -> None:
        """SIGTERM, then SIGKILL after grace + 5 s; only this server's own PID."""
        if self.process is None or self.process.poll() is not None:
            return
        self.signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=GRACE_S + 5)
        except subprocess.TimeoutExpired:
            self.signal(signal.SIGKILL)
            self.process.wait(timeout=10)


@dataclass
class Fleet:
    sqlite: ServerProcess
    sqlite_keys: Keys
    postgres: list[ServerProcess]
    postgres_keys: Keys | None
    lm_calls: list[str]

    def servers(self) -> dict[str, tuple[ServerProcess, Keys]]:
        out = {"sqlite": (self.sqlite, self.sqlite_keys)}
        if self.postgres and self.postgres_keys is not None:
            out["postgresql"] = (self.postgres[0], self.postgres_keys)
        return out


@pytest.fixture(scope="package")
def fleet(tmp_path_factory: pytest.TempPathFactory, bundled_index: Path) -> Iterator[Fleet]:
    calls: list[str] = []
    with LiveServer(build_app(calls)) as lm:
        sqlite_dir = seed_bundled_index(tmp_path_factory.mktemp("battery-sqlite"), bundled_index)
        sqlite = ServerProcess(sqlite_dir, lm.url)
        sqlite_keys = create_keys(f"sqlite:///{sqlite_dir / 'assistant.db'}")
        postgres: list[ServerProcess] = []
        postgres_keys = None
        schema = f"battery_{uuid.uuid4().hex[:10]}"
        if os.environ.get("TEST_DATABASE_URL"):
            url = _postgres_schema(schema, create=True)
            postgres_keys = create_keys(url)
            postgres = [ServerProcess(seed_bundled_index(tmp_path_factory.mktemp(f"battery-pg{i}"), bundled_index),
                                      lm.url, url) for i in range(2)]
        servers = [sqlite, *postgres]
        try:
            for server in servers:  # started together: they load their models in parallel
                server.launch()
            for server in servers:
                server.wait_ready()
            yield Fleet(sqlite, sqlite_keys, postgres, postgres_keys, calls)
        finally:
            for server in servers:
                server.stop()
            if postgres:
                _postgres_schema(schema, create=False)


def _postgres_schema(schema: str, *, create: bool) -> str:
    """Create (or drop) a schema of the battery's own in the TEST_DATABASE_URL database; its URL."""
    base = os.environ["TEST_DATABASE_URL"]
    if base.startswith(("postgres://", "postgresql://")):
        base = "postgresql+psycopg://" + base.split("://", 1)[1]
    engine = create_engine(base)
    with engine.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}" if create else f"DROP SCHEMA {schema} CASCADE"))
    engine.dispose()
    separator = "&" if "?" in base else "?"
    return f"{base}{separator}options=-csearch_path%3D{schema}"
