"""The input-hygiene rule at the boundary (`assistant.hygiene`, `api.hygiene`), on SQLite and PostgreSQL.

A lone surrogate anywhere and a control character in an exact field are 422 naming the field (400 on the
OpenAI-compatible routes, where every refusal is a 400), and store nothing;
in a free-text field control characters are removed (CR LF / CR become LF) before anything reads the text; JSON
deeper than `limits.max_json_depth` is 422 at N+1 and accepted at N; a 500 carries `X-Request-ID`.
"""

from __future__ import annotations

import base64
import io
import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from PIL import Image, PngImagePlugin

from api.app import create_app
from assistant.services import Components, Services
from assistant.settings import Settings
from tests.api.conftest import assert_error_body
from tests.api.test_limits_edges import CARD, app_with

GREETING = "안녕하세요"


def refusal(path: str) -> int:
    """The status of a hygiene refusal: OpenAI's surface answers every invalid request with 400."""
    return 400 if path == "/v1/chat/completions" else 422


def completion(content: Any, **extra: Any) -> dict[str, Any]:
    return {"model": "assistant", "messages": [{"role": "user", "content": content}], **extra}


LONE_SURROGATE = [
    ("/v1/chat", {"message": "\ud800 hi"}, "message"),
    ("/v1/chat/completions", completion("\ud800 hi"), "messages.0.content"),
    ("/v1/chat/completions", completion([{"type": "text", "text": "안녕 \udfff"}]), "messages.0.content.0.text"),
    ("/v1/chat/completions", completion(GREETING, user="u\ud83d"), "user"),
    ("/v1/context/rewrite", {"utterance": "거기 \udc00", "history": []}, "utterance"),
    ("/v1/context/rewrite", {"utterance": "거기", "history": [{"role": "user", "text": "\ud800"}]}, "history.0.text"),
    ("/v1/skills/rewrite-null-query", {"input": {"query": "가습기 \ud800"}}, "input.query"),
    ("/v1/chat", {"message": GREETING, "persona": "\ud800"}, "persona"),
    ("/v1/chat", {"message": GREETING, "\ud83d": 1}, "\\ud83d"),
]


@pytest.mark.parametrize(("path", "body", "param"), LONE_SURROGATE,
                         ids=[f"{p}:{f}" for p, _, f in LONE_SURROGATE])
async def test_a_lone_surrogate_on_any_surface_is_422_naming_the_field(
        client: httpx.AsyncClient, path: str, body: dict[str, Any], param: str) -> None:
    # json.dumps escapes the surrogate as \ud800: exactly what a broken client sends
    response = await client.post(path, content=json.dumps(body), headers={"content-type": "application/json"})
    error = assert_error_body(response, refusal(path))
    assert error["code"] == "invalid_unicode" and error["param"] == param, error


async def test_the_utf8_bytes_of_a_surrogate_are_refused_like_an_escaped_one(client: httpx.AsyncClient) -> None:
    raw = b'{"model": "assistant", "messages": [{"role": "user", "content": "\xed\xa0\x80 hi"}]}'
    response = await client.post("/v1/chat/completions", content=raw, headers={"content-type": "application/json"})
    error = assert_error_body(response, 400)
    assert error["code"] == "invalid_unicode" and error["param"] == "messages.0.content"


CONTROL_IN_EXACT_FIELD = [
    ("/v1/chat/completions", completion(GREETING, user="a\u0000b"), "user", "U+0000"),
    ("/v1/chat/completions", completion(GREETING, stop=["\u001b[0m"]), "stop.0", "U+001B"),
    ("/v1/chat/completions", {"model": "assistant", "messages": [{"role": "user", "content": GREETING,
                                                                  "name": "x\u0007"}]}, "messages.0.name", "U+0007"),
    ("/v1/context/rewrite", {"utterance": "거기", "state": {"slots": {"place": "강\u001f남"}}}, "state.slots.place",
     "U+001F"),
    ("/v1/admin/responses", {"records": [{"question": "질문\u0000", "answer": "답"}]}, "records.0.question", "U+0000"),
]


