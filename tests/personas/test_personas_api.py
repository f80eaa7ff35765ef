"""The /v1/personas surface, on a small FastAPI app carrying only its routers (reads and writes) and the shared
error handlers."""

from __future__ import annotations

import base64
import copy
import functools
import io
import json
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from PIL import Image

from api.deps import get_services
from api.errors import install_error_handlers
from api.personas.router import admin_router, router
from assistant.services import Services
from assistant.settings import Settings
from assistant.wiring.personas import build_registry
from personas.cards import EXTENSION_KEY


@pytest.fixture
def client(tmp_path: Path) -> TestClient:
    settings = Settings(data_dir=tmp_path / "var", personas={"reload_interval_s": 0.0})
    services = SimpleNamespace(settings=settings, personas=build_registry(settings))
    services.import_card = functools.partial(Services.import_card, services)  # the card's hygiene check too
    app = FastAPI()
    install_error_handlers(app)
    app.include_router(router)
    app.include_router(admin_router)
    app.dependency_overrides[get_services] = lambda: services
    return TestClient(app)


def _error(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text[:300]
    return response.json()["error"]


def test_list_shows_bundled_personas_and_default(client: TestClient) -> None:
    body = client.get("/v1/personas").json()
    assert body["default"] == "assistant" and body["errors"] == {}
    assert {p["id"] for p in body["data"]} >= {"assistant", "friend", "scholar"}
    assert all(p["source"] == "bundled" and "{{" not in p["greeting"] for p in body["data"])


def test_get_returns_document_and_unknown_is_404(client: TestClient) -> None:
    body = client.get("/v1/personas/friend").json()
    assert body["persona"]["speech_level"] == "반말" and body["versions"] == [1]
    error = _error(client.get("/v1/personas/nobody"), 404)
    assert error["type"] == "not_found_error" and "nobody" in error["message"]


def test_put_creates_versions_and_get_serves_it(client: TestClient) -> None:
    document = client.get("/v1/personas/friend").json()["persona"] | {"id": "buddy", "name": "버디"}
    created = client.put("/v1/personas/buddy", json=document)
    assert created.status_code == 200 and created.json()["persona"]["version"] == 1
    etag = client.get("/v1/personas/buddy").headers["ETag"]
    assert etag == '"1"'
    updated = client.put("/v1/personas/buddy", json=document | {"name": "버디2"}, headers={"If-Match": etag})
    assert updated.headers["ETag"] == '"2"'
    assert updated.json()["persona"]["version"] == 2 and updated.json()["source"] == "custom"
    assert client.get("/v1/personas/buddy").json()["versions"] == [1, 2]
    assert client.get("/v1/personas/buddy/versions/1").json()["persona"]["name"] == "버디"
    _error(client.get("/v1/personas/buddy/versions/7"), 404)
    error = _error(client.put("/v1/personas/buddy", json=document, headers={"If-Match": "1"}), 409)
    assert "version 2" in error["message"]


def test_put_invalid_document_is_422_naming_field(client: TestClient) -> None:
    document = client.get("/v1/personas/friend").json()["persona"] | {"speech_level": "하게체"}
    error = _error(client.put("/v1/personas/friend", json=document), 422)
    assert error["param"] == "speech_level" and "하게체" in error["message"]
    _error(client.put("/v1/personas/Bad..Id", json=document), 422)
    valid = client.get("/v1/personas/friend").json()["persona"]
    malformed = client.put("/v1/personas/friend", json=valid, headers={"If-Match": "W/x"})
    assert _error(malformed, 422)["param"] == "If-Match"


def test_put_over_file_limit_is_413(client: TestClient) -> None:
    big = {field: "가" * 30000 for field in ("description", "personality", "scenario")}  # ~270 KB > 256 KiB
    document = client.get("/v1/personas/friend").json()["persona"] | big
    assert "limit is 262144" in _error(client.put("/v1/personas/friend", json=document), 413)["message"]


def test_delete_custom_is_204_and_bundled_is_409(client: TestClient) -> None:
    document = client.get("/v1/personas/friend").json()["persona"] | {"id": "temp"}
    client.put("/v1/personas/temp", json=document)
    assert client.delete("/v1/personas/temp").status_code == 204
    _error(client.get("/v1/personas/temp"), 404)
    assert "read-only" in _error(client.delete("/v1/personas/friend"), 409)["message"]


def test_import_json_and_png_cards_then_export_back(
    client: TestClient, card_bytes: bytes, card_png_bytes: bytes, card_v2: dict[str, Any]
) -> None:
    created = client.post("/v1/personas/import?id=seoyun", content=card_bytes,
                          headers={"Content-Type": "application/json"})
    assert created.status_code == 201 and created.json()["persona"]["name"] == "서윤"
    _error(client.post("/v1/personas/import?id=seoyun", content=card_png_bytes), 409)
    replaced = client.post("/v1/personas/import?id=seoyun&overwrite=true", content=card_png_bytes,
                           headers={"Content-Type": "image/png"})
    assert replaced.status_code == 201 and replaced.json()["persona"]["version"] == 2
    exported = client.get("/v1/personas/seoyun/export").json()
    exported["data"]["extensions"].pop(EXTENSION_KEY)
    assert exported == card_v2
    png = client.get("/v1/personas/seoyun/export?png=true")
    assert png.headers["content-type"] == "image/png"
    with Image.open(io.BytesIO(png.content)) as image:
        v3 = json.loads(base64.b64decode(image.text["ccv3"]))  # type: ignore[attr-defined]
    assert v3["data"]["name"] == "서윤" and v3["spec"] == "chara_card_v3"


def test_import_garbage_is_422_and_empty_body_is_422(client: TestClient, card_v2: dict[str, Any]) -> None:
    assert "neither a PNG" in _error(client.post("/v1/personas/import", content=b"hello"), 422)["message"]
    _error(client.post("/v1/personas/import", content=b""), 422)
    broken = copy.deepcopy(card_v2)
    broken["data"]["first_mes"] = ""
    broken["data"]["alternate_greetings"] = []
    error = _error(client.post("/v1/personas/import?id=nogreet", content=json.dumps(broken).encode()), 422)
    assert error["param"] == "greetings"


def test_edited_file_and_broken_file_show_through_api(client: TestClient, tmp_path: Path) -> None:
    document = client.get("/v1/personas/friend").json()["persona"] | {"id": "live"}
    client.put("/v1/personas/live", json=document)
    path = tmp_path / "var" / "personas" / "live.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("speech_level: 반말", "speech_level: 반말체"),
                    encoding="utf-8")
    body = client.get("/v1/personas").json()
    assert str(path) in body["errors"] and "speech_level" in body["errors"][str(path)]
    assert client.get("/v1/personas/live").json()["persona"]["speech_level"] == "반말"
