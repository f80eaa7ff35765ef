"""`GET /v1/skills` and `POST /v1/skills/{name}` on a tiny app with the router and the project's error mapping."""

from __future__ import annotations

import functools
from types import SimpleNamespace

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.deps import get_services
from api.skills.router import router
from assistant.services import Services
from assistant.workers import StageWorkers


@pytest.fixture(scope="module")
def client(registry):
    from api.errors import install_error_handlers

    app = FastAPI()
    install_error_handlers(app)
    app.include_router(router)
    workers = StageWorkers(2, name="skill")  # the router runs skills on the skills' own worker threads
    services = SimpleNamespace(skills=registry, skill_workers=workers, pipeline=SimpleNamespace())
    services.run_skill = functools.partial(Services.run_skill, services)  # the product's admission and offload
    app.dependency_overrides[get_services] = lambda: services
    yield TestClient(app)
    workers.close()


def error_of(response, status):
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert set(error) == {"message", "type", "param", "code"} and error["message"]
    return error


def test_list_names_both_skills_with_schemas(client):
    data = client.get("/v1/skills").json()["data"]
    assert [s["name"] for s in data] == ["rewrite-null-query", "summarize-reviews"]
    assert all("input_schema" in s and "output_schema" in s for s in data)


def test_run_rewrite_returns_output_and_trace(client):
    response = client.post("/v1/skills/rewrite-null-query", json={"input": {"query": "가습기 좀 틀어 줘"}})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["skill"] == "rewrite-null-query"
    assert body["output"]["rewrites"][0] == {"text": "가습기 틀기", "strategy": "keyword"}
    assert body["trace"]["strategy"] == "fallback"


def test_unknown_skill_is_404(client):
    error = error_of(client.post("/v1/skills/make-coffee", json={"input": {}}), 404)
    assert error["code"] == "unknown_skill"


def test_bad_skill_input_is_422_naming_the_field(client):
    error = error_of(client.post("/v1/skills/summarize-reviews", json={"input": {"reviews": []}}), 422)
    assert error["param"] == "input.reviews"


def test_unknown_body_field_is_422(client):
    error_of(client.post("/v1/skills/rewrite-null-query", json={"input": {"query": "날씨"}, "x": 1}), 422)


def test_too_many_reviews_is_413(client, registry):
    reviews = [{"text": "좋아요"}] * (registry.settings.reviews.max_reviews + 1)
    error = error_of(client.post("/v1/skills/summarize-reviews", json={"input": {"reviews": reviews}}), 413)
    assert error["param"] == "input.reviews"


def test_bad_speech_level_is_422(client):
    body = {"input": {"query": "오늘 날씨"}, "speech_level": "궁중체"}
    assert error_of(client.post("/v1/skills/rewrite-null-query", json=body), 422)["param"] == "speech_level"
