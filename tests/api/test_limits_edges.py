"""Every configured limit a client can hit over HTTP holds at N and refuses N+1 with the shared error body.

Limits are set small through Settings (not by sending megabytes). Each app here gets its own persona registry and,
where skill limits are tested, its own skill registry, since those read their limits when built; admin tests write
to response sets of their own, so the shared default set is untouched. A refusal stores nothing.
"""

from __future__ import annotations

import dataclasses
import json
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from api.app import create_app
from assistant.services import Components, Services
from assistant.settings import Settings
from assistant.wiring.personas import build_registry
from assistant.wiring.skills import build_skills
from benchmarks.support.chat_server import ChatServer
from benchmarks.support.live import GENERATE, remote_generator, services_for, settings_with
from korean.kiwi import shared_kiwi
from personas import dump_persona_yaml
from personas.loader import validate_document
from tests.api.conftest import assert_error_body

CARD = Path(__file__).resolve().parents[1] / "personas" / "data" / "seoyun_v2.json"
GREETING = "안녕하세요"  # 5 characters; the default response set answers it without an LM


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    """Limits are checked before the store is touched: SQLite only (the store contract covers both)."""
    return f"sqlite:///{tmp_path / 'store.db'}"


@asynccontextmanager
async def app_with(api_settings: Settings, components: Components, database_url: str, data_dir: Path,
                   generation: Any = None, **sections: dict[str, Any]
                   ) -> AsyncIterator[tuple[httpx.AsyncClient, Services]]:
    """The real app with `sections` merged into the session's settings and its own persona (and skill) registry;
    `generation`: another LM (e.g. the product's OpenAI-compatible backend on the local echo server)."""
    data = api_settings.model_dump()
    merged = {name: {**data[name], **values} for name, values in sections.items()}
    settings = settings_with(api_settings, data_dir=data_dir, **merged)
    parts = dataclasses.replace(components, personas=build_registry(settings, shared_kiwi()))
    if "skills" in sections:
        skills, _ = build_skills(settings, components.generation, components.retrieval, shared_kiwi())
        parts = dataclasses.replace(parts, skills=skills)
    with services_for(settings, parts, database_url, generation) as services:
        transport = httpx.ASGITransport(app=create_app(services=services))
        async with httpx.AsyncClient(transport=transport, base_url="http://test", timeout=60) as client:
            yield client, services


def padded(body: dict[str, Any], size: int) -> bytes:
    """`body` as JSON followed by spaces (still valid JSON) to exactly `size` bytes."""
    raw = json.dumps(body, ensure_ascii=False).encode()
    assert len(raw) <= size
    return raw + b" " * (size - len(raw))


async def chunked(data: bytes) -> AsyncIterator[bytes]:
    """A body without Content-Length (transfer-encoding: chunked), in pieces."""
    for start in range(0, len(data), 300):
        yield data[start:start + 300]


# --- body size: limits.max_body_bytes, limits.max_skill_body_bytes, personas.max_card_bytes ----------------------

BODY_LIMITS = [
    ("/v1/chat", {"limits": {"max_body_bytes": 1024}}, 1024, {"message": GREETING}, 200),
    ("/v1/skills/rewrite-null-query", {"limits": {"max_body_bytes": 1024, "max_skill_body_bytes": 2048}}, 2048,
     {"input": {"query": "가습기 좀 틀어 줘"}}, 200),
    ("/v1/personas/import", {"limits": {"max_body_bytes": 1024}, "personas": {"max_card_bytes": 4096}}, 4096,
     json.loads(CARD.read_text(encoding="utf-8")), 201),
]


@pytest.mark.parametrize(("path", "sections", "limit", "body", "ok"), BODY_LIMITS,
                         ids=["chat", "skills", "card-import"])
