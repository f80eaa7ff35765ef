"""The OpenAI-compatible surface over ASGI: models, completions, conversation mapping, limits, streaming chunks."""

from __future__ import annotations

import json

import httpx
import pytest

from assistant.services import Services
from benchmarks.support.live import GENERATE
from tests.api.conftest import assert_error_body


def _chat(message: str, **extra: object) -> dict[str, object]:
    return {"model": "assistant", "messages": [{"role": "user", "content": message}], **extra}


def _sse(text: str) -> list[str]:
    return [line[len("data: "):] for line in text.splitlines() if line.startswith("data: ")]


async def test_models_are_the_personas(client: httpx.AsyncClient, services: Services) -> None:
    body = (await client.get("/v1/models")).json()
    assert body["object"] == "list"
    assert {m["id"] for m in body["data"]} == {p.id for p in services.personas.list()}
    assert all(m["object"] == "model" and isinstance(m["created"], int) for m in body["data"])
    assert (await client.get("/v1/models/assistant")).json()["id"] == "assistant"
    assert assert_error_body(await client.get("/v1/models/nobody"), 404)["param"] == "model"


async def test_model_path_is_looked_up_like_the_model_field(client: httpx.AsyncClient) -> None:
    """Any model name up to 64 characters that is not a persona id is 404 `model_not_found`, as in completions."""
    for name in ("GPT-4o", "m" * 64):
        assert assert_error_body(await client.get(f"/v1/models/{name}"), 404)["code"] == "model_not_found"
    assert_error_body(await client.get(f"/v1/models/{'m' * 65}"), 400)


async def test_conversation_header_holds_at_n_and_refuses_n_plus_1_or_a_bad_character(
        client: httpx.AsyncClient) -> None:
    at_limit = "c@" + "x" * 126
    ok = await client.post("/v1/chat/completions", json=_chat("안녕하세요"), headers={"X-Conversation-Id": at_limit})
    assert ok.status_code == 200 and ok.headers["x-conversation-id"] == at_limit
    for bad in (at_limit + "x", "c#1"):
        response = await client.post("/v1/chat/completions", json=_chat("안녕"), headers={"X-Conversation-Id": bad})
        assert_error_body(response, 400)


async def test_completion_answers_a_korean_greeting_and_stores_the_turn(client: httpx.AsyncClient) -> None:
    response = await client.post("/v1/chat/completions", json=_chat("안녕하세요"))
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["object"] == "chat.completion" and body["model"] == "assistant"
    choice = body["choices"][0]
    assert choice["message"]["role"] == "assistant" and choice["finish_reason"] == "stop"
    usage = body["usage"]
    assert usage["total_tokens"] == usage["prompt_tokens"] + usage["completion_tokens"]
    cid = response.headers["x-conversation-id"]
    assert body["assistant"]["conversation_id"] == cid and body["assistant"]["source"] == "retrieve"
    turns = (await client.get(f"/v1/conversations/{cid}")).json()["turns"]
    assert turns[1]["text"] == choice["message"]["content"]


async def test_user_keeps_client_held_conversations_of_two_end_users_apart(client: httpx.AsyncClient) -> None:
    first = await client.post("/v1/chat/completions", json=_chat("안녕하세요", user="민지"))
    again = await client.post("/v1/chat/completions", json=_chat("안녕하세요", user="민지"))
    other = await client.post("/v1/chat/completions", json=_chat("안녕하세요", user="지수"))
    assert first.headers["x-conversation-id"] == again.headers["x-conversation-id"]  # the same messages: resent
    assert other.headers["x-conversation-id"] != first.headers["x-conversation-id"]
    turns = (await client.get(f"/v1/conversations/{first.headers['x-conversation-id']}")).json()["turns"]
    assert [t["role"] for t in turns] == ["user", "assistant", "assistant"]  # the message once, each reply kept


async def test_client_history_with_a_stored_conversation_id_is_refused_not_ignored(
        client: httpx.AsyncClient) -> None:
    messages = [{"role": "system", "content": "너는 친절한 비서야."}, {"role": "system", "content": "짧게 답해."},
                {"role": "user", "content": "안녕하세요"}, {"role": "assistant", "content": "(client copy)"},
                {"role": "user", "content": [{"type": "text", "text": "고마워요"}]}]
    response = await client.post("/v1/chat/completions", json={"model": "assistant", "messages": messages},
                                 headers={"X-Conversation-Id": "st-chat-1"})
    assert assert_error_body(response, 400)["code"] == "history_with_conversation_id"
    alone = await client.post("/v1/chat/completions",
                              json={"model": "assistant", "messages": messages[:2] + messages[4:]},
                              headers={"X-Conversation-Id": "st-chat-1"})
    assert alone.status_code == 200, alone.text
    turns = (await client.get("/v1/conversations/st-chat-1")).json()["turns"]
    assert [t["text"] for t in turns if t["role"] == "user"] == ["고마워요"]


async def test_header_continues_a_native_chat_conversation(client: httpx.AsyncClient) -> None:
    cid = (await client.post("/v1/chat", json={"message": "안녕하세요"})).json()["conversation_id"]
    response = await client.post("/v1/chat/completions", json=_chat("고마워요"), headers={"X-Conversation-Id": cid})
    assert response.status_code == 200 and response.json()["assistant"]["turn_index"] == 3


