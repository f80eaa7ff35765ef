"""`assistant keys create|revoke|list|scopes` against a real SQLite store (the typer app, run in-process)."""

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


def test_scopes_default_to_chat_are_listed_and_can_be_changed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ASSISTANT_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("ASSISTANT_CONFIG", raising=False)
    runner = CliRunner()
    chat = json.loads(runner.invoke(app, ["create", "--name", "frontend"]).stdout.splitlines()[0])
    created = runner.invoke(app, ["create", "--name", "ops", "--scope", "chat", "--scope", "admin"])
    assert created.exit_code == 0, created.output
    ops = json.loads(created.stdout.splitlines()[0])
    assert chat["scopes"] == ["chat"] and ops["scopes"] == ["chat", "admin"]
    listed = {k["id"]: k["scopes"] for k in map(json.loads, runner.invoke(app, ["list"]).stdout.splitlines())}
    assert listed == {chat["id"]: ["chat"], ops["id"]: ["chat", "admin"]}
    narrowed = runner.invoke(app, ["scopes", ops["id"], "--scope", "chat"])
    assert narrowed.exit_code == 0 and json.loads(narrowed.stdout)["scopes"] == ["chat"]
    store = KeyStore(make_engine(f"sqlite:///{tmp_path / 'assistant.db'}"))
    assert store.admit(ops["key"], "test").scopes == ("chat",)
    refused = runner.invoke(app, ["create", "--name", "x", "--scope", "root"])
    assert refused.exit_code == 2 and "unknown scope" in refused.output
    assert runner.invoke(app, ["scopes", "ffffffff", "--scope", "chat"]).exit_code == 1
    assert runner.invoke(app, ["scopes", ops["id"]]).exit_code != 0  # at least one --scope is required
