"""Hypothesis strategies for the request body of every `/v1` route that takes one: no body gets a 5xx, and every
4xx carries the one error body.

Each route's strategy mixes near-valid documents (the route's own fields, with text drawn from all of Unicode:
lone surrogates, NUL and every other control character included), arbitrary JSON (wrong types, unknown fields),
JSON nested up to 600 levels, and raw bytes that are not JSON or not UTF-8. Generation is the product's
OpenAI-compatible backend on a local echo server, so a 5xx could only be a bug. Persona writes go to a registry of
this module's own, response-set writes to a set of their own. Runs on SQLite and, with TEST_DATABASE_URL, on
PostgreSQL. Bounded: `EXAMPLES` per route (about 20 s per database).
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.testclient import TestClient

from api.app import create_app
from assistant.services import Components
from assistant.settings import Settings
from assistant.wiring.personas import build_registry
from benchmarks.support.chat_server import ChatServer
from benchmarks.support.live import remote_generator, services_for, settings_with
from korean.kiwi import shared_kiwi

EXAMPLES = 40
CARD = Path(__file__).resolve().parents[1] / "personas" / "data" / "seoyun_v2.json"

HOSTILE = ["\x00", "\x1b", "\x0b", "\r", "\n", "\t", "\ud800", "\udfff", "\u0085", "\u2028", "\u2029", "\ufeff"]
# all of Unicode, surrogates and controls included, with the hostile ones drawn often
text = st.text(st.sampled_from(HOSTILE) | st.sampled_from("가나다 ab?") | st.characters(blacklist_categories=()),
               max_size=24)
plain = st.sampled_from(["안녕하세요", "그때 비 와?", "양자역학 설명해 줘"])
spiked = st.builds(lambda t, h: t[:2] + h + t[2:], plain, st.sampled_from(HOSTILE))  # valid text, one bad char
korean = plain | spiked | spiked | st.sampled_from([" ", ""]) | text
scalars = st.none() | st.booleans() | st.integers(-2**70, 2**70) | st.floats(allow_nan=False) | text
json_values = st.recursive(scalars, lambda kids: st.lists(kids, max_size=3) | st.dictionaries(text, kids, max_size=3),
                           max_leaves=12)
ids = st.sampled_from(["fuzz-1", "assistant", "friend", "x" * 129]) | text


def deep(depth: int) -> Any:
    value: Any = "바닥"
    for i in range(depth):
        value = [value] if i % 2 else {"k": value}
    return value


def shaped(required: dict[str, Any], optional: dict[str, Any] | None = None) -> st.SearchStrategy[Any]:
    """The route's own fields (sometimes with extra ones), arbitrary JSON, or a deep document."""
    own = st.fixed_dictionaries(required, optional=optional or {})
    extra = st.builds(lambda doc, more: {**more, **doc}, own, st.dictionaries(text, json_values, max_size=2))
    return st.one_of(own, own, extra, json_values, st.integers(1, 600).map(deep))


messages = st.lists(st.fixed_dictionaries(
    {"role": st.sampled_from(["system", "user", "assistant", "tool", "nobody"]),
     "content": korean | st.lists(st.fixed_dictionaries({"type": st.sampled_from(["text", "image_url"]),
                                                          "text": korean}), max_size=2) | json_values},
    optional={"name": text}), min_size=0, max_size=3)
chat_fields = {"message": korean}
chat_optional = {"conversation_id": ids, "persona": ids, "stream": st.booleans() | json_values}
skill_input = st.fixed_dictionaries({}, optional={"query": korean, "k": st.integers(-1, 9) | json_values,
                                                  "item": korean, "reviews": st.lists(
                                                      st.fixed_dictionaries({"text": korean}) | text, max_size=3)})
persona_doc = st.fixed_dictionaries({"name": korean, "speech_level": st.sampled_from(["해요체", "반말", "x"]) | text},
                                    optional={"description": korean, "rules": st.lists(korean, max_size=2),
                                              "greetings": st.lists(korean, max_size=2), "extensions": json_values})
card = st.builds(lambda name, extra: {"spec": "chara_card_v2", "spec_version": "2.0",
                                      "data": {"name": name, "description": "설명", "first_mes": "안녕!",
                                               "extensions": {"deep": extra}}}, korean, json_values)
clova = {"version": st.just("0.1.0"), "session": st.fixed_dictionaries({"sessionId": ids}),
         "request": st.fixed_dictionaries({"type": st.sampled_from(["IntentRequest", "LaunchRequest", "Nope"])},
                                          optional={"intent": st.fixed_dictionaries(
                                              {"name": text}, optional={"slots": json_values})})}

