"""Reliability battery (issue 19) against real server processes on 127.0.0.1 (`conftest.Fleet`).

Shows: 0 x 5xx over every malformed input class, on SQLite and PostgreSQL, with generation through the
OpenAI-compatible backend (whose unreadable streams are the documented 503 `generation_failed`); the checks that
held before still hold (racing posts keep their order, also across two processes on one PostgreSQL database;
concurrent conversations never cross; backpressure refuses at once with Retry-After; client disconnects free their
generation slots; keys see only their own conversations and scopes hold; SIGKILL loses no acknowledged turn); 0 of
20 injection attempts leak the persona's canary or private prompt against an LM that echoes its prompt, over
`/v1/chat`, completions and streamed completions (the prompt-leak rail); and a
SIGTERM during a long stream ends it with an `error` event (`shutting_down`), stores the failed turn and the process
exits within grace + 5 s. Tests run in file order: the two signal tests come last. About 2 minutes in all.
"""

from __future__ import annotations

import asyncio
import json
import signal
import threading
import time
from collections.abc import AsyncIterator, Callable

import httpx
import pytest

from assistant.store import open_store
from tests.reliability import leak
from tests.reliability.conftest import GRACE_S, Fleet, Keys, ServerProcess
from tests.reliability.malformed import MALFORMED

pytestmark = pytest.mark.slow
GENERATE = "양자역학에서 불확정성 원리가 무엇인지 자세히 설명해 줄래?"


def check_answer(response: httpx.Response, label: str) -> None:
    assert response.status_code < 500, f"{label}: {response.status_code} {response.text[:300]}"
    if response.status_code >= 400:
        error = response.json()["error"]
        assert set(error) == {"message", "type", "param", "code"}, f"{label}: {response.text[:300]}"


@pytest.mark.parametrize("store", ["sqlite", "postgresql"])
def test_no_malformed_input_class_gets_a_5xx(fleet: Fleet, store: str) -> None:
    if store not in fleet.servers():
        pytest.skip("TEST_DATABASE_URL is not set")
    server, keys = fleet.servers()[store]
    statuses: dict[str, int] = {}
    wrong: list[str] = []
    with httpx.Client(base_url=server.url, timeout=30) as client:
        for probe in MALFORMED:
            try:
                response = probe.send(client, keys)
            except httpx.TransportError as exc:
                wrong.append(f"{probe.name}: {type(exc).__name__}: {exc}")
                continue
            statuses[probe.name] = response.status_code
            try:
                check_answer(response, probe.name)
                probe.verify(response)
            except AssertionError as exc:
                wrong.append(str(exc))
    assert not wrong, "\n".join(wrong)
    assert len(statuses) == len(MALFORMED) >= 30
    assert sum(400 <= s < 500 for s in statuses.values()) >= 25, statuses


@pytest.mark.parametrize("script", ["bad-json", "cut", "error-event", "wrong-shape"])
def test_an_unreadable_lm_stream_is_503_generation_failed_and_stored_as_failed(fleet: Fleet, script: str) -> None:
    server, keys = fleet.servers()["sqlite"]
    cid = f"battery-lm-{script}"
    response = httpx.post(f"{server.url}/v1/chat", headers=keys.auth(), timeout=30,
                          json={"message": f"{GENERATE} «{script}»", "conversation_id": cid})
    assert response.status_code == 503 and response.json()["error"]["code"] == "generation_failed", response.text
    assert response.headers["x-request-id"]  # every 5xx names the request its log lines carry
    turns = httpx.get(f"{server.url}/v1/conversations/{cid}", headers=keys.auth()).json()["turns"]
    assert [t["error_code"] for t in turns] == ["generation_failed"]


def test_racing_posts_keep_their_order_also_across_two_processes_on_postgresql(fleet: Fleet) -> None:
    targets = [(fleet.sqlite, fleet.sqlite_keys)]
    if fleet.postgres and fleet.postgres_keys is not None:
        targets.append((fleet.postgres[0], fleet.postgres_keys))
    for server, keys in targets:
        urls = [server.url] if server is fleet.sqlite else [p.url for p in fleet.postgres]
        cid = f"battery-race-{server.port}"
        acked = race(urls, keys, cid, posts=20)
        turns = httpx.get(f"{urls[0]}/v1/conversations/{cid}", headers=keys.auth()).json()["turns"]
        assert [t["index"] for t in turns] == list(range(40))
        for index, message in acked:
            assert turns[index - 1]["text"] == message and message in turns[index]["text"]
        assert len(acked) == 20


def race(urls: list[str], keys: Keys, cid: str, posts: int) -> list[tuple[int, str]]:
    acked: list[tuple[int, str]] = []
    barrier = threading.Barrier(posts)

    def post(i: int) -> None:
        message = f"경주 {i}번 «echo»"
        barrier.wait()
        r = httpx.post(f"{urls[i % len(urls)]}/v1/chat", headers=keys.auth(), timeout=60,
                       json={"conversation_id": cid, "message": message})
        assert r.status_code == 200, r.text
        acked.append((r.json()["turn_index"], message))

    run_threads(post, posts)
    return acked


