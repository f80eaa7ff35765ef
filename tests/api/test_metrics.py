"""/metrics and model routing through the HTTP surface, over real OpenAI-compatible endpoints on a local socket.

The `chat` endpoint has versions `a` and `b` (70/30) and shadow candidates that fail or are slow; each version is
the product's OpenAI backend + Generator talking to benchmarks/support/chat_server.py, which echoes "<tag>: <message>".
"""

from __future__ import annotations

import dataclasses
import json
import logging
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest

from api.app import create_app
from assistant.logs import JsonFormatter, RequestIdFilter
from assistant.routing import ModelRouter, RoutingSettings, build_router
from assistant.services import Components, Services, assemble
from assistant.settings import Settings
from assistant.store import open_store
from benchmarks.support.chat_server import ChatServer
from tests.api.conftest import assert_error_body

# Off-topic requests the bundled response set cannot answer, so the selector sends them to generation.
GENERATE = ["양자역학의 불확정성 원리를 고양이에 비유해서 자세히 설명해 줄래?",
            "내 소설 속 악당의 어린 시절 이야기를 세 문단으로 지어 줘",
            "중세 유럽 길드 제도가 현대 노동조합에 끼친 영향을 분석해 줘"]
SLOW_S = 3.0


@pytest.fixture(scope="module")
def chat_server() -> Iterator[ChatServer]:
    server = ChatServer().start()
    yield server
    server.stop()


def _version(server: ChatServer, model: str) -> dict:
    return {"backend": "openai", "openai": {"base_url": server.base_url, "model": model, "max_retries": 0}}


@pytest.fixture(scope="module")
def routing(chat_server: ChatServer) -> RoutingSettings:
    return RoutingSettings.model_validate({
        "default_endpoint": "chat",
        "endpoints": {"chat": {"versions": {"a": _version(chat_server, "echo-a"), "b": _version(chat_server, "echo-b"),
                                            "broken": _version(chat_server, "fail"),
                                            "slow": _version(chat_server, f"slow-{SLOW_S}")},
                               "weights": {"a": 70, "b": 30}}},
        "shadow": {"timeout_s": 5}})


@pytest.fixture(scope="module")
def router(routing: RoutingSettings, components: Components) -> ModelRouter:
    return build_router(routing, components.generation)


@pytest.fixture
def routed(api_settings: Settings, components: Components, routing: RoutingSettings, router: ModelRouter,
           tmp_path: Path) -> Iterator[Services]:
    router.get("chat").set_weights({"a": 70, "b": 30})
    router.get("chat").set_shadow(None)
    settings = api_settings.model_copy(update={"routing": routing, "data_dir": tmp_path})
    store = open_store(f"sqlite:///{tmp_path / 'store.db'}", lock_timeout_s=settings.limits.lock_timeout_s)
    yield assemble(settings, store, dataclasses.replace(components, router=router))
    store.close()


@pytest.fixture
async def api(routed: Services) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=create_app(services=routed))
    async with httpx.AsyncClient(transport=transport, base_url="http://test", timeout=60) as client:
        yield client
    if routed.shadow is not None:
        await routed.shadow.drain(timeout_s=5)