@pytest.mark.parametrize("framing", ["content-length", "chunked"])
async def test_body_size_limit_accepts_n_bytes_and_refuses_n_plus_one_with_413(
        api_settings: Settings, components: Components, database_url: str, tmp_path: Path, path: str,
        sections: dict, limit: int, body: dict, ok: int, framing: str) -> None:
    headers = {"content-type": "application/json"}
    async with app_with(api_settings, components, database_url, tmp_path, **sections) as (client, _):
        at_limit, over = padded(body, limit), padded(body, limit + 1)
        if framing == "chunked":
            accepted = await client.post(path, content=chunked(at_limit), headers=headers)
            refused = await client.post(path, content=chunked(over), headers=headers)
        else:
            accepted = await client.post(path, content=at_limit, headers=headers)
            refused = await client.post(path, content=over, headers=headers)
        assert accepted.status_code == ok, accepted.text
        error = assert_error_body(refused, 413)
        assert error["code"] == "body_too_large" and str(limit) in error["message"]
        if path == "/v1/personas/import":  # the refused import stored nothing: only the accepted one exists
            listing = (await client.get("/v1/personas")).json()["data"]
            assert sum(p["source"] == "custom" for p in listing) == 1


# --- message, instructions and conversation id: limits.max_message_chars, max_instructions_chars, max_id_chars ----


def _completion(message: str, system: list[str] | None = None) -> dict[str, Any]:
    messages = [{"role": "system", "content": s} for s in system or []] + [{"role": "user", "content": message}]
    return {"model": "assistant", "messages": messages}


async def test_message_limit_n_is_answered_and_n_plus_one_leaves_the_conversation_unchanged(
        api_settings: Settings, components: Components, database_url: str, tmp_path: Path) -> None:
    async with app_with(api_settings, components, database_url, tmp_path,
                        limits={"max_message_chars": len(GREETING)}) as (client, _):
        first = await client.post("/v1/chat", json={"message": GREETING})
        assert first.status_code == 200, first.text
        cid = first.json()["conversation_id"]
        before = (await client.get(f"/v1/conversations/{cid}")).json()
        over = await client.post("/v1/chat", json={"conversation_id": cid, "message": GREETING + "!"})
        error = assert_error_body(over, 422)
        assert (error["param"], error["code"]) == ("message", "message_too_long")
        streamed = await client.post("/v1/chat", json={"conversation_id": cid, "message": GREETING + "!",
                                                       "stream": True})
        assert assert_error_body(streamed, 422)["code"] == "message_too_long"  # before the stream starts
        assert (await client.get(f"/v1/conversations/{cid}")).json() == before
        assert before["turn_count"] == 2


async def test_openai_message_limit_n_is_answered_and_n_plus_one_stores_nothing(
        api_settings: Settings, components: Components, database_url: str, tmp_path: Path) -> None:
    async with app_with(api_settings, components, database_url, tmp_path,
                        limits={"max_message_chars": len(GREETING)}) as (client, _):
        accepted = await client.post("/v1/chat/completions", json=_completion(GREETING))
        assert accepted.status_code == 200, accepted.text
        refused = await client.post("/v1/chat/completions", json=_completion(GREETING + "!"),
                                    headers={"X-Conversation-Id": "oai-edge-over"})
        error = assert_error_body(refused, 400)  # the OpenAI surface answers every invalid request with 400
        assert (error["param"], error["code"]) == ("messages", "message_too_long")
        assert_error_body(await client.get("/v1/conversations/oai-edge-over"), 404)


async def test_zero_instructions_limit_refuses_any_system_text_and_accepts_none(
        api_settings: Settings, components: Components, database_url: str, tmp_path: Path) -> None:
    async with app_with(api_settings, components, database_url, tmp_path,
                        limits={"max_instructions_chars": 0}) as (client, _):
        assert (await client.post("/v1/chat/completions", json=_completion(GREETING, ["  "]))).status_code == 200
        error = assert_error_body(await client.post("/v1/chat/completions", json=_completion(GREETING, ["짧게"])), 400)
        assert (error["param"], error["code"]) == ("messages", "system_too_long")


