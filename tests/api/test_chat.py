"""POST /v1/chat and GET /v1/conversations/{id}: real turns through the real pipeline on the embedded defaults."""

from __future__ import annotations

import asyncio
import re

import httpx

from tests.api.conftest import assert_error_body

HANGUL = re.compile(r"[가-힣]")


async def test_greeting_gets_a_korean_reply_and_a_new_conversation_id(client: httpx.AsyncClient) -> None:
    response = await client.post("/v1/chat", json={"message": "안녕하세요"})
    assert response.status_code == 200, response.text
    body = response.json()
    assert HANGUL.search(body["reply"]) and body["conversation_id"]
    assert body["source"] == "retrieve" and body["selection"]["decision"] == "retrieve"
    assert body["turn_index"] == 1 and body["rewrite"]["standalone"]
    assert set(body["latency_ms"]) >= {"rewrite", "select", "store", "total"}


async def test_turns_are_stored_with_rewrite_selection_and_state(client: httpx.AsyncClient) -> None:
    first = (await client.post("/v1/chat", json={"message": "안녕하세요"})).json()
    cid = first["conversation_id"]
    second = await client.post("/v1/chat", json={"conversation_id": cid, "message": "고마워요"})
    assert second.status_code == 200 and second.json()["turn_index"] == 3
    conversation = (await client.get(f"/v1/conversations/{cid}")).json()
    assert [t["index"] for t in conversation["turns"]] == [0, 1, 2, 3]
    assert [t["role"] for t in conversation["turns"]] == ["user", "assistant"] * 2
    assert conversation["turns"][2]["text"] == "고마워요" and conversation["turns"][2]["rewrite"]
    assert conversation["turns"][3]["selection"]["decision"] == "retrieve"
    assert conversation["state"] is not None and conversation["turn_count"] == 4


async def test_twenty_concurrent_turns_on_one_conversation_keep_arrival_order(client: httpx.AsyncClient) -> None:
    cid = (await client.post("/v1/chat", json={"message": "안녕하세요"})).json()["conversation_id"]
    greetings = ["안녕하세요", "고마워요", "반가워요", "잘 자요"]

    async def send(n: int) -> httpx.Response:
        await asyncio.sleep(n * 0.005)  # staggered so that the arrival order is known
        return await client.post("/v1/chat", json={"conversation_id": cid, "message": f"{greetings[n % 4]} {n}"})

    responses = await asyncio.gather(*(send(n) for n in range(20)))
    assert all(r.status_code in (200, 503) for r in responses), [r.text for r in responses]
    acknowledged = [r.json() for r in responses if r.status_code == 200]
    turns = (await client.get(f"/v1/conversations/{cid}", params={"limit": 1000})).json()["turns"]
    assert [t["index"] for t in turns] == list(range(len(turns)))
    users = [t["text"] for t in turns if t["role"] == "user"][1:]
    assert users == [f"{greetings[n % 4]} {n}" for n in range(20) if responses[n].status_code == 200]
    for reply in acknowledged:
        assert turns[reply["turn_index"]]["text"] == reply["reply"]
    assert len(acknowledged) == 20


async def test_unknown_conversation_is_404_with_the_error_body(client: httpx.AsyncClient) -> None:
    error = assert_error_body(await client.get("/v1/conversations/does-not-exist"), 404)
    assert error["type"] == "not_found_error"


async def test_unknown_persona_is_404_and_creates_nothing(client: httpx.AsyncClient) -> None:
    response = await client.post("/v1/chat", json={"conversation_id": "c-unknown-persona", "persona": "nobody",
                                                   "message": "안녕하세요"})
    assert assert_error_body(response, 404)["param"] == "persona"
    assert (await client.get("/v1/conversations/c-unknown-persona")).status_code == 404