async def _chat(api: httpx.AsyncClient, message: str, path: str = "/v1/chat", **headers: str) -> dict:
    response = await api.post(path, json={"message": message}, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


async def test_metrics_exposes_the_named_series_after_a_few_turns(api: httpx.AsyncClient) -> None:
    await _chat(api, "안녕하세요")
    for message in GENERATE:
        body = await _chat(api, message)
        assert body["source"] == "generate"
    await _chat(api, "제 번호는 010-2345-6789예요. 이 번호로 우주 여행 계획을 세워 줘")
    response = await api.get("/metrics")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/plain")
    text = response.text
    for series in ('assistant_http_requests_total{method="POST",route="/v1/chat",status="200"}',
                   'assistant_turns_total{outcome="ok",source="generate"}',
                   'assistant_turns_total{outcome="ok",source="retrieve"}',
                   'assistant_selector_decisions_total{decision="generate"}',
                   'assistant_generation_tokens_total{endpoint="chat",kind="completion"',
                   'assistant_generation_queue_depth{endpoint="chat"',
                   'assistant_filter_hits_total{kind="전화번호",stage="input_pii"}',
                   'assistant_ab_assignments_total{assignment="weighted",endpoint="chat"',
                   "assistant_admission_queue_depth 0.0", "assistant_admission_in_flight 0.0"):
        assert series in text, series
    for stage in ("rewrite", "select", "generate", "store"):
        count = f'assistant_stage_duration_seconds_count{{stage="{stage}"}}'
        line = next(line for line in text.splitlines() if line.startswith(count))
        assert float(line.split()[-1]) >= 1, line


async def test_generated_turn_records_endpoint_version_and_arm(api: httpx.AsyncClient) -> None:
    body = await _chat(api, GENERATE[0])
    route = body["generation"]["route"]
    assert route["endpoint"] == "chat" and route["assignment"] == "weighted" and route["version"] in {"a", "b"}
    assert body["reply"].startswith(f"{route['version']}: ")
    conversation = (await api.get(f"/v1/conversations/{body['conversation_id']}")).json()
    assert route == conversation["turns"][-1]["trace"]["generation"]["route"]
    assert route == conversation["turns"][-1]["trace"]["route"]


async def test_retrieved_turn_records_the_conversations_arm_too(api: httpx.AsyncClient) -> None:
    first = await _chat(api, GENERATE[0])
    response = await api.post("/v1/chat", json={"message": "안녕하세요", "conversation_id": first["conversation_id"]})
    assert response.json()["source"] == "retrieve"
    turns = (await api.get(f"/v1/conversations/{first['conversation_id']}")).json()["turns"]
    assert turns[-1]["trace"]["route"]["version"] == first["generation"]["route"]["version"]


async def test_arm_is_sticky_for_a_conversation(api: httpx.AsyncClient) -> None:
    first = await _chat(api, GENERATE[0])
    conversation_id = first["conversation_id"]
    for message in GENERATE[1:]:
        response = await api.post("/v1/chat", json={"message": message, "conversation_id": conversation_id})
        assert response.json()["generation"]["route"]["version"] == first["generation"]["route"]["version"]


async def test_header_and_path_pin_a_version(api: httpx.AsyncClient) -> None:
    by_header = await _chat(api, GENERATE[1], **{"X-Model-Version": "b"})
    assert by_header["generation"]["route"] == {"endpoint": "chat", "version": "b", "assignment": "pinned",
                                                "shadow": None}
    by_path = await _chat(api, GENERATE[1], path="/v1/models/chat/versions/a/chat")
    assert by_path["generation"]["route"]["version"] == "a" and by_path["reply"].startswith("a: ")


async def test_unknown_or_malformed_pins_get_clear_errors(api: httpx.AsyncClient) -> None:
    response = await api.post("/v1/chat", json={"message": GENERATE[0]}, headers={"X-Model-Version": "v9"})
    assert assert_error_body(response, 404)["code"] == "model_version_not_found"
    response = await api.post("/v1/models/nope/chat", json={"message": GENERATE[0]})
    assert assert_error_body(response, 404)["code"] == "model_endpoint_not_found"
    response = await api.post("/v1/chat", json={"message": "hi"}, headers={"X-Model-Endpoint": "a b/../c"})
    assert assert_error_body(response, 422)["param"] == "X-Model-Endpoint"
    response = await api.post("/v1/models/chat/versions/v%201/chat", json={"message": "hi"})
    assert assert_error_body(response, 422)["param"] == "version"


async def test_admin_weight_change_applies_at_once_without_restart(api: httpx.AsyncClient) -> None:
    response = await api.put("/v1/admin/routing/chat/weights", json={"weights": {"a": 0, "b": 1}})
    assert response.status_code == 200 and response.json()["effective_weights"] == {"a": 0.0, "b": 1.0}
    for message in GENERATE:
        assert (await _chat(api, message))["generation"]["route"]["version"] == "b"
    view = (await api.get("/v1/admin/routing")).json()
    chat = next(e for e in view["endpoints"] if e["name"] == "chat")
    assert view["default_endpoint"] == "chat" and chat["weights"] == {"a": 0.0, "b": 1.0}


async def test_admin_refuses_bad_weights_and_unknown_endpoints(api: httpx.AsyncClient) -> None:
    response = await api.put("/v1/admin/routing/chat/weights", json={"weights": {"a": -1}})
    assert assert_error_body(response, 422)["param"] == "weights"
    response = await api.put("/v1/admin/routing/chat/weights", json={"weights": {"zz": 1}})
    assert assert_error_body(response, 422)["code"] == "invalid_weights"
    response = await api.put("/v1/admin/routing/nope/weights", json={"weights": {"a": 1}})
    assert_error_body(response, 404)
    response = await api.put("/v1/admin/routing/chat/shadow", json={"version": "v9"})
    assert_error_body(response, 404)


@pytest.mark.parametrize(("candidate", "deadline_s"), [("broken", 10.0), ("slow", 0.5)])
async def test_failing_or_slow_shadow_changes_neither_reply_nor_latency(
    api: httpx.AsyncClient, routed: Services, candidate: str, deadline_s: float
) -> None:
    assert routed.shadow is not None
    routed.shadow.settings = routed.shadow.settings.model_copy(update={"timeout_s": deadline_s})

    async def turn(message: str) -> tuple[dict, float]:
        started = time.perf_counter()
        body = await _chat(api, message, **{"X-Model-Version": "a"})
        return body, time.perf_counter() - started

    baseline = [await turn(m) for m in GENERATE]
    response = await api.put("/v1/admin/routing/chat/shadow", json={"version": candidate})
    assert response.status_code == 200
    shadowed = [await turn(m) for m in GENERATE]
    assert [b["reply"] for b, _ in shadowed] == [b["reply"] for b, _ in baseline]
    assert all(b["generation"]["route"]["shadow"] == candidate for b, _ in shadowed)
    # A slow shadow answers after 3 s; the live turn must not wait for it (bound: well under that).
    assert max(t for _, t in shadowed) < max(t for _, t in baseline) + 1.0
    await routed.shadow.drain(timeout_s=15)
    comparisons = (await api.get("/v1/admin/routing/shadow", params={"endpoint": "chat"})).json()["data"]
    assert len(comparisons) == len(GENERATE)
    assert {c["outcome"] for c in comparisons} == {"error" if candidate == "broken" else "timeout"}
    assert {c["live_reply"] for c in comparisons} == {b["reply"] for b, _ in shadowed}


async def test_log_lines_of_a_request_carry_its_id_and_mask_pii(api: httpx.AsyncClient) -> None:
    lines: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            lines.append(self.format(record))

    handler = Collect()
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("generation")
    level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        response = await api.post("/v1/chat", json={"message": "제 번호는 010-2345-6789예요. 우주 여행 계획을 세워 줘"},
                                  headers={"X-Request-ID": "req-serving-1"})
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
    assert response.status_code == 200 and response.headers["x-request-id"] == "req-serving-1"
    # Background work of earlier tests (shadow calls) may log meanwhile, under its own request's id.
    mine = [r for r in map(json.loads, lines) if r["request_id"] == "req-serving-1"]
    assert any(r["logger"] == "generation.generator" and "[전화번호]" in r["message"] for r in mine), lines
    assert not any("010-2345-6789" in line for line in lines)
