"""Settings: env vars and YAML are read, impossible values are refused with a message naming the setting."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.settings import SettingsError, load_settings


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("ASSISTANT_CONFIG", "DATABASE_URL", "ASSISTANT_DATABASE_URL", "ASSISTANT_MODEL", "ASSISTANT_BACKEND"):
        monkeypatch.delenv(name, raising=False)


def test_defaults_use_an_embedded_sqlite_file_under_the_data_dir() -> None:
    settings = load_settings(data_dir=Path("/tmp/x"))
    assert settings.sqlalchemy_url == "sqlite:////tmp/x/assistant.db"
    assert settings.limits.max_message_chars == 2000


def test_nested_env_vars_override_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ASSISTANT_LIMITS__MAX_MESSAGE_CHARS", "300")
    monkeypatch.setenv("ASSISTANT_SERVER__PORT", "9001")
    settings = load_settings()
    assert settings.limits.max_message_chars == 300 and settings.server.port == 9001


def test_database_url_env_selects_postgresql_with_psycopg(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql://u@db:5432/app")
    assert load_settings().sqlalchemy_url == "postgresql+psycopg://u@db:5432/app"


def test_yaml_file_is_read_and_env_wins_over_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "a.yaml"
    config.write_text("limits:\n  max_message_chars: 1234\n  max_history_turns: 7\nserver:\n  port: 8123\n")
    monkeypatch.setenv("ASSISTANT_SERVER__PORT", "8999")
    settings = load_settings(config)
    assert settings.limits.max_message_chars == 1234 and settings.limits.max_history_turns == 7
    assert settings.server.port == 8999


@pytest.mark.parametrize(
    ("env", "value", "named"),
    [
        ("ASSISTANT_LIMITS__MAX_MESSAGE_CHARS", "0", "limits.max_message_chars"),
        ("ASSISTANT_LIMITS__REQUEST_TIMEOUT_S", "-1", "limits.request_timeout_s"),
        ("ASSISTANT_LIMITS__STREAM_IDLE_TIMEOUT_S", "0", "limits.stream_idle_timeout_s"),
        ("ASSISTANT_SERVER__PORT", "70000", "server.port"),
        ("ASSISTANT_LIMITS__MAX_BODY_BYTES", "many", "limits.max_body_bytes"),
    ],
)
def test_impossible_values_are_refused_naming_the_setting(
    monkeypatch: pytest.MonkeyPatch, env: str, value: str, named: str
) -> None:
    monkeypatch.setenv(env, value)
    with pytest.raises(SettingsError, match=named.replace(".", r"\.")):
        load_settings()


def test_unknown_yaml_keys_are_refused(tmp_path: Path) -> None:
    config = tmp_path / "a.yaml"
    config.write_text("limits:\n  max_mesage_chars: 10\n")
    with pytest.raises(SettingsError, match="max_mesage_chars"):
        load_settings(config)


def test_missing_config_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="config file not found"):
        load_settings(tmp_path / "nope.yaml")


def test_model_and_backend_shortcuts_set_the_generation_section(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ASSISTANT_MODEL", "/models/tiny")
    monkeypatch.setenv("ASSISTANT_BACKEND", "openai")
    settings = load_settings()
    assert settings.generation.model == "/models/tiny" and settings.generation.backend == "openai"
