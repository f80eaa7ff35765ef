"""With `server.log_format: json`, every line the server process writes is one JSON object: uvicorn's start and
access lines, the store's migrations, the indexes, library warnings and the shutdown, not only the app's own."""

from __future__ import annotations

import json
from pathlib import Path

import httpx

from tests.conftest import seed_bundled_index
from tests.e2e.test_server_process import Server


def test_every_server_log_line_parses_as_json_in_json_mode(tmp_path: Path, bundled_index: Path) -> None:
    with Server(seed_bundled_index(tmp_path, bundled_index), ASSISTANT_SERVER__LOG_FORMAT="json") as server:
        for message, source in (("안녕하세요", "retrieve"), ("불확정성 원리를 자세히 설명해 줘", "fallback")):
            response = httpx.post(f"{server.url}/v1/chat", json={"message": message}, timeout=60)
            assert response.status_code == 200 and response.json()["source"] == source, response.text
        assert httpx.get(f"{server.url}/nothing", timeout=10).status_code == 404
    lines = [line for line in (tmp_path / "server.log").read_text(encoding="utf-8").splitlines() if line.strip()]
    assert len(lines) >= 5, lines
    not_json = []
    for line in lines:
        try:
            assert isinstance(json.loads(line), dict)
        except (ValueError, AssertionError):
            not_json.append(line)
    assert not not_json, not_json[:10]
    messages = [json.loads(line)["message"] for line in lines]
    assert any("Uvicorn running" in m or "Application startup" in m for m in messages), messages