@pytest.mark.parametrize(("path", "body", "param", "char"), CONTROL_IN_EXACT_FIELD,
                         ids=[f"{p}:{f!r}" for p, _, f, _ in CONTROL_IN_EXACT_FIELD])
async def test_a_control_character_in_an_exact_field_is_422_naming_it(
        client: httpx.AsyncClient, path: str, body: dict[str, Any], param: str, char: str) -> None:
    error = assert_error_body(await client.post(path, json=body), refusal(path))
    assert error["code"] == "control_character" and error["param"] == param and char in error["message"], error


async def test_controls_in_a_chat_message_are_removed_and_crlf_becomes_lf_before_the_lm_and_the_store(
        gen_client: tuple[httpx.AsyncClient, Services]) -> None:
    client, _ = gen_client
    sent = "\u0000양자역학\u001b에서 불확정성 원리가\r\n\u0007무엇인지\r자세히\t설명해 줄래?"
    response = await client.post("/v1/chat", json={"message": sent})
    assert response.status_code == 200, response.text
    kept = "양자역학에서 불확정성 원리가\n무엇인지\n자세히\t설명해 줄래?"
    assert kept[:-6] in response.json()["reply"]  # the echo LM got the normalised text (its ending repaired)
    cid = response.json()["conversation_id"]
    turns = (await client.get(f"/v1/conversations/{cid}")).json()["turns"]
    assert turns[0]["text"] == kept


async def test_controls_in_openai_content_are_removed_and_nul_never_reaches_the_store(
        client: httpx.AsyncClient) -> None:
    body = completion([{"type": "text", "text": "안녕\u0000하세요"}])
    response = await client.post("/v1/chat/completions", json=body, headers={"X-Conversation-Id": "hygiene-oai"})
    assert response.status_code == 200, response.text
    turns = (await client.get("/v1/conversations/hygiene-oai")).json()["turns"]
    assert turns[0]["text"] == "안녕하세요"


async def test_a_message_of_control_characters_only_is_empty_after_normalisation(client: httpx.AsyncClient) -> None:
    error = assert_error_body(await client.post("/v1/chat", json={"message": "\u0000 \u0001\u001f"}), 422)
    assert error["code"] == "empty_message" and error["param"] == "message"


async def test_a_nul_in_a_path_or_query_parameter_is_422_naming_it(client: httpx.AsyncClient) -> None:
    error = assert_error_body(await client.get("/v1/conversations/a%00b"), 422)
    assert error["code"] == "control_character" and error["param"] == "path"
    error = assert_error_body(await client.post("/v1/personas/import?response_set=%01x", content=b"{}"), 422)
    assert error["param"] == "response_set"
    error = assert_error_body(await client.get("/v1/models/a%00b"), 400)  # OpenAI's surface: 400
    assert error["code"] == "control_character" and error["param"] == "path"
    assert (await client.get("/v1/models/a%00b/chat")).status_code == 422  # a pinned chat is not OpenAI's


def nested(depth: int) -> dict[str, Any]:
    """A chat completion whose JSON is exactly `depth` levels deep, through an image part (accepted, not read)."""
    leaf: Any = {}
    for _ in range(depth - 7):  # body 1, messages 2, message 3, content 4, part 5, image_url 6, leaf 7
        leaf = {"x": leaf}
    part = {"type": "image_url", "image_url": {"url": "data:,", "detail": leaf}}
    body = completion([{"type": "text", "text": GREETING}, part])
    assert depth_of(body) == depth
    return body


def depth_of(value: Any) -> int:
    children = value.values() if isinstance(value, dict) else value if isinstance(value, list) else None
    return 0 if children is None else 1 + max((depth_of(c) for c in children), default=0)


