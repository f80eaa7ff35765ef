"""Contract of the conversation store, run on SQLite and (with TEST_DATABASE_URL) on PostgreSQL."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import textwrap
import uuid
from collections.abc import Iterator

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy.exc import IntegrityError

from assistant.store import ConversationStore, Exchange, FailedTurn, LockTimeout, open_store
from assistant.store.migrate import alembic_config, current_revision
from assistant.store.models import TurnRow
from tests.conftest import REPO_ROOT


@pytest.fixture
def store(database_url: str) -> Iterator[ConversationStore]:
    s = open_store(database_url, lock_timeout_s=5.0)
    yield s
    s.close()


def exchange(n: int, state: dict | None = None) -> Exchange:
    return Exchange(persona_id="assistant", user_text=f"질문 {n}", reply=f"답변 {n}", rewrite=f"질문 {n}",
                    source="retrieve", state=state or {"n": n}, scores={"score": 0.5}, latency_ms=1.0)


async def test_exchange_appends_user_then_assistant_with_contiguous_indices(store: ConversationStore) -> None:
    cid = uuid.uuid4().hex
    first = await store.append_exchange(cid, exchange(0))
    second = await store.append_exchange(cid, exchange(1))
    assert (first.user_idx, first.assistant_idx, second.user_idx, second.assistant_idx) == (0, 1, 2, 3)
    turns = await store.turns(cid)
    assert [(t.idx, t.role, t.text) for t in turns] == [
        (0, "user", "질문 0"), (1, "assistant", "답변 0"), (2, "user", "질문 1"), (3, "assistant", "답변 1")
    ]
    conversation = await store.get(cid)
    assert conversation is not None and conversation.turn_count == 4 and conversation.state == {"n": 1}


async def test_history_returns_the_last_turns_oldest_first(store: ConversationStore) -> None:
    cid = uuid.uuid4().hex
    for n in range(5):
        await store.append_exchange(cid, exchange(n))
    history = await store.history(cid, 3)
    assert [t.idx for t in history] == [7, 8, 9]
    assert await store.history(cid, 0) == []


async def test_unknown_conversation_is_none_and_has_no_turns(store: ConversationStore) -> None:
    assert await store.get("missing") is None
    assert await store.turns("missing") == []


async def test_trace_and_korean_text_round_trip(store: ConversationStore) -> None:
    cid = uuid.uuid4().hex
    ex = Exchange(persona_id="friend", user_text="그때 비 와? 🌧", reply="토요일엔 비 소식이 있어.",
                  rewrite="토요일 저녁 7시 강남역 비 와?", source="generate", state={"slots": {"날씨-지역": "강남역"}},
                  scores={"decision": "generate", "score": 0.12}, trace={"resolutions": [{"span": "그때"}]},
                  latency_ms=12.5, request_id="req-1")
    await store.append_exchange(cid, ex)
    user, reply = await store.turns(cid)
    assert user.text == "그때 비 와? 🌧" and user.rewrite == "토요일 저녁 7시 강남역 비 와?"
    assert reply.source == "generate" and reply.scores == {"decision": "generate", "score": 0.12}
    assert reply.trace == {"resolutions": [{"span": "그때"}]} and reply.created_at.tzinfo is not None


async def test_duplicate_turn_index_is_refused_by_the_schema(store: ConversationStore) -> None:
    cid = uuid.uuid4().hex
    await store.append_exchange(cid, exchange(0))
    table = TurnRow.__table__
    created_at = (await store.turns(cid))[0].created_at
    with pytest.raises(IntegrityError), store.engine.begin() as conn:
        conn.execute(table.insert().values(conversation_id=cid, idx=1, role="user", text="x", created_at=created_at))


def test_migrations_are_idempotent(store: ConversationStore) -> None:
    store.migrate()
    store.migrate()
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert current_revision(store.engine) == head


async def test_concurrent_turns_are_serialised_in_arrival_order(store: ConversationStore) -> None:
    cid = uuid.uuid4().hex
    arrivals: list[int] = []

    async def turn(n: int) -> int:
        arrivals.append(n)
        async with store.lock(cid):
            history = await store.history(cid, 1000)
            # A turn must see every earlier turn: this is what the lock is for.
            assert len(history) == 2 * arrivals.index(n)
            await asyncio.sleep(0)
            appended = await store.append_exchange(cid, exchange(n))
            return appended.user_idx

    indices = await asyncio.gather(*(turn(n) for n in range(20)))
    turns = await store.turns(cid)
    assert [t.idx for t in turns] == list(range(40))
    assert [t.text for t in turns if t.role == "user"] == [f"질문 {n}" for n in arrivals]
    assert sorted(indices) == list(range(0, 40, 2))


async def test_lock_wait_is_bounded(database_url: str) -> None:
    store = open_store(database_url, lock_timeout_s=0.2)
    try:
        async with store.lock("busy"):
            with pytest.raises(LockTimeout):
                async with store.lock("busy"):
                    pass
        async with store.lock("busy"):  # released after the timeout, usable again
            pass
    finally:
        store.close()


async def test_deleting_a_conversation_removes_its_turns(store: ConversationStore) -> None:
    cid = uuid.uuid4().hex
    await store.append_exchange(cid, exchange(0))
    assert await store.delete(cid)
    assert await store.get(cid) is None and await store.turns(cid) == []
    assert not await store.delete(cid)


WORKER = textwrap.dedent(
    """
    import asyncio, sys
    from assistant.store import Exchange, open_store

    async def main(url, cid, tag, count):
        store = open_store(url, lock_timeout_s=30)
        for n in range(count):
            async with store.lock(cid):
                history = await store.history(cid, 10_000)
                await asyncio.sleep(0.005)
                await store.append_exchange(cid, Exchange(persona_id="p", user_text=f"{tag}-{n}",
                    reply=f"seen {len(history)}", rewrite=None, source="retrieve", state=None))
        store.close()

    asyncio.run(main(sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])))
    """
)


@pytest.mark.postgres
def test_turns_are_serialised_across_processes_on_postgresql(postgres_url: str) -> None:
    open_store(postgres_url).close()  # migrate once before the workers race
    cid = uuid.uuid4().hex
    workers = [
        subprocess.Popen([sys.executable, "-c", WORKER, postgres_url, cid, tag, "10"], cwd=REPO_ROOT)
        for tag in ("a", "b", "c")
    ]
    assert all(w.wait(timeout=120) == 0 for w in workers)
    store = open_store(postgres_url)
    try:
        turns = asyncio.run(store.turns(cid, limit=1000))
    finally:
        store.close()
    assert [t.idx for t in turns] == list(range(60))
    # Each reply records how many turns its request saw: strictly growing means no request read stale history.
    seen = [int(t.text.split()[1]) for t in turns if t.role == "assistant"]
    assert seen == list(range(0, 60, 2))


def failed_turn(text: str, state: dict | None = None, code: str = "generation_unavailable") -> FailedTurn:
    return FailedTurn(persona_id="assistant", user_text=text, error_code=code, rewrite=text, state=state,
                      trace={"error": {"status": 503, "code": code}})


async def test_failed_turn_is_marked_and_the_next_exchange_follows_it_contiguously(store: ConversationStore) -> None:
    cid = uuid.uuid4().hex
    await store.append_exchange(cid, exchange(0))
    assert await store.append_failed(cid, failed_turn("토요일 저녁 7시 강남역 날씨", {"time": "토요일 저녁 7시"})) == 2
    after = await store.append_exchange(cid, exchange(1))
    assert (after.user_idx, after.assistant_idx) == (3, 4)
    turns = await store.turns(cid)
    assert [(t.idx, t.role, t.failed) for t in turns] == [
        (0, "user", False), (1, "assistant", False), (2, "user", True), (3, "user", False), (4, "assistant", False)
    ]
    assert turns[2].error_code == "generation_unavailable" and turns[2].trace == {
        "error": {"status": 503, "code": "generation_unavailable"}}
    conversation = await store.get(cid)
    assert conversation is not None and conversation.turn_count == 5


async def test_failed_turn_carries_its_state_or_keeps_the_previous_one(store: ConversationStore) -> None:
    cid = uuid.uuid4().hex
    assert await store.append_failed(cid, failed_turn("첫 메시지", {"place": "강남역"})) == 0  # starts a conversation
    conversation = await store.get(cid)
    assert conversation is not None and conversation.state == {"place": "강남역"} and conversation.turn_count == 1
    await store.append_failed(cid, failed_turn("두 번째", None, code="turn_timeout"))
    conversation = await store.get(cid)
    assert conversation is not None and conversation.state == {"place": "강남역"} and conversation.turn_count == 2


async def test_concurrent_failed_and_answered_turns_keep_contiguous_indices(store: ConversationStore) -> None:
    cid = uuid.uuid4().hex

    async def turn(n: int) -> None:
        async with store.lock(cid):
            if n % 3 == 0:
                await store.append_failed(cid, failed_turn(f"실패 {n}"))
            else:
                await store.append_exchange(cid, exchange(n))

    await asyncio.gather(*(turn(n) for n in range(15)))
    turns = await store.turns(cid, limit=1000)
    assert [t.idx for t in turns] == list(range(len(turns))) and len(turns) == 5 + 2 * 10
    for i, t in enumerate(turns):  # a failed user turn is never followed by an assistant turn
        if t.failed:
            assert i + 1 == len(turns) or turns[i + 1].role == "user"
