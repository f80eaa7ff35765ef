"""A turn's failure scope (assistant.pipeline.failures): the failed turn is stored even when the deadline would fire
while storing it, and only the turn's own deadline becomes `turn_timeout`."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from assistant.errors import AssistantError, Unavailable
from assistant.pipeline import TurnRequest
from assistant.pipeline.failures import turn_scope
from assistant.pipeline.stages import Loaded
from assistant.store import ConversationStore, open_store
from personas.loader import load_persona_file

LIMIT_S = 0.3
LIBRARY = Path(__file__).resolve().parents[2] / "personas" / "library"


@pytest.fixture
def store(tmp_path: Path) -> Iterator[ConversationStore]:
    store = open_store(f"sqlite:///{tmp_path / 'turns.db'}")
    try:
        yield store
    finally:
        store.close()


async def test_failure_stored_across_the_deadline_keeps_its_own_error(store: ConversationStore) -> None:
    real = store.append_failed

    async def slow_append(conversation_id: str, failed: Any) -> int:  # the real store, slower than the time left
        await asyncio.sleep(2 * LIMIT_S)
        return await real(conversation_id, failed)

    store.append_failed = slow_append  # type: ignore[method-assign]
    req = TurnRequest(message="안녕하세요", conversation_id="late-store")
    with pytest.raises(Unavailable) as caught:
        async with turn_scope(store, LIMIT_S, req, "late-store") as (_, progress):
            persona = load_persona_file(LIBRARY / "assistant.yaml", root=None, max_bytes=1 << 20)
            progress.reached = Loaded("late-store", persona, history=(), state=None)
            raise Unavailable("the LM failed", code="generation_unavailable")
    assert caught.value.conversation_id == "late-store"
    history = await store.history("late-store", 10)
    assert [(t.role, t.error_code) for t in history] == [("user", "generation_unavailable")]


async def test_a_leafs_own_timeout_error_is_not_the_turn_deadline(store: ConversationStore) -> None:
    req = TurnRequest(message="안녕하세요", conversation_id="leaf-timeout")
    with pytest.raises(TimeoutError) as caught:
        async with turn_scope(store, 60.0, req, "leaf-timeout"):
            raise TimeoutError("a socket read timed out")
    assert not isinstance(caught.value, AssistantError) and str(caught.value) == "a socket read timed out"


async def test_the_turn_deadline_is_still_turn_timeout(store: ConversationStore) -> None:
    req = TurnRequest(message="안녕하세요", conversation_id="slow-turn")
    with pytest.raises(AssistantError) as caught:
        async with turn_scope(store, LIMIT_S, req, "slow-turn"):
            await asyncio.sleep(10 * LIMIT_S)
    assert caught.value.code == "turn_timeout" and caught.value.status_code == 504
