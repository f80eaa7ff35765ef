"""With `server.log_format: json`, every line the server process writes is one JSON object: uvicorn's start and
access lines, the store's migrations, the indexes, library warnings and the shutdown, not only the app's own."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.conftest import REPO_ROOT
from tests.e2e.test_server_process import free_port


def test_every_server_log_line_parses_as_json_in_json_mode(tmp_path: Path) -> None:
    port = free_port()
    env = {**os.environ, "ASSISTANT_DATA_DIR": str(tmp_path), "HF_HUB_OFFLINE": "1",
           "ASSISTANT_SERVER__LOG_FORMAT": "json"}
    env.pop("DATABASE_URL", None)
    log_path = tmp_path / "server.log"
    with open(log_path, "ab") as log:
        process = subprocess.Popen([sys.executable, "-m", "assistant", "serve", "--port", str(port)],
                                   cwd=REPO_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            url, deadline = f"http://127.0.0.1:{port}", time.monotonic() + 120
            while time.monotonic() < deadline:
                assert process.poll() is None, log_path.read_text()[-3000:]
                try:
                    if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                        break
                except httpx.TransportError:
                    time.sleep(0.2)
            for message in ("안녕하세요", "양자역학의 불확정성 원리를 자세히 설명해 줘"):  # retrieved, then fallback
                assert httpx.post(f"{url}/v1/chat", json={"message": message}, timeout=60).status_code == 200
            assert httpx.get(f"{url}/nothing", timeout=10).status_code == 404
        finally:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=60)
    lines = [line for line in log_path.read_text(encoding="utf-8").splitlines() if line.strip()]
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
