"""Every malformed input class the battery sends, one `Probe` each: what is sent, with which key, and what a
correct answer looks like beyond "not a 5xx" (`verify`).

Classes: broken Unicode (lone surrogates, escaped or as raw bytes), NUL and other control characters in free text
and in exact fields, in paths, query parameters and ids; JSON too deep (for the schema, for the parser, in a card);
not JSON, not UTF-8, UTF-16, truncated, empty; wrong types, unknown fields, over-long values, oversized bodies;
Character Cards malformed as JSON and as PNG; and text every line separator could split on its way through the
OpenAI-compatible backend (U+0085, U+2028, U+2029 echoed back by the LM: the two separators arrive as sent, NEXT
LINE, a C1 control, as the newline reply hygiene makes of it). The OpenAI-compatible routes refuse with 400 (OpenAI's
shape), every other route with 422.
"""

from __future__ import annotations

import base64
import io
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
from PIL import Image, PngImagePlugin

from tests.reliability.conftest import Keys

Check = Callable[[httpx.Response], None]


@dataclass
class Probe:
    name: str
    method: str
    path: str
    body: Any = None  # JSON-encoded with ensure_ascii (surrogates escaped), unless `raw` is given
    raw: bytes | None = None
    headers: dict[str, str] = field(default_factory=dict)
    key: str = "chat"
    expect: int | None = None  # the status this class must get
    code: str | None = None  # and the error code
    check: Check | None = None

    def send(self, client: httpx.Client, keys: Keys) -> httpx.Response:
        content = self.raw if self.raw is not None else (
            json.dumps(self.body).encode() if self.body is not None else None)
        headers = {"content-type": "application/json", **self.headers, **keys.auth(self.key)}
        return client.request(self.method, self.path, content=content, headers=headers)

    def verify(self, response: httpx.Response) -> None:
        if self.expect is not None:
            assert response.status_code == self.expect, f"{self.name}: {response.status_code} {response.text[:300]}"
        if self.code is not None:
            assert response.json()["error"]["code"] == self.code, f"{self.name}: {response.text[:300]}"
        if self.check is not None:
            self.check(response)


def nested(depth: int) -> Any:
    value: Any = "끝"
    for _ in range(depth):
        value = {"k": value}
    return value


def card(**data: Any) -> dict[str, Any]:
    return {"spec": "chara_card_v2", "spec_version": "2.0",
            "data": {"name": "배터리", "description": "설명", "first_mes": "안녕!", **data}}


def png(document: dict[str, Any]) -> bytes:
    info = PngImagePlugin.PngInfo()
    info.add_text("chara", base64.b64encode(json.dumps(document).encode()).decode())
    out = io.BytesIO()
    Image.new("RGB", (2, 2)).save(out, format="PNG", pnginfo=info)
    return out.getvalue()


def completion(content: Any, **extra: Any) -> dict[str, Any]:
    return {"model": "assistant", "messages": [{"role": "user", "content": content}], **extra}


def separated(text: str) -> bool:
    """U+2028 and U+2029 arrive as sent; NEXT LINE, a C1 control, as the newline reply hygiene makes of it."""
    return SEPARATED in text and "\u0085" not in text


def echoes_separators(response: httpx.Response) -> None:
    reply = response.json()["reply"]
    assert separated(reply), f"the LM's reply lost a separator: {reply!r}"


def openai_refusal(response: httpx.Response) -> None:
    """OpenAI's surface refuses as OpenAI does: 400, `invalid_request_error`, the field named."""
    error = response.json()["error"]
    assert error["type"] == "invalid_request_error" and error["param"], f"not OpenAI's refusal: {response.text[:300]}"


def streams_separators(response: httpx.Response) -> None:
    chunks = [c.removeprefix("data: ") for c in response.text.split("\n\n") if c.strip()]
    assert chunks[-1] == "[DONE]" and "error" not in json.loads(chunks[-2]), chunks[-2:]
    text = "".join(json.loads(c)["choices"][0]["delta"].get("content") or "" for c in chunks[:-1]
                   if json.loads(c)["choices"])
    assert separated(text), f"the stream lost a separator: {text!r}"