@pytest.mark.parametrize("surface", ["chat", "openai"])
async def test_configured_conversation_id_limit_holds_at_n_and_refuses_n_plus_one(
        api_settings: Settings, components: Components, database_url: str, tmp_path: Path, surface: str) -> None:
    limit = 16
    at_limit, over = "c" * limit, "d" * (limit + 1)

    async def send(cid: str) -> httpx.Response:
        if surface == "chat":
            return await client.post("/v1/chat", json={"conversation_id": cid, "message": GREETING})
        return await client.post("/v1/chat/completions", json=_completion(GREETING),
                                 headers={"X-Conversation-Id": cid})

    async with app_with(api_settings, components, database_url, tmp_path,
                        limits={"max_id_chars": limit}) as (client, _):
        accepted = await send(at_limit)
        assert accepted.status_code == 200, accepted.text
        error = assert_error_body(await send(over), 422 if surface == "chat" else 400)  # OpenAI answers 400
        param = "conversation_id" if surface == "chat" else "x-conversation-id"
        assert (error["param"], error["code"]) == (param, "id_too_long")
        assert (await client.get(f"/v1/conversations/{at_limit}")).json()["turn_count"] == 2
        assert_error_body(await client.get(f"/v1/conversations/{over}"), 404)
        if surface == "openai":  # over the schema's own bound (128): the same param
            error = assert_error_body(await send("e" * 129), 400)
            assert error["param"] == "x-conversation-id"


async def test_speaker_utterance_over_the_message_limit_is_cut_to_n_characters(
        api_settings: Settings, components: Components, database_url: str, tmp_path: Path) -> None:
    """Speakers cannot resend a refused utterance, so theirs is cut to `limits.max_message_chars`, not refused."""
    def cek(session: str, query: str) -> dict[str, Any]:
        return {"version": "0.1.0", "session": {"sessionId": session, "new": False, "sessionAttributes": {}},
                "request": {"type": "IntentRequest",
                            "intent": {"name": "FreeTalkIntent", "slots": {"query": {"name": "query",
                                                                                     "value": query}}}}}

    async with app_with(api_settings, components, database_url, tmp_path,
                        limits={"max_message_chars": len(GREETING)}) as (client, _):
        for session, query in (("edge-n", GREETING), ("edge-n1", GREETING + "요")):
            response = await client.post("/v1/speaker/clova", json=cek(session, query))
            assert response.status_code == 200, response.text
            cid = response.json()["sessionAttributes"]["conversation_id"]
            stored = (await client.get(f"/v1/conversations/{cid}")).json()["turns"][0]["text"]
            assert stored == GREETING


async def test_generation_budget_is_capped_at_max_new_tokens(
        api_settings: Settings, components: Components, database_url: str, tmp_path: Path,
        chat_server: ChatServer) -> None:
    """`max_tokens` up to the schema's 32768 is valid; the LM is asked for at most `limits.max_new_tokens`."""
    limit = 64
    async with app_with(api_settings, components, database_url, tmp_path,
                        generation=remote_generator(chat_server.base_url, "echo-cap"),
                        limits={"max_new_tokens": limit}) as (client, _):
        asked = []
        for max_tokens in (limit - 1, limit, limit + 1, 32_768):
            body = {**_completion(GENERATE[0]), "max_tokens": max_tokens}
            response = await client.post("/v1/chat/completions", json=body)
            assert response.status_code == 200, response.text
            asked.append(chat_server.bodies[-1]["max_tokens"])
        error = assert_error_body(await client.post("/v1/chat/completions",
                                                    json={**_completion(GENERATE[0]), "max_tokens": 32_769}), 400)
        assert error["param"] == "max_tokens"
    assert asked == [limit - 1, limit, limit, limit]


# --- paging: limits.max_page_size (clamps) and the query bounds -------------------------------------------------


async def test_conversation_pages_hold_max_page_size_and_clamp_a_larger_limit(
        api_settings: Settings, components: Components, database_url: str, tmp_path: Path) -> None:
    async with app_with(api_settings, components, database_url, tmp_path,
                        limits={"max_page_size": 3}) as (client, _):
        cid = (await client.post("/v1/chat", json={"message": GREETING})).json()["conversation_id"]
        await client.post("/v1/chat", json={"conversation_id": cid, "message": "고마워요"})
        page = f"/v1/conversations/{cid}"
        assert len((await client.get(page, params={"limit": 3})).json()["turns"]) == 3
        clamped = (await client.get(page, params={"limit": 4})).json()
        assert [t["index"] for t in clamped["turns"]] == [0, 1, 2] and clamped["turn_count"] == 4
        assert [t["index"] for t in (await client.get(page, params={"offset": 3})).json()["turns"]] == [3]
        assert (await client.get(page, params={"limit": 10_000})).status_code == 200
        for params, param in (({"limit": 10_001}, "limit"), ({"limit": 0}, "limit"), ({"offset": -1}, "offset")):
            assert assert_error_body(await client.get(page, params=params), 422)["param"] == param