ROUTES: dict[str, tuple[str, str, st.SearchStrategy[Any]]] = {
    "chat": ("POST", "/v1/chat", shaped(chat_fields, chat_optional)),
    "pinned-chat": ("POST", "/v1/models/default/versions/default/chat", shaped(chat_fields, chat_optional)),
    "completions": ("POST", "/v1/chat/completions", shaped(
        {"model": st.sampled_from(["assistant", "nobody"]) | text, "messages": messages},
        {"stream": st.booleans(), "user": text, "stop": text | st.lists(text, max_size=5), "max_tokens": scalars,
         "temperature": scalars, "n": scalars})),
    "context-rewrite": ("POST", "/v1/context/rewrite", shaped({"utterance": korean}, {
        "history": st.lists(st.fixed_dictionaries({"role": st.sampled_from(["user", "assistant", "x"]),
                                                   "text": korean}), max_size=3),
        "state": json_values})),
    "skill-rewrite": ("POST", "/v1/skills/rewrite-null-query", shaped({"input": skill_input},
                                                                     {"speech_level": text})),
    "skill-reviews": ("POST", "/v1/skills/summarize-reviews", shaped({"input": skill_input})),
    "persona-put": ("PUT", "/v1/personas/fuzz-persona", shaped({}, {"name": korean}) | persona_doc),
    "card-import": ("POST", "/v1/personas/import?id=fuzz-card&overwrite=true", card | shaped({"name": korean})),
    "admin-responses": ("POST", "/v1/admin/responses", shaped(
        {"set": st.just("fuzz-set"), "records": st.lists(st.fixed_dictionaries(
            {"question": korean, "answer": korean}, optional={"id": ids, "tags": st.lists(text, max_size=2)}),
            max_size=2)})),
    "routing-weights": ("PUT", "/v1/admin/routing/default/weights", shaped(
        {"weights": st.dictionaries(text | st.just("default"), scalars, max_size=2)})),
    "routing-shadow": ("PUT", "/v1/admin/routing/default/shadow", shaped({"version": ids | st.none()})),
    "speaker-clova": ("POST", "/v1/speaker/clova", shaped(clova)),
}


def encoded(value: Any, raw: bytes | None) -> bytes:
    """JSON as a broken client sends it: surrogates escaped (ensure_ascii), NaN allowed; or the raw bytes drawn."""
    return raw if raw is not None else json.dumps(value, ensure_ascii=True).encode()


raw_bodies = st.none() | st.none() | st.none() | st.binary(max_size=40) | st.just(b'{"message": "\xff\xfe"}') | \
    st.just(b'{"message": "unterminated') | st.just(json.dumps({"message": "안녕"}).encode("utf-16"))


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def client(request: pytest.FixtureRequest, api_settings: Settings, components: Components,
           tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """The app on SQLite and, when TEST_DATABASE_URL is set, on PostgreSQL (which refuses NUL in text)."""
    data_dir = tmp_path_factory.mktemp("body-fuzz")
    url = request.getfixturevalue("postgres_url") if request.param == "postgresql" else \
        f"sqlite:///{data_dir / 'store.db'}"
    server = ChatServer().start()
    settings = settings_with(api_settings, data_dir=data_dir)
    parts = dataclasses.replace(components, personas=build_registry(settings, shared_kiwi()))
    with services_for(settings, parts, url, remote_generator(server.base_url, "echo-퍼징")) as services, \
            TestClient(create_app(services=services)) as test_client:
        yield test_client
    server.stop()


@pytest.mark.parametrize("route", list(ROUTES))
def test_no_request_body_gets_a_5xx_and_every_4xx_has_the_error_body(client: TestClient, route: str) -> None:
    method, path, bodies = ROUTES[route]
    seen: list[int] = []

    @given(body=bodies, raw=raw_bodies, content_type=st.sampled_from(["application/json", None, "text/plain"]))
    @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
              suppress_health_check=list(HealthCheck))
    def check(body: Any, raw: bytes | None, content_type: str | None) -> None:
        headers = {"content-type": content_type} if content_type else {}
        response = client.request(method, path, content=encoded(body, raw), headers=headers)
        seen.append(response.status_code)
        assert response.status_code < 500, f"{method} {path} {body!r:.300} -> {response.text[:300]}"
        if response.status_code >= 400:
            error = response.json()["error"]
            assert set(error) == {"message", "type", "param", "code"} and error["message"], response.text[:300]

    check()
    assert len(seen) == EXAMPLES and any(400 <= s < 500 for s in seen)