SEPARATORS = "줄\u0085바꿈 단락\u2028구분 문단\u2029끝"
SEPARATED = "줄\n바꿈 단락\u2028구분 문단\u2029끝"
CARD_IMPORT = "/v1/personas/import?id=battery-card&overwrite=true"
OCTETS = {"content-type": "application/octet-stream"}
MALFORMED: list[Probe] = [
    # broken Unicode
    Probe("surrogate in message", "POST", "/v1/chat", {"message": "\ud800 hi"}, expect=422, code="invalid_unicode"),
    Probe("surrogate in completion", "POST", "/v1/chat/completions", completion("\ud800 hi"), expect=400,
          code="invalid_unicode"),
    Probe("surrogate in a text part", "POST", "/v1/chat/completions", completion([{"type": "text", "text": "\udfff"}]),
          expect=400, code="invalid_unicode"),
    Probe("surrogate in utterance", "POST", "/v1/context/rewrite", {"utterance": "거기 \udc00"}, expect=422),
    Probe("surrogate in a skill input", "POST", "/v1/skills/rewrite-null-query", {"input": {"query": "\ud800"}},
          expect=422),
    Probe("surrogate pair half in a key", "POST", "/v1/chat", {"message": "안녕", "\ud83d": 1}, expect=422),
    Probe("a surrogate as UTF-8 bytes", "POST", "/v1/chat/completions",
          raw=b'{"model": "assistant", "messages": [{"role": "user", "content": "\xed\xa0\x80 hi"}]}', expect=400,
          code="invalid_unicode"),
    Probe("invalid UTF-8 bytes", "POST", "/v1/chat", raw=b'{"message": "\xff\xfe hi"}', expect=400),
    # NUL and other control characters
    Probe("NUL in message is removed", "POST", "/v1/chat", {"message": "안녕\u0000하세요"}, expect=200),
    Probe("NUL in completion is removed", "POST", "/v1/chat/completions", completion("안녕\u0000하세요"), expect=200),
    Probe("ESC and BEL in message are removed", "POST", "/v1/chat", {"message": "\u001b[31m안녕\u0007하세요"},
          expect=200),
    Probe("NUL-only message", "POST", "/v1/chat", {"message": "\u0000 \u0000"}, expect=422, code="empty_message"),
    Probe("NUL in conversation id", "POST", "/v1/chat", {"message": "안녕", "conversation_id": "a\u0000b"},
          expect=422, code="control_character"),
    Probe("NUL in persona", "POST", "/v1/chat", {"message": "안녕", "persona": "a\u0000"}, expect=422),
    Probe("NUL in user", "POST", "/v1/chat/completions", completion("안녕", user="u\u0000"), expect=400,
          code="control_character"),
    Probe("control in stop", "POST", "/v1/chat/completions", completion("안녕", stop=["\u0001"]), expect=400),
    Probe("NUL in history", "POST", "/v1/context/rewrite",
          {"utterance": "거기", "history": [{"role": "user", "text": "강남\u0000역"}]}, expect=200),
    Probe("NUL in dialogue state", "POST", "/v1/context/rewrite",
          {"utterance": "거기", "state": {"slots": {"place": "강\u0000남"}}}, expect=422, code="control_character"),
    Probe("NUL in a review", "POST", "/v1/skills/summarize-reviews",
          {"input": {"item": "가습기", "reviews": [{"text": "좋아요\u0000"}, {"text": "별로\u0001예요"}]}},
          check=lambda r: None),
    Probe("NUL in a path", "GET", "/v1/conversations/a%00b", expect=422, code="control_character"),
    Probe("NUL in a query parameter", "GET", "/v1/conversations/x?limit=1%00", expect=422),
    Probe("NUL in a persona name", "PUT", "/v1/personas/battery-nul", {"name": "널\u0000", "speech_level": "해요체"},
          key="admin", expect=422, code="control_character"),
    Probe("NUL in a response record", "POST", "/v1/admin/responses",
          {"set": "battery", "records": [{"question": "질문\u0000", "answer": "답"}]}, key="admin", expect=422),
    # depth
    Probe("JSON 40 levels deep", "POST", "/v1/chat", {"message": "안녕", "x": nested(40)}, expect=422,
          code="json_too_deep"),
    Probe("JSON 100000 levels deep", "POST", "/v1/skills/summarize-reviews", raw=b"[" * 100_000 + b"]" * 100_000,
          expect=422, code="json_too_deep"),
    Probe("card 900 levels deep (JSON)", "POST", CARD_IMPORT, raw=json.dumps(card(extensions=nested(900))).encode(),
          headers=OCTETS, key="admin", expect=422, code="json_too_deep"),
    Probe("card 900 levels deep (PNG)", "POST", CARD_IMPORT, raw=png(card(extensions=nested(900))), headers=OCTETS,
          key="admin", expect=422, code="json_too_deep"),
    Probe("card with NUL (PNG)", "POST", CARD_IMPORT, raw=png(card(name="배\u0000터리")), headers=OCTETS,
          key="admin", expect=422, code="control_character"),
    Probe("card not a card", "POST", CARD_IMPORT, raw=b"\x89PNG\r\n\x1a\nnot really", headers=OCTETS, key="admin",
          expect=422),
    # not JSON, wrong shapes, limits
    Probe("truncated JSON", "POST", "/v1/chat", raw='{"message": "안'.encode(), expect=400),
    Probe("empty body", "POST", "/v1/chat", raw=b"", expect=422),
    Probe("UTF-16 JSON", "POST", "/v1/chat", raw=json.dumps({"message": "안녕\u0000"}).encode("utf-16"), expect=200),
    Probe("a bare string body", "POST", "/v1/chat", "\ud800", expect=422),
    Probe("wrong types", "POST", "/v1/chat/completions", {"model": 1, "messages": "안녕"}, expect=400,
          check=openai_refusal),
    Probe("wrong types (chat)", "POST", "/v1/chat", {"message": 1, "stream": "maybe"}, expect=422),
    Probe("unknown field", "POST", "/v1/chat", {"message": "안녕", "surprise": True}, expect=422),
    Probe("over-long message", "POST", "/v1/chat", {"message": "가" * 2001}, expect=422, code="message_too_long"),
    Probe("oversized body", "POST", "/v1/chat", raw=b'{"message": "' + b"a" * 300_000 + b'"}', expect=413),
    Probe("NaN and huge numbers", "POST", "/v1/chat/completions", raw=b'{"model": "assistant", "messages": '
          b'[{"role": "user", "content": "hi"}], "temperature": NaN, "max_tokens": 1e400}', expect=400,
          check=openai_refusal),
    Probe("a huge integer", "POST", "/v1/chat", raw=b'{"message": "hi", "stream": ' + b"9" * 5000 + b"}",
          expect=400),
    # through the OpenAI-compatible backend: the LM echoes every Unicode line separator back, unescaped
    Probe("line separators through the LM", "POST", "/v1/chat",
          {"message": f"양자역학 설명해 줘 {SEPARATORS} «echo»"}, expect=200,
          check=echoes_separators),
    Probe("line separators streamed through the LM", "POST", "/v1/chat/completions",
          completion(f"양자역학 설명해 줘 {SEPARATORS} «echo»", stream=True), expect=200, check=streams_separators),
]