async def test_json_depth_holds_at_the_limit_and_refuses_one_level_more(client: httpx.AsyncClient,
                                                                         services: Services) -> None:
    limit = services.settings.limits.max_json_depth
    accepted = await client.post("/v1/chat/completions", json=nested(limit))
    assert accepted.status_code == 200, accepted.text
    error = assert_error_body(await client.post("/v1/chat/completions", json=nested(limit + 1)), 400)
    assert error["code"] == "json_too_deep" and "limits.max_json_depth" in error["message"]


async def test_json_too_deep_for_the_parser_is_422_not_500(client: httpx.AsyncClient) -> None:
    bomb = b"[" * 100_000 + b"]" * 100_000
    for path in ("/v1/chat", "/v1/skills/summarize-reviews", "/v1/context/rewrite"):
        error = assert_error_body(await client.post(path, content=bomb, headers={"content-type": "application/json"}),
                                  422)
        assert error["code"] == "json_too_deep"


def png_card(card: dict[str, Any]) -> bytes:
    info = PngImagePlugin.PngInfo()
    info.add_text("chara", base64.b64encode(json.dumps(card).encode()).decode())
    out = io.BytesIO()
    Image.new("RGB", (2, 2)).save(out, format="PNG", pnginfo=info)
    return out.getvalue()


def deep_card(depth: int) -> dict[str, Any]:
    card = json.loads(CARD.read_text(encoding="utf-8"))
    leaf: Any = {}
    for _ in range(depth):
        leaf = {"x": leaf}
    card["data"]["extensions"]["deep"] = leaf
    return card


@pytest.mark.parametrize("encoding", ["json", "png"])
async def test_a_card_nested_900_levels_or_carrying_a_nul_is_422_and_stores_nothing(
        api_settings: Settings, components: Components, tmp_path: Path, encoding: str) -> None:
    database_url = f"sqlite:///{tmp_path / 'store.db'}"
    async with app_with(api_settings, components, database_url, tmp_path) as (client, _):
        def send(card: dict[str, Any]) -> Any:
            raw = json.dumps(card).encode() if encoding == "json" else png_card(card)
            return client.post("/v1/personas/import", content=raw,
                               headers={"content-type": "application/octet-stream"})

        error = assert_error_body(await send(deep_card(900)), 422)
        assert error["code"] == "json_too_deep"
        card = json.loads(CARD.read_text(encoding="utf-8"))
        card["data"]["name"] = "서\u0000윤"
        error = assert_error_body(await send(card), 422)
        assert error["code"] == "control_character" and error["param"] == "data.name"
        listing = (await client.get("/v1/personas")).json()["data"]
        assert not any(p["source"] == "custom" for p in listing)
        card["data"]["name"] = "서윤"
        assert (await send(card)).status_code == 201


async def test_a_persona_written_with_a_nul_in_its_name_is_422(api_settings: Settings, components: Components,
                                                                tmp_path: Path) -> None:
    database_url = f"sqlite:///{tmp_path / 'store.db'}"
    async with app_with(api_settings, components, database_url, tmp_path) as (client, _):
        document = (await client.get("/v1/personas/friend")).json()["persona"] | {"id": "nul", "name": "널\u0000"}
        error = assert_error_body(await client.put("/v1/personas/nul", json=document), 422)
        assert error["code"] == "control_character" and error["param"] == "name"
        assert (await client.get("/v1/personas/nul")).status_code == 404


async def test_an_unexpected_500_carries_the_request_id_header_and_body(services: Services) -> None:
    app = create_app(services=services)

    async def boom() -> None:
        raise RuntimeError("a bug")

    app.add_api_route("/v1/boom", boom)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        response = await client.get("/v1/boom", headers={"X-Request-ID": "req-boom-1"})
        error = assert_error_body(response, 500)
        assert response.headers["x-request-id"] == "req-boom-1" and "req-boom-1" in error["message"]
        assert "a bug" not in response.text
        anonymous = await client.get("/v1/boom")
        assert anonymous.headers["x-request-id"] in anonymous.json()["error"]["message"]
