"""A bad config file stops the start with one line naming the file, the line and the column, never a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.settings import SettingsError, load_settings
from tests.conftest import REPO_ROOT


@pytest.fixture(autouse=True)
def _no_config_env(monkeypatch: pytest.MonkeyPatch) -> None:
    # load_settings(config) sets ASSISTANT_CONFIG: set then delete it here, so the variable is restored afterwards
    monkeypatch.setenv("ASSISTANT_CONFIG", "")
    monkeypatch.delenv("ASSISTANT_CONFIG")


def test_malformed_yaml_is_one_line_with_file_line_and_column(tmp_path: Path) -> None:
    config = tmp_path / "config.yaml"
    config.write_text("server:\n  port: 8000\nlimits: [unclosed\n", encoding="utf-8")
    with pytest.raises(SettingsError) as refused:
        load_settings(config)
    message = str(refused.value)
    assert "\n" not in message and message.startswith(f"{config}:4:1: invalid YAML"), message


def test_an_impossible_value_in_the_file_is_located_at_its_key(tmp_path: Path) -> None:
    config = tmp_path / "config.yaml"
    config.write_text("server:\n  port: 8000\nlimits:\n  max_message_chars: 0\n", encoding="utf-8")
    with pytest.raises(SettingsError) as refused:
        load_settings(config)
    message = str(refused.value)
    assert "\n" not in message and f"{config}:4:3: limits.max_message_chars" in message, message


def test_the_cli_prints_one_line_and_exits_2(tmp_path: Path) -> None:
    config = tmp_path / "bad.yaml"
    config.write_text("server: {port: [\n", encoding="utf-8")
    env = {**os.environ, "ASSISTANT_DATA_DIR": str(tmp_path)}
    env.pop("ASSISTANT_CONFIG", None)
    done = subprocess.run([sys.executable, "-m", "assistant", "serve", "--config", str(config)], cwd=REPO_ROOT,
                          env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith(f"error: {config}:"), done.stderr
