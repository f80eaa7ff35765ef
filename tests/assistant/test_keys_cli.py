"""`assistant keys create|revoke|list` against a real SQLite store (the typer app, run in-process)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from assistant.cli.keys import app
from assistant.keys import KeyStore, Unauthorized
from assistant.store import make_engine


def test_create_list_revoke_round_trip(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ASSISTANT_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("ASSISTANT_CONFIG", raising=False)
    runner = CliRunner()
    created = runner.invoke(app, ["create", "--name", "웹 프런트", "--rpm", "7"])
    assert created.exit_code == 0, created.output
    key = json.loads(created.stdout.splitlines()[0])
    assert key["name"] == "웹 프런트" and key["requests_per_minute"] == 7 and key["key"].startswith("ka_")
    listed = [json.loads(line) for line in runner.invoke(app, ["list"]).stdout.splitlines()]
    assert [k["id"] for k in listed] == [key["id"]] and "key" not in listed[0]
    store = KeyStore(make_engine(f"sqlite:///{tmp_path / 'assistant.db'}"))
    assert store.admit(key["key"], "test").key_id == key["id"]
    assert runner.invoke(app, ["revoke", key["id"]]).exit_code == 0
    with pytest.raises(Unauthorized):
        store.admit(key["key"], "test")
    assert runner.invoke(app, ["revoke", "ffffffff"]).exit_code == 1
    assert runner.invoke(app, ["create", "--name", "x", "--rpm", "0"]).exit_code == 2