# --- admin responses: retrieval.admin_max_records, admin_page_max, question/answer bounds -------------------------


async def test_admin_records_per_request_hold_at_n_and_n_plus_one_adds_nothing(
        api_settings: Settings, components: Components, database_url: str, tmp_path: Path) -> None:
    name = f"edge-{uuid.uuid4().hex[:8]}"
    records = [{"question": f"주말 등산 코스 {i} 알려줘", "answer": f"코스 {i}가 좋아요."} for i in range(3)]
    async with app_with(api_settings, components, database_url, tmp_path,
                        retrieval={"admin_max_records": 2}) as (client, _):
        refused = await client.post("/v1/admin/responses", json={"set": name, "records": records})
        error = assert_error_body(refused, 413)
        assert (error["param"], error["code"]) == ("records", "too_many_records")
        assert assert_error_body(await client.get(f"/v1/admin/responses/{name}"), 404)["code"] == \
            "response_set_not_found"  # the refused batch did not even create the set
        added = await client.post("/v1/admin/responses", json={"set": name, "records": records[:2]})
        assert added.status_code == 201 and added.json()["total"] == 2, added.text
        assert_error_body(await client.post("/v1/admin/responses", json={"set": name, "records": records}), 413)
        assert (await client.get(f"/v1/admin/responses/{name}")).json()["total"] == 2


async def test_admin_page_size_holds_at_n_and_refuses_n_plus_one(
        api_settings: Settings, components: Components, database_url: str, tmp_path: Path) -> None:
    async with app_with(api_settings, components, database_url, tmp_path,
                        retrieval={"admin_page_max": 3}) as (client, _):
        page = await client.get("/v1/admin/responses/default", params={"limit": 3})
        assert page.status_code == 200 and len(page.json()["data"]) == 3, page.text
        error = assert_error_body(await client.get("/v1/admin/responses/default", params={"limit": 4}), 422)
        assert (error["param"], error["code"]) == ("limit", "page_too_large")


@pytest.mark.parametrize("field", ["question", "answer"])
async def test_admin_question_and_answer_hold_4000_characters_and_refuse_4001(
        api_settings: Settings, components: Components, database_url: str, tmp_path: Path, field: str) -> None:
    name = f"edge-{uuid.uuid4().hex[:8]}"
    base = {"question": "주말에 갈 만한 산", "answer": "북한산이 좋아요."}
    async with app_with(api_settings, components, database_url, tmp_path) as (client, _):
        over = await client.post("/v1/admin/responses",
                                 json={"set": name, "records": [{**base, field: "가" * 4001}]})
        error = assert_error_body(over, 422)
        assert (error["param"], error["code"]) == (f"records.0.{field}", "string_too_long")
        assert_error_body(await client.get(f"/v1/admin/responses/{name}"), 404)
        at_limit = await client.post("/v1/admin/responses",
                                     json={"set": name, "records": [{**base, field: "가" * 4000}]})
        assert at_limit.status_code == 201, at_limit.text
        assert len(at_limit.json()["added"][0][field]) == 4000


# --- personas: personas.max_file_bytes on PUT -------------------------------------------------------------------


async def test_persona_put_holds_max_file_bytes_and_refuses_one_byte_more_storing_nothing(
        api_settings: Settings, components: Components, database_url: str, tmp_path: Path) -> None:
    document = {**components.personas.get("assistant").document(), "id": "edge", "description": "한" * 300}
    longer = {**document, "description": document["description"] + "x"}

    def yaml_bytes(doc: dict[str, Any]) -> int:  # as the registry measures it, at the version a new persona gets
        persona = validate_document({**doc, "version": 1}, file="edge.yaml", file_id="edge")
        return len(dump_persona_yaml(persona).encode("utf-8"))

    limit = yaml_bytes(document)
    assert yaml_bytes(longer) == limit + 1
    async with app_with(api_settings, components, database_url, tmp_path,
                        personas={"max_file_bytes": limit}) as (client, _):
        refused = await client.put("/v1/personas/edge", json=longer)
        assert assert_error_body(refused, 413)["code"] == "persona_too_large"
        assert_error_body(await client.get("/v1/personas/edge"), 404)
        accepted = await client.put("/v1/personas/edge", json=document)
        assert accepted.status_code == 200 and accepted.json()["persona"]["version"] == 1, accepted.text


