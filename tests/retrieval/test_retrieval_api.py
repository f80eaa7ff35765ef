"""The admin responses router on a tiny app (the real app factory wires the same router)."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.admin.router import router
from api.deps import get_services
from api.errors import install_error_handlers
from assistant.settings import load_settings
from retrieval import Calibration, KoreanAnalyzer, Retrieval


@pytest.fixture
def retrieval(analyzer: KoreanAnalyzer, calibration: Calibration, small_set: Path, tmp_path: Path) -> Retrieval:
    served = Retrieval(analyzer, calibration, index_root=tmp_path / "indexes", changes_dir=tmp_path / "responses")
    served.open_response_set("default", small_set)
    return served


@pytest.fixture
def client(retrieval: Retrieval, tmp_path: Path) -> TestClient:
    settings = load_settings(data_dir=tmp_path, retrieval={"admin_max_records": 3, "admin_page_max": 10})
    app = FastAPI()
    install_error_handlers(app)
    app.include_router(router)
    services = SimpleNamespace(settings=settings, retrieval=retrieval)
    app.dependency_overrides[get_services] = lambda: services
    return TestClient(app)


def test_post_adds_records_that_are_selected_at_once(client: TestClient, retrieval: Retrieval) -> None:
    response = client.post("/v1/admin/responses", json={
        "set": "default", "records": [{"question": "주말에 등산 가고 싶어", "answer": "산 좋아요."}]})
    assert response.status_code == 201
    body = response.json()
    assert body["total"] == 5 and body["added"][0]["id"]
    assert retrieval.select("주말에 등산 가고 싶어").decision == "retrieve"


def test_delete_removes_a_record(client: TestClient) -> None:
    listing = client.get("/v1/admin/responses/default")
    assert listing.status_code == 200, listing.text
    record_id = listing.json()["data"][0]["id"]
    response = client.delete(f"/v1/admin/responses/default/{record_id}")
    assert response.status_code == 200 and response.json()["total"] == 3
    assert client.delete(f"/v1/admin/responses/default/{record_id}").json()["error"]["code"] == "response_not_found"


def test_get_pages_through_records(client: TestClient) -> None:
    first = client.get("/v1/admin/responses/default", params={"limit": 3}).json()
    second = client.get("/v1/admin/responses/default", params={"offset": 3, "limit": 3}).json()
    assert first["total"] == 4 and len(first["data"]) == 3 and len(second["data"]) == 1


def test_page_size_limit_accepts_n_and_refuses_n_plus_one(client: TestClient) -> None:
    assert client.get("/v1/admin/responses/default", params={"limit": 10}).status_code == 200
    refused = client.get("/v1/admin/responses/default", params={"limit": 11})
    assert refused.status_code == 422 and refused.json()["error"]["param"] == "limit"


def test_records_per_request_limit_accepts_n_and_refuses_n_plus_one(client: TestClient) -> None:
    records = [{"question": f"질문 {i}", "answer": f"답 {i}"} for i in range(4)]
    assert client.post("/v1/admin/responses", json={"records": records[:3]}).status_code == 201
    refused = client.post("/v1/admin/responses", json={"records": records})
    assert refused.status_code == 413 and refused.json()["error"]["code"] == "too_many_records"


def test_unknown_set_is_404(client: TestClient) -> None:
    response = client.get("/v1/admin/responses/nope")
    assert response.status_code == 404 and response.json()["error"]["code"] == "response_set_not_found"


def test_clashing_id_is_409(client: TestClient) -> None:
    client.post("/v1/admin/responses", json={"records": [{"id": "k1", "question": "가", "answer": "나"}]})
    response = client.post("/v1/admin/responses", json={"records": [{"id": "k1", "question": "다", "answer": "라"}]})
    assert response.status_code == 409


@pytest.mark.parametrize("body", [
    {"records": []},
    {"records": [{"question": "", "answer": "a"}]},
    {"records": [{"question": "q", "answer": "a", "extra": 1}]},
    {"set": "../etc", "records": [{"question": "q", "answer": "a"}]},
    {"records": [{"question": "q" * 4001, "answer": "a"}]},
])
def test_malformed_bodies_are_422(client: TestClient, body: dict) -> None:
    response = client.post("/v1/admin/responses", json=body)
    assert response.status_code == 422 and "error" in response.json()
