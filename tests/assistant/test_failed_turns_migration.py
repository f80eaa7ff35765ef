"""Migration 0004 (failed turns) upgrades a database at 0002 that already holds turns, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from sqlalchemy import inspect, text

from assistant.store import ConversationStore, FailedTurn
from assistant.store.engine import make_engine
from assistant.store.migrate import upgrade


def test_upgrade_from_0002_keeps_old_turns_as_answered_and_stores_failed_ones(empty_database: str) -> None:
    engine = make_engine(empty_database)
    try:
        upgrade(engine, "0002")
        now = datetime.now(UTC)
        with engine.begin() as conn:  # what a 0002 server wrote: one answered exchange
            conn.execute(text("INSERT INTO conversations (id, persona_id, turn_count, created_at, updated_at) "
                              "VALUES ('old', 'assistant', 2, :now, :now)"), {"now": now})
            for idx, role in ((0, "user"), (1, "assistant")):
                conn.execute(text("INSERT INTO turns (conversation_id, idx, role, text, created_at) "
                                  "VALUES ('old', :idx, :role, '안녕하세요', :now)"),
                             {"idx": idx, "role": role, "now": now})
        assert "error_code" not in {c["name"] for c in inspect(engine).get_columns("turns")}

        upgrade(engine, "head")
        assert "error_code" in {c["name"] for c in inspect(engine).get_columns("turns")}
        store = ConversationStore(engine)
        old = asyncio.run(store.turns("old"))
        assert [(t.idx, t.failed, t.error_code) for t in old] == [(0, False, None), (1, False, None)]
        failed = FailedTurn(persona_id="assistant", user_text="토요일 저녁 7시 강남역 날씨",
                            error_code="generation_unavailable")
        assert asyncio.run(store.append_failed("old", failed)) == 2
        assert asyncio.run(store.turns("old", offset=2))[0].error_code == "generation_unavailable"
    finally:
        engine.dispose()
