"""The served-answer log (migration 0005): a served answer is logged in its turn's transaction, counts and the
queries that reached an answer come from the same rows, near-misses are the queries within the margin of the
threshold on either side, and the migrated table has exactly the model's columns. On SQLite and PostgreSQL."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import inspect

from assistant.store import ConversationStore, Exchange, ServedLog, open_store, served_from_selection
from assistant.store.served import NEAR_MISS_MARGIN, ServedAnswerRow


@pytest.fixture
def store(database_url: str) -> Iterator[ConversationStore]:
    s = open_store(database_url, lock_timeout_s=5.0)
    yield s
    s.close()


def selection(decision: str, score: float, record: str, set_name: str, threshold: float = 0.5) -> dict:
    hit = {"id": record, "score": score, "response_set": set_name, "question": "q", "answer": "a"}
    return {"decision": decision, "score": score, "threshold": threshold, "response_set": set_name,
            "hit": hit if decision == "retrieve" else None, "candidates": [hit]}


def test_the_migrated_table_has_the_models_columns(store: ConversationStore) -> None:
    columns = {c["name"] for c in inspect(store.engine).get_columns("served_answers")}
    assert columns == {c.name for c in ServedAnswerRow.__table__.columns}


async def test_served_answers_are_logged_with_their_turn_and_counted(store: ConversationStore) -> None:
    set_name, log = f"s-{uuid.uuid4().hex[:8]}", ServedLog(store.engine)
    for n, (decision, score) in enumerate([("retrieve", 0.9), ("retrieve", 0.55), ("generate", 0.45),
                                           ("generate", 0.1)]):
        served = served_from_selection(selection(decision, score, "r1", set_name), f"질의 {n}", "assistant")
        assert (served is None) == (score < 0.5 - NEAR_MISS_MARGIN)
        await store.append_exchange(uuid.uuid4().hex, Exchange(
            persona_id="assistant", user_text=f"질의 {n}", reply="답", rewrite=None, source=decision, state=None,
            served=served))
    assert log.counts(set_name) == {"r1": 2}
    assert [q["query"] for q in log.queries(set_name, "r1")] == ["질의 2", "질의 1", "질의 0"]
    assert [(q["query"], q["decision"]) for q in log.near_misses(set_name)] == [("질의 2", "generate"),
                                                                                 ("질의 1", "retrieve")]