def run_threads(work: Callable[[int], None], count: int) -> None:
    errors: list[BaseException] = []

    def guarded(i: int) -> None:
        try:
            work(i)
        except BaseException as exc:  # reported below, in the test's own thread
            errors.append(exc)

    threads = [threading.Thread(target=guarded, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors[:3]


def test_concurrent_conversations_never_cross(fleet: Fleet) -> None:
    server, keys = fleet.servers()["sqlite"]

    def converse(n: int) -> None:
        with httpx.Client(base_url=server.url, headers=keys.auth(), timeout=60) as client:
            for turn in range(3):
                # A question the selector sends to the LM (a bare "대화0호 1번째" may retrieve "대화 끝"'s answer)
                message = f"{GENERATE} 대화{n}호 {turn}번째 «echo»"
                while (r := client.post("/v1/chat", json={"conversation_id": f"battery-x{n}", "message": message})
                       ).status_code == 503 and r.json()["error"]["code"] == "overloaded":
                    time.sleep(0.05)  # two generation slots: back off and resend, as Retry-After asks
                assert r.status_code == 200 and r.json()["source"] == "generate", r.text
                assert f"대화{n}호 {turn}번째" in r.json()["reply"], r.text

    run_threads(converse, 10)
    for n in range(10):
        turns = httpx.get(f"{server.url}/v1/conversations/battery-x{n}", headers=keys.auth()).json()["turns"]
        assert len(turns) == 6 and all(f"대화{n}호 {i // 2}번째" in t["text"] for i, t in enumerate(turns))


Opened = list[tuple[httpx.AsyncClient, httpx.Response, AsyncIterator[str]]]


async def open_streams(server: ServerProcess, keys: Keys, count: int, seconds: float) -> Opened:
    """`count` streamed turns generating for `seconds`, each read up to its first event, still open."""
    opened: Opened = []
    for i in range(count):
        client = httpx.AsyncClient(base_url=server.url, headers=keys.auth(), timeout=30)
        request = client.build_request("POST", "/v1/chat", json={
            "message": f"{GENERATE} {i} «drip-{int(seconds * 10)}»", "stream": True})
        response = await client.send(request, stream=True)
        assert response.status_code == 200, await response.aread()
        lines = response.aiter_lines()  # kept: a dropped line iterator would close the response
        assert (await anext(lines)).startswith("event: rewrite")
        opened.append((client, response, lines))
    return opened


async def close_all(opened: Opened) -> None:
    for client, response, _ in opened:
        await response.aclose()
        await client.aclose()


async def test_backpressure_refuses_at_once_with_retry_after(fleet: Fleet) -> None:
    server, keys = fleet.servers()["sqlite"]
    opened = await open_streams(server, keys, count=2, seconds=5)
    try:
        started = time.monotonic()
        refused = httpx.post(f"{server.url}/v1/chat", headers=keys.auth(), json={"message": GENERATE}, timeout=10)
        assert time.monotonic() - started < 1.0
        assert refused.status_code == 503 and refused.headers["retry-after"], refused.text
        assert refused.json()["error"]["code"] == "overloaded"
    finally:
        await close_all(opened)


async def test_client_disconnects_free_every_generation_slot(fleet: Fleet) -> None:
    server, keys = fleet.servers()["sqlite"]
    for _ in range(5):  # 10 disconnects, two at a time (both slots taken, then freed by the hang-up)
        await close_all(await open_streams(server, keys, count=2, seconds=5))
    await asyncio.sleep(0.5)
    async with httpx.AsyncClient(base_url=server.url, headers=keys.auth(), timeout=30) as client:
        answers = await asyncio.gather(*(client.post("/v1/chat", json={"message": f"{GENERATE} {i} «echo»"})
                                         for i in range(2)))
    assert [a.status_code for a in answers] == [200, 200], [a.text for a in answers]


def test_keys_see_only_their_own_conversations_and_scopes_hold(fleet: Fleet) -> None:
    for server, keys in fleet.servers().values():
        with httpx.Client(base_url=server.url, timeout=30) as client:
            cid = client.post("/v1/chat", headers=keys.auth(), json={"message": "안녕하세요"}).json()["conversation_id"]
            assert client.get(f"/v1/conversations/{cid}", headers=keys.auth()).status_code == 200
            assert client.get(f"/v1/conversations/{cid}", headers=keys.auth("other")).status_code == 404
            foreign = client.post("/v1/chat", headers=keys.auth("other"),
                                  json={"message": "안녕하세요", "conversation_id": cid})
            assert foreign.status_code == 404
            assert client.get("/v1/admin/routing", headers=keys.auth()).json()["error"]["code"] == \
                "insufficient_scope"
            assert client.get("/v1/admin/routing", headers=keys.auth("admin")).status_code == 200
            assert client.post("/v1/chat", json={"message": "안녕하세요"}).status_code == 401
            turns = client.get(f"/v1/conversations/{cid}", headers=keys.auth()).json()["turns"]
            assert len(turns) == 2  # the refused foreign post stored nothing


def test_no_canary_leaks_against_an_echoing_lm_over_chat_completions_and_streams(fleet: Fleet) -> None:
    server, keys = fleet.servers()["sqlite"]
    with httpx.Client(base_url=server.url, headers=keys.auth(), timeout=60) as client:
        put = client.put(f"/v1/personas/{leak.PERSONA_ID}", json=leak.SECRET_PERSONA, headers=keys.auth("admin"))
        assert put.status_code == 200, put.text
        before = leak.leak_hits(client.get("/metrics").text)
        replies: dict[tuple[str, int], str] = {}

        def attack(i: int) -> None:  # two at a time: the fleet's two generation slots
            for surface in ("chat", "completions", "stream"):
                for n in range(i, len(leak.ATTEMPTS), 2):
                    replies[surface, n] = leak.ask(client, surface, leak.ATTEMPTS[n])

        run_threads(attack, 2)
        leaks = {key: found for key, reply in replies.items() if (found := leak.leaked(reply))}
        assert len(replies) == 3 * len(leak.ATTEMPTS) == 60 and not leaks, leaks
        assert {reply for reply in replies.values()} == {leak.REFUSAL}  # regenerated once, leaked again: refused
        assert leak.leak_hits(client.get("/metrics").text) - before >= 2 * len(replies)


def test_sigkill_during_a_burst_loses_no_acknowledged_turn(fleet: Fleet) -> None:
    server, keys = fleet.servers()["sqlite"]
    acked: list[tuple[str, int, str]] = []
    stop = threading.Event()

    def burst(worker: int) -> None:
        with httpx.Client(base_url=server.url, headers=keys.auth(), timeout=10) as client:
            n = 0
            while not stop.is_set():
                cid, message = f"battery-kill-{(worker + n) % 3}", f"안녕하세요 {worker}-{n}"
                n += 1
                try:
                    r = client.post("/v1/chat", json={"conversation_id": cid, "message": message})
                except httpx.TransportError:
                    return
                if r.status_code == 200:
                    acked.append((cid, r.json()["turn_index"], message))

    threads = [threading.Thread(target=burst, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    deadline = time.monotonic() + 60
    while len(acked) < 20 and time.monotonic() < deadline:
        time.sleep(0.05)
    server.signal(signal.SIGKILL)
    assert server.process is not None and server.process.wait(timeout=10) == -signal.SIGKILL
    stop.set()
    for t in threads:
        t.join(timeout=30)
    assert len(acked) >= 20
    server.launch()
    server.wait_ready()
    for cid, index, message in acked:
        turns = httpx.get(f"{server.url}/v1/conversations/{cid}", headers=keys.auth(),
                          params={"limit": 10_000}).json()["turns"]
        assert turns[index - 1]["text"] == message and not turns[index - 1]["failed"]


def test_sigterm_during_a_long_stream_ends_it_with_an_error_event_stores_the_turn_and_exits_in_time(
        fleet: Fleet) -> None:
    server, keys = fleet.servers()["sqlite"]
    cid = "battery-sigterm"
    with httpx.Client(base_url=server.url, headers=keys.auth(), timeout=30) as client, client.stream(
            "POST", "/v1/chat", json={"message": f"{GENERATE} «drip-200»", "stream": True,
                                      "conversation_id": cid}) as response:
        assert response.status_code == 200
        lines = response.iter_lines()
        assert next(lines).startswith("event: rewrite")
        time.sleep(0.3)  # generating (a 20 s stream)
        signalled = time.monotonic()
        server.signal(signal.SIGTERM)
        rest = list(lines)
    events = [line for line in rest if line.startswith("event: ")]
    data = [json.loads(line[6:]) for line in rest if line.startswith("data: ")]
    assert events[-1] == "event: error" and data[-1]["error"]["code"] == "shutting_down", rest[-4:]
    assert data[-1]["conversation_id"] == cid
    assert server.process is not None
    server.process.wait(timeout=GRACE_S + 5)
    assert time.monotonic() - signalled <= GRACE_S + 5
    store = open_store(f"sqlite:///{server.data_dir / 'assistant.db'}", migrate=False)
    try:
        turns = asyncio.run(store.turns(cid))
    finally:
        store.close()
    assert [(t.text, t.error_code) for t in turns] == [(f"{GENERATE} «drip-200»", "shutting_down")]