# --- skills: skills.rewrite.*, skills.reviews.* -------------------------------------------------------------------

REVIEW = "배우들의 연기가 훌륭하고 음악도 감동적이었어요"  # 25 characters
SKILL_LIMITS = {"rewrite": {"max_query_chars": 10, "max_rewrites": 2},
                "reviews": {"max_reviews": 3, "max_item_chars": 6, "max_review_chars": len(REVIEW)}}
# (skill, input at the limit, input one over, param, status, code)
SKILL_EDGES = [
    ("rewrite-null-query", {"query": "가습기 좀 틀어 줘"}, {"query": "가습기 좀 틀어 줘요"}, "input.query", 422,
     "invalid_skill_input"),
    ("rewrite-null-query", {"query": "가습기 틀어", "k": 2}, {"query": "가습기 틀어", "k": 3}, "input.k", 422,
     "invalid_skill_input"),
    ("summarize-reviews", {"reviews": [{"text": REVIEW}] * 3}, {"reviews": [{"text": REVIEW}] * 4},
     "input.reviews", 413, "payload_too_large"),
    ("summarize-reviews", {"item": "무선 이어폰", "reviews": [{"text": REVIEW}]},
     {"item": "무선 이어폰들", "reviews": [{"text": REVIEW}]}, "input.item", 422, "invalid_skill_input"),
]


@pytest.mark.parametrize(("skill", "at_limit", "over", "param", "status", "code"), SKILL_EDGES,
                         ids=[f"{e[0]}-{e[3]}" for e in SKILL_EDGES])
async def test_skill_limits_hold_at_n_and_refuse_n_plus_one_naming_the_input_field(
        api_settings: Settings, components: Components, database_url: str, tmp_path: Path, skill: str,
        at_limit: dict, over: dict, param: str, status: int, code: str) -> None:
    async with app_with(api_settings, components, database_url, tmp_path, skills=SKILL_LIMITS) as (client, _):
        accepted = await client.post(f"/v1/skills/{skill}", json={"input": at_limit})
        assert accepted.status_code == 200, accepted.text
        error = assert_error_body(await client.post(f"/v1/skills/{skill}", json={"input": over}), status)
        assert (error["param"], error["code"]) == (param, code)


async def test_review_of_max_review_chars_is_kept_whole_and_one_more_is_truncated(
        api_settings: Settings, components: Components, database_url: str, tmp_path: Path) -> None:
    async with app_with(api_settings, components, database_url, tmp_path, skills=SKILL_LIMITS) as (client, _):
        whole = await client.post("/v1/skills/summarize-reviews", json={"input": {"reviews": [{"text": REVIEW}]}})
        cut = await client.post("/v1/skills/summarize-reviews",
                                json={"input": {"reviews": [{"text": REVIEW + "요"}]}})
    assert whole.status_code == 200 and cut.status_code == 200, (whole.text, cut.text)
    assert whole.json()["trace"]["truncated"] == 0 and cut.json()["trace"]["truncated"] == 1


# --- routing pins: endpoint and version names of 1-64 characters (assistant.routing.settings.NAME_PATTERN) ---------


@pytest.mark.parametrize(("where", "param"), [("path", "endpoint"), ("header", "X-Model-Endpoint")])
async def test_model_pin_names_hold_64_characters_and_refuse_65(client: httpx.AsyncClient, where: str,
                                                                param: str) -> None:
    async def pinned(name: str) -> httpx.Response:
        if where == "path":
            return await client.post(f"/v1/models/{name}/chat", json={"message": GREETING})
        return await client.post("/v1/chat", json={"message": GREETING}, headers={"X-Model-Endpoint": name})

    well_formed = await pinned("e" * 64)  # a valid name that names no endpoint
    assert assert_error_body(well_formed, 404)["code"] == "model_endpoint_not_found"
    error = assert_error_body(await pinned("e" * 65), 422)
    assert (error["param"], error["code"]) == (param, "invalid_model_pin")