@pytest.mark.parametrize(("body", "status", "param"), [
    ({"model": "assistant", "messages": [{"role": "assistant", "content": "안녕"}]}, 400, "messages"),
    ({"model": "assistant", "messages": []}, 400, "messages"),
    ({"model": "nobody", "messages": [{"role": "user", "content": "안녕"}]}, 404, "model"),
    (_chat("안녕", n=2), 400, "n"),
    (_chat("안녕", temperature=2.5), 400, "temperature"),
    (_chat("안녕", top_p=0), 400, "top_p"),
    (_chat("안녕", stop=["a", "b", "c", "d", "e"]), 400, "stop"),
    (_chat("   "), 400, "messages"),
    ({"model": "assistant", "messages": [{"role": "robot", "content": "안녕"}]}, 400, "messages.0.role"),
])
async def test_invalid_requests_get_a_4xx_with_the_error_body_400_as_openai_answers(
        client: httpx.AsyncClient, body: dict, status: int,
                                                              param: str) -> None:
    error = assert_error_body(await client.post("/v1/chat/completions", json=body), status)
    assert (error["param"] or "").startswith(param)


async def test_max_tokens_limit_holds_at_n_and_refuses_n_plus_1(client: httpx.AsyncClient) -> None:
    assert (await client.post("/v1/chat/completions", json=_chat("안녕하세요", max_tokens=32768))).status_code == 200
    error = assert_error_body(await client.post("/v1/chat/completions", json=_chat("안녕", max_tokens=32769)), 400)
    assert error["param"] == "max_tokens"


async def test_message_length_limit_holds_at_n_and_refuses_n_plus_1(client: httpx.AsyncClient,
                                                                    services: Services) -> None:
    limit = services.settings.limits.max_message_chars
    at_limit = await client.post("/v1/chat/completions", json=_chat("안녕하세요" + "요" * (limit - 5)))
    assert at_limit.status_code == 200, at_limit.text
    over = await client.post("/v1/chat/completions", json=_chat("안" * (limit + 1)))
    assert assert_error_body(over, 400)["code"] == "message_too_long"


async def test_stream_sends_role_first_then_deltas_finish_usage_and_done(client: httpx.AsyncClient) -> None:
    response = await client.post("/v1/chat/completions",
                                 json=_chat("안녕하세요", stream=True, stream_options={"include_usage": True}))
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/event-stream")
    data = _sse(response.text)
    assert data[-1] == "[DONE]"
    chunks = [json.loads(d) for d in data[:-1]]
    assert all(c["object"] == "chat.completion.chunk" and c["id"] == chunks[0]["id"] for c in chunks)
    assert chunks[0]["choices"][0]["delta"] == {"role": "assistant", "content": ""}
    assert chunks[-2]["choices"][0]["finish_reason"] == "stop" and chunks[-1]["choices"] == []
    assert chunks[-1]["usage"]["total_tokens"] >= 0
    text = "".join(c["choices"][0]["delta"].get("content", "") for c in chunks[1:-2])
    cid = response.headers["x-conversation-id"]
    stored = (await client.get(f"/v1/conversations/{cid}")).json()["turns"][1]["text"]
    assert text == stored and text


async def test_generated_reply_reports_backend_usage_and_overrides(
        gen_client: tuple[httpx.AsyncClient, Services]) -> None:
    client, _ = gen_client
    response = await client.post("/v1/chat/completions", json=_chat(GENERATE[0], max_tokens=64, temperature=0))
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["assistant"]["source"] == "generate"
    assert GENERATE[0][:10] in body["choices"][0]["message"]["content"]
    assert body["usage"]["prompt_tokens"] > 0 and body["usage"]["completion_tokens"] > 0


async def test_generated_stream_deltas_equal_the_stored_reply(gen_client: tuple[httpx.AsyncClient, Services]) -> None:
    client, _ = gen_client
    response = await client.post("/v1/chat/completions", json=_chat(GENERATE[1], stream=True))
    assert response.status_code == 200, response.text
    chunks = [json.loads(d) for d in _sse(response.text)[:-1]]
    text = "".join(c["choices"][0]["delta"].get("content", "") for c in chunks if c["choices"])
    cid = response.headers["x-conversation-id"]
    turns = (await client.get(f"/v1/conversations/{cid}")).json()["turns"]
    assert turns[1]["source"] == "generate" and text == turns[1]["text"]


@pytest.mark.parametrize("stream", [False, True], ids=["json", "sse"])
async def test_usage_is_the_turns_counted_prompt_and_reply_streamed_or_not(
        gen_client: tuple[httpx.AsyncClient, Services], stream: bool) -> None:
    """Quotas count what the turn's generation counted (the whole prompt), not the user's message alone."""
    client, _ = gen_client
    response = await client.post("/v1/chat/completions",
                                 json=_chat(GENERATE[0], stream=stream, stream_options={"include_usage": True}
                                            if stream else None))
    assert response.status_code == 200, response.text
    usage = json.loads(_sse(response.text)[-2])["usage"] if stream else response.json()["usage"]
    cid = response.headers["x-conversation-id"]
    counted = (await client.get(f"/v1/conversations/{cid}")).json()["turns"][1]["trace"]["generation"]
    assert (usage["prompt_tokens"], usage["completion_tokens"]) == (counted["prompt_tokens"],
                                                                    counted["completion_tokens"])
