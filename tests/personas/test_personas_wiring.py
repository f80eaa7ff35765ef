"""PersonasSettings limits, the registry built from Settings, readiness, and error translation."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from pydantic import ValidationError

from assistant.error_table import to_assistant_error
from assistant.errors import Conflict, InvalidInput, NotFound, PayloadTooLarge, Unavailable
from assistant.sections.personas import PersonasSettings
from assistant.settings import Settings
from assistant.wiring.personas import build_personas
from personas import (
    PersonaConflict,
    PersonaError,
    PersonaNotFound,
    PersonaTooLarge,
    PromptBudgetError,
    PromptError,
)


@pytest.mark.parametrize(
    ("field", "ok", "bad"),
    [("max_file_bytes", 1024, 1023), ("keep_versions", 1, 0), ("reload_interval_s", 0.0, -0.1),
     ("max_card_bytes", 64 * 1024 * 1024, 64 * 1024 * 1024 + 1)],
)
def test_settings_limits_accept_bound_and_refuse_beyond(field: str, ok: float, bad: float) -> None:
    assert getattr(PersonasSettings(**{field: ok}), field) == ok
    with pytest.raises(ValidationError, match=field):
        PersonasSettings(**{field: bad})


def test_settings_refuse_malformed_default_id() -> None:
    with pytest.raises(ValidationError, match="persona id"):
        PersonasSettings(default="../etc")


def test_settings_read_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ASSISTANT_CONFIG", raising=False)
    monkeypatch.setenv("ASSISTANT_PERSONAS__DEFAULT", "friend")
    monkeypatch.setenv("ASSISTANT_PERSONAS__RELOAD_INTERVAL_S", "0")
    assert Settings().personas.default == "friend"


def test_build_personas_serves_bundled_library_and_is_ready(tmp_path: Path) -> None:
    registry, status = build_personas(Settings(data_dir=tmp_path))
    assert status.ready and status.name == "personas" and "3 personas" in status.detail
    assert registry.get(registry.default_id).speech_level == "해요체"
    assert registry.writable_dir == tmp_path / "personas"


def test_missing_default_makes_component_unready(tmp_path: Path) -> None:
    _, status = build_personas(Settings(data_dir=tmp_path, personas={"default": "ghost"}))
    assert not status.ready and "ghost" in status.detail


def test_broken_extra_file_is_in_detail_but_component_stays_ready(
    tmp_path: Path, write_persona: Callable[..., Path]
) -> None:
    broken = write_persona("broken", "id: broken\nname: 고장\n")
    settings = Settings(data_dir=tmp_path, personas={"extra_dirs": [str(broken.parent)]})
    registry, status = build_personas(settings)
    assert status.ready and str(broken) in status.detail
    assert str(broken) in registry.errors()


@pytest.mark.parametrize(
    ("exc", "expected", "param"),
    [
        (PersonaNotFound("x"), NotFound, "persona"),
        (PersonaTooLarge("too big", file="a.yaml"), PayloadTooLarge, None),
        (PersonaError("bad", file="a.yaml", line=3, field="name"), InvalidInput, "name"),
        (PersonaConflict("stale"), Conflict, None),
        (PromptError("bad role"), InvalidInput, None),
        (PromptBudgetError("x", budget_tokens=100, system_tokens=101, message_tokens=1), Unavailable, None),
        (PromptBudgetError("x", budget_tokens=100, system_tokens=60, message_tokens=50), PayloadTooLarge, "message"),
    ],
)
def test_persona_errors_map_to_api_errors(exc: Exception, expected: type, param: str | None) -> None:
    error = to_assistant_error(exc)
    assert type(error) is expected and error.param == param
