"""The real server as a subprocess: it answers a Korean turn (and the studio it serves shows that answer served), and
SIGKILL mid-burst loses no acknowledged turn."""

from __future__ import annotations

import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import REPO_ROOT, seed_bundled_index
from tests.support.server_env import free_port, server_env

GREETINGS = ["안녕하세요", "고마워요", "반가워요", "좋은 아침이에요", "잘 자요", "안녕"]


class Server:
    def __init__(self, data_dir: Path, **settings: str) -> None:
        self.data_dir = data_dir
        self.settings = settings
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        env = server_env(self.data_dir, **self.settings)
        log = open(self.data_dir / "server.log", "ab")  # noqa: SIM115 - closed with the process
        self.process = subprocess.Popen(
            [sys.executable, "-m", "assistant", "serve", "--port", str(self.port)],
            cwd=REPO_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError((self.data_dir / "server.log").read_text()[-3000:])
            try:
                if httpx.get(f"{self.url}/health", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                time.sleep(0.2)
        raise AssertionError("server did not start in time")

    def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()

    def __enter__(self) -> Server:
        self.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.stop()


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    """A server on a new data directory: it builds the bundled set's index as on a fresh machine."""
    with Server(tmp_path) as s:
        yield s


@pytest.fixture
def restarted_server(tmp_path: Path, bundled_index: Path) -> Iterator[Server]:
    """A server on a data directory that already holds the bundled set's index, as after a restart."""
    with Server(seed_bundled_index(tmp_path, bundled_index)) as s:
        yield s


def test_server_answers_a_korean_greeting_with_a_conversation_id(server: Server) -> None:
    response = httpx.post(f"{server.url}/v1/chat", json={"message": "안녕하세요"}, timeout=30)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["conversation_id"] and any("가" <= ch <= "힣" for ch in body["reply"])
    ready = httpx.get(f"{server.url}/ready", timeout=10).json()
    assert ready["components"]["store"]["ready"] is True
    # The embedded default serves the studio, and the live turn's stored answer is counted as served.
    assert "페르소나 스튜디오" in httpx.get(f"{server.url}/studio", timeout=10).text
    assert body["source"] == "retrieve", body  # "안녕하세요" is a stored question of the default set
    hit = body["selection"]["hit"]
    page = httpx.get(f"{server.url}/v1/studio/answers/{hit['response_set']}", params={"limit": 500},
                     timeout=30).json()
    assert {r["id"]: r["served"] for r in page["data"]}[hit["id"]] == 1
    queries = httpx.get(f"{server.url}/v1/studio/answers/{hit['response_set']}/{hit['id']}/queries",
                        timeout=10).json()["data"]
    assert queries[0]["channel"] == "live" and queries[0]["persona"] == body["persona"]


def test_sigkill_during_a_burst_loses_no_acknowledged_turn(restarted_server: Server) -> None:
    conversations = [f"kill-{n}" for n in range(4)]
    acknowledged: list[tuple[str, int, str, str]] = []
    lock = threading.Lock()
    stop = threading.Event()

    def worker(worker_id: int) -> None:
        with httpx.Client(base_url=restarted_server.url, timeout=10) as client:
            n = 0
            while not stop.is_set():
                cid = conversations[(worker_id + n) % len(conversations)]
                message = f"{GREETINGS[n % len(GREETINGS)]} {worker_id}-{n}"
                n += 1
                try:
                    r = client.post("/v1/chat", json={"conversation_id": cid, "message": message})
                except httpx.TransportError:
                    return
                if r.status_code == 200:
                    with lock:
                        acknowledged.append((cid, r.json()["turn_index"], message, r.json()["reply"]))

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(6)]
    for t in threads:
        t.start()
    deadline = time.monotonic() + 60
    while len(acknowledged) < 30 and time.monotonic() < deadline:
        time.sleep(0.05)
    restarted_server.kill()
    stop.set()
    for t in threads:
        t.join(timeout=30)
    assert len(acknowledged) >= 30

    restarted_server.start()
    with httpx.Client(base_url=restarted_server.url, timeout=10) as client:
        stored = {cid: client.get(f"/v1/conversations/{cid}", params={"limit": 10_000}).json()["turns"]
                  for cid in conversations}
    for cid, index, message, reply in acknowledged:
        turns = stored[cid]
        assert turns[index - 1]["text"] == message and turns[index]["text"] == reply
    for turns in stored.values():
        assert [t["index"] for t in turns] == list(range(len(turns)))
