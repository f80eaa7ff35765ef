"""Every generation goes through the admission gate, or is shed when it is full.

- A skill whose LM is loaded is admitted like a generating turn: refused with 503 + Retry-After when the gate is
  full, but only after every input check (schema and the skill's own limits), so bad input is 4xx however full the
  gate is; without a loaded LM its fallback answers at once.
- dst's LM rewrite takes a slot only when one is free at once (else the rule result is used) and gives it back before
  its turn asks for a generation slot, so one slot suffices for a turn that uses both.
- Shadow calls never take a slot: while the gate is saturated they are not started and are counted as `shed`.
The LMs are the product's OpenAI-compatible backend on a local server (benchmarks/support/chat_server.py).
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import pytest

from api.app import create_app
from assistant.admission import Admission, AdmissionSettings
from assistant.metrics import Metrics
from assistant.routing import RoutingSettings, ShadowRunner, ShadowSettings, build_router
from assistant.sections.dst import DstSettings
from assistant.services import Components, Services
from assistant.settings import Settings
from assistant.wiring.dst import build_dst
from assistant.wiring.skills import build_skills
from benchmarks.support.chat_server import ChatServer
from benchmarks.support.live import GENERATE, remote_generator, services_for, settings_with
from dst import HistoryTurn
from generation import GenerationRequest
from generation.skills import SkillsSettings
from korean.kiwi import shared_kiwi
from tests.api.conftest import assert_error_body

ONE_SLOT = AdmissionSettings(max_in_flight=1, max_queue=0, retry_after_s=3)
QUERY = {"input": {"query": "가습기 좀 틀어 줘"}}


@asynccontextmanager
async def full(admission: Admission) -> AsyncIterator[None]:
    """Hold every slot of the gate (a live generation in progress) for the duration of the block."""
    release = asyncio.Event()
    holders = []

    async def hold() -> None:
        async with admission.slot():
            await release.wait()

    for _ in range(admission.max_in_flight):
        holders.append(asyncio.create_task(hold()))
    while admission.in_flight < admission.max_in_flight:
        await asyncio.sleep(0)
    try:
        yield
    finally:
        release.set()
        await asyncio.gather(*holders)


def _client(services: Services) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=create_app(services=services)),
                             base_url="http://test", timeout=60)


def _with_skills_lm(settings: Settings, components: Components, chat_server: ChatServer, model: str) -> Components:
    generator = remote_generator(chat_server.base_url, model)
    skills, _ = build_skills(settings, generator, components.retrieval, shared_kiwi())
    return dataclasses.replace(components, skills=skills)


async def test_skill_with_a_loaded_lm_is_refused_like_a_turn_when_the_gate_is_full(
        api_settings: Settings, components: Components, database_url: str, chat_server: ChatServer) -> None:
    settings = settings_with(api_settings, admission=ONE_SLOT)
    parts = _with_skills_lm(settings, components, chat_server, "echo-skill-full")
    with services_for(settings, parts, database_url) as services:
        admission = services.pipeline.admission
        async with _client(services) as client, full(admission):
            refused = await client.post("/v1/skills/rewrite-null-query", json=QUERY)
            invalid = await client.post("/v1/skills/rewrite-null-query", json={"input": {"words": "가습기"}})
    error = assert_error_body(refused, 503)
    assert error["code"] == "overloaded" and error["type"] == "overloaded_error"
    assert refused.headers["retry-after"] == "3"
    assert_error_body(invalid, 422)  # the input is checked against its schema before admission
    assert chat_server.calls["echo-skill-full"] == 0  # (no test calls this model)
    assert admission.refused == 1


MAX_REVIEWS = 3
REVIEW = {"text": "배우들의 연기가 훌륭하고 음악도 감동적이었어요", "rating": 9}
# Input that passes the schema but breaks a skill's own checks: (skill, input, status, param, code).
VALID = {"rewrite-null-query": {"query": "가습기 좀 틀어 줘"}, "summarize-reviews": {"reviews": [REVIEW] * MAX_REVIEWS}}
BAD_SKILL_INPUT = [
    ("rewrite-null-query", {"query": "   "}, 422, "input.query", "invalid_skill_input"),
    ("rewrite-null-query", {"query": "is it going to rain tomorrow"}, 422, "input.query", "unsupported_language"),
    ("rewrite-null-query", {"query": "가습기 좀 틀어 줘", "k": 6}, 422, "input.k", "invalid_skill_input"),
    ("rewrite-null-query", {"query": "가습기 좀 틀어 줘", "search": "nowhere"}, 422, "input.search",
     "invalid_skill_input"),
    ("summarize-reviews", {"reviews": []}, 422, "input.reviews", "invalid_skill_input"),
    ("summarize-reviews", {"reviews": [{"text": "great acting, moving music"}]}, 422, "input.reviews",
     "unsupported_language"),
    ("summarize-reviews", {"reviews": [{**REVIEW, "rating": 11}]}, 422, "input.reviews.0.rating",
     "invalid_skill_input"),
    ("summarize-reviews", {"reviews": [REVIEW] * (MAX_REVIEWS + 1)}, 413, "input.reviews", "payload_too_large"),
]


@pytest.mark.parametrize(("skill", "payload", "status", "param", "code"), BAD_SKILL_INPUT,
                         ids=[f"{c[0]}-{c[3]}-{c[4]}" for c in BAD_SKILL_INPUT])
async def test_bad_skill_input_is_a_client_error_while_the_gate_is_full(
        api_settings: Settings, components: Components, database_url: str, chat_server: ChatServer,
        skill: str, payload: dict, status: int, param: str, code: str) -> None:
    skills = SkillsSettings.model_validate({"reviews": {"max_reviews": MAX_REVIEWS}})
    settings = settings_with(api_settings, admission=ONE_SLOT, skills=skills)
    parts = _with_skills_lm(settings, components, chat_server, "echo-skill-bad-input")
    with services_for(settings, parts, database_url) as services:
        admission = services.pipeline.admission
        async with _client(services) as client, full(admission):
            bad = await client.post(f"/v1/skills/{skill}", json={"input": payload})
            # the same skill with valid input (at the review limit) needs the full gate's slot: refused
            refused = await client.post(f"/v1/skills/{skill}", json={"input": VALID[skill]})
    error = assert_error_body(bad, status)
    assert (error["param"], error["code"]) == (param, code)
    assert assert_error_body(refused, 503)["code"] == "overloaded"
    assert admission.refused == 1  # only the valid request reached the gate
    assert chat_server.calls["echo-skill-bad-input"] == 0


async def test_skill_with_a_loaded_lm_holds_one_slot_while_it_runs(
        api_settings: Settings, components: Components, database_url: str, chat_server: ChatServer) -> None:
    settings = settings_with(api_settings, admission=ONE_SLOT)
    parts = _with_skills_lm(settings, components, chat_server, "echo-skill-free")
    calls = chat_server.calls["echo-skill-free"]  # the server is shared by the module's tests
    with services_for(settings, parts, database_url) as services:
        admission = services.pipeline.admission
        async with _client(services) as client:
            response = await client.post("/v1/skills/rewrite-null-query", json=QUERY)
    assert response.status_code == 200, response.text
    assert response.json()["trace"]["lm_calls"] == 1 and chat_server.calls["echo-skill-free"] == calls + 1
    assert (admission.admitted, admission.in_flight, admission.peak) == (1, 0, 1)


async def test_skill_without_a_loaded_lm_answers_its_fallback_while_the_gate_is_full(
        api_settings: Settings, components: Components, database_url: str) -> None:
    settings = settings_with(api_settings, admission=ONE_SLOT)
    with services_for(settings, components, database_url) as services:  # the default model is not loadable here
        async with _client(services) as client, full(services.pipeline.admission):
            response = await client.post("/v1/skills/rewrite-null-query", json=QUERY)
    assert response.status_code == 200, response.text
    assert response.json()["trace"]["strategy"] == "fallback"


def _with_dst_lm(settings: Settings, components: Components, chat_server: ChatServer, model: str) -> Components:
    dst_settings = settings_with(settings, dst=DstSettings(strategy="lm"))
    dst, _ = build_dst(dst_settings, remote_generator(chat_server.base_url, model))
    return dataclasses.replace(components, dst=dst)


HISTORY = [HistoryTurn("user", "서울 날씨 어때?"), HistoryTurn("assistant", "서울은 맑아요.")]


async def test_dst_lm_uses_the_rules_when_no_slot_is_free(
        api_settings: Settings, components: Components, database_url: str, chat_server: ChatServer) -> None:
    settings = settings_with(api_settings, admission=ONE_SLOT)
    parts = _with_dst_lm(settings, components, chat_server, "echo-dst-full")
    with services_for(settings, parts, database_url) as services:
        admission = services.pipeline.admission
        async with full(admission):
            rewrite = await services.pipeline.rewrite(HISTORY, "부산은?", None)
    assert rewrite.strategy == "rules(lm-fallback)"
    assert any("Busy" in r.rule for r in rewrite.resolutions), rewrite.resolutions
    assert chat_server.calls["echo-dst-full"] == 0
    assert (admission.declined, admission.refused) == (1, 0)  # an optional call turned away, not a client refused


async def test_turn_with_dst_lm_and_generation_needs_only_one_slot(
        api_settings: Settings, components: Components, database_url: str, chat_server: ChatServer) -> None:
    settings = settings_with(api_settings, admission=ONE_SLOT)
    parts = _with_dst_lm(settings, components, chat_server, "echo-dst-turn")
    calls = chat_server.calls["echo-dst-turn"], chat_server.calls["echo-turn"]
    with services_for(settings, parts, database_url, remote_generator(chat_server.base_url, "echo-turn")) as \
            services:
        admission = services.pipeline.admission
        async with _client(services) as client:
            response = await client.post("/v1/chat", json={"message": GENERATE[0]})
    assert response.status_code == 200, response.text
    assert chat_server.calls["echo-dst-turn"] == calls[0] + 1 and chat_server.calls["echo-turn"] > calls[1]
    assert (admission.admitted, admission.peak, admission.in_flight) == (2, 1, 0)  # one after the other


async def test_shadow_is_shed_while_live_traffic_fills_the_gate(chat_server: ChatServer) -> None:
    def version(model: str) -> dict:
        return {"backend": "openai", "openai": {"base_url": chat_server.base_url, "model": model, "max_retries": 0}}

    routing = RoutingSettings.model_validate({"default_endpoint": "chat", "endpoints": {"chat": {
        "versions": {"live": version("echo-live"), "next": version("echo-shadow")}, "shadow": "next"}}})
    router = build_router(routing, remote_generator(chat_server.base_url, "echo-section"))
    metrics, gate = Metrics(), Admission(AdmissionSettings(max_in_flight=1, max_queue=0))
    shadow = ShadowRunner(ShadowSettings(write_jsonl=False), None, metrics)
    shadow.gate = gate
    route = router.route("c1", version="live")
    request = GenerationRequest(messages=[{"role": "user", "content": "안녕"}], max_new_tokens=8)

    def launch() -> bool:
        return shadow.launch(route, request, live_reply="live", live_ms=1.0, conversation_id="c1")

    async with full(gate):
        shed = launch()
    started = launch()
    await shadow.drain(timeout_s=10)
    count = metrics.registry.get_sample_value
    assert (shed, started) == (False, True)
    assert count("assistant_shadow_requests_total", {"endpoint": "chat", "version": "next", "outcome": "shed"}) == 1
    assert count("assistant_shadow_requests_total", {"endpoint": "chat", "version": "next", "outcome": "ok"}) == 1
    assert chat_server.calls["echo-shadow"] == 1 and gate.admitted == 1  # only the live holder took a slot
