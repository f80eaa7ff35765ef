"""Settings: one typed place for every knob and limit, read from env vars and an optional YAML file.

Sources, highest priority first: values passed to `Settings(...)`, environment variables (`ASSISTANT_` prefix,
`__` between nested names: `ASSISTANT_LIMITS__MAX_MESSAGE_CHARS=4000`), then the YAML file named by `--config`
or `ASSISTANT_CONFIG`. Impossible values are refused at start with a message naming the setting
(`load_settings` turns pydantic's and YAML's errors into a one-line `SettingsError` naming file, line and column:
`assistant.config_errors`).
Shortcuts: `DATABASE_URL` for `database_url`, `ASSISTANT_MODEL` / `ASSISTANT_BACKEND` for the generation model.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import AliasChoices, BaseModel, ConfigDict, Field, ValidationError, model_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    YamlConfigSettingsSource,
)

from assistant.admission import AdmissionSettings
from assistant.config_errors import settings_error_line, yaml_syntax_error
from assistant.keys.settings import AuthSettings, SpeakerSettings
from assistant.routing.settings import RoutingSettings
from assistant.sections.dst import DstSettings
from assistant.sections.generation import GenerationSettings
from assistant.sections.personas import PersonasSettings
from assistant.sections.retrieval import RetrievalSettings
from assistant.store.settings import LOCK_TIMEOUT_S, StoreSettings
from generation.skills.settings import SkillsSettings


class SettingsError(ValueError):
    """Settings that cannot work; the message names each bad setting."""


class LimitsSettings(BaseModel):
    """Every request-size and work limit in one place (documented in the README)."""

    model_config = ConfigDict(extra="forbid")

    max_message_chars: int = Field(2000, ge=1, le=100_000)
    max_instructions_chars: int = Field(
        4000, ge=0, le=100_000,
        description="OpenAI system/developer messages, merged, go into the prompt; 0 refuses any")
    max_body_bytes: int = Field(256 * 1024, ge=1024, le=64 * 1024 * 1024)
    max_skill_body_bytes: int = Field(8 * 1024 * 1024, ge=1024, le=256 * 1024 * 1024,
                                      description="body limit of POST /v1/skills/* (thousands of reviews)")
    max_id_chars: int = Field(128, ge=8, le=128, description="conversation ids; the schema allows at most 128")
    max_history_turns: int = Field(20, ge=0, le=1000)
    max_new_tokens: int = Field(512, ge=1, le=32_768)
    request_timeout_s: float = Field(
        60.0, gt=0, le=3600, description="our work on one turn; a streaming client's reading time is not counted")
    stream_idle_timeout_s: float = Field(
        30.0, gt=0, le=3600, description="the longest a streamed turn waits for its client to take the next event; "
        "beyond it the turn ends with 504 slow_reader and gives back its conversation lock and generation slot")
    stream_ping_s: float = Field(
        15.0, gt=0, le=300, description="a streamed response sends an SSE comment (`: ping`) after this many seconds "
        "without an event, so proxies and clients keep a slow turn's connection open")
    turn_workers: int = Field(4, ge=1, le=256, description="threads running the CPU stages of turns off the event loop")
    skill_workers: int = Field(2, ge=1, le=64, description="threads running skills' CPU work (review analysis), apart "
                               "from the turns' threads")
    lock_timeout_s: float = Field(LOCK_TIMEOUT_S, gt=0, le=3600)
    max_page_size: int = Field(200, ge=1, le=10_000)
    max_json_depth: int = Field(
        32, ge=4, le=128, description="nesting of a JSON body (an object or array is one level; a card's decoded "
        "JSON too); deeper: 422 json_too_deep")


class ServerSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    host: str = "127.0.0.1"
    port: int = Field(8000, ge=1, le=65535)
    log_level: Literal["debug", "info", "warning", "error"] = "info"
    log_format: Literal["text", "json"] = "text"  # json: one object per line, request id, PII masked
    shutdown_grace_s: float = Field(
        20.0, ge=0, le=3600, description="on SIGTERM/SIGINT: how long turns in flight may take to finish before "
        "they are cancelled (stored as failed, error code shutting_down); the process exits within grace + 5 s")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="ASSISTANT_", env_nested_delimiter="__", extra="forbid", validate_default=True
    )

    data_dir: Path = Path("var")
    database_url: str | None = Field(
        None, validation_alias=AliasChoices("database_url", "ASSISTANT_DATABASE_URL", "DATABASE_URL")
    )
    model: str | None = Field(None, description="shortcut for generation.model (ASSISTANT_MODEL)")
    backend: str | None = Field(None, description="shortcut for generation.backend (ASSISTANT_BACKEND)")
    server: ServerSettings = ServerSettings()
    limits: LimitsSettings = LimitsSettings()
    store: StoreSettings = StoreSettings()
    dst: DstSettings = DstSettings()
    retrieval: RetrievalSettings = RetrievalSettings()
    personas: PersonasSettings = PersonasSettings()
    generation: GenerationSettings = GenerationSettings()
    skills: SkillsSettings = SkillsSettings()
    routing: RoutingSettings = RoutingSettings()
    auth: AuthSettings = AuthSettings()
    admission: AdmissionSettings = AdmissionSettings()
    speaker: SpeakerSettings = SpeakerSettings()

    @model_validator(mode="after")
    def _apply_shortcuts(self) -> Settings:
        update: dict[str, Any] = {}
        if self.model:
            update["model"] = self.model
        if self.backend:
            update["backend"] = self.backend
        if update:
            merged = self.generation.model_dump() | update
            self.generation = GenerationSettings.model_validate(merged)
        return self

    @property
    def sqlalchemy_url(self) -> str:
        if self.database_url:
            url = self.database_url
            # Plain postgres URLs mean psycopg 3 here; SQLAlchemy would otherwise look for psycopg2.
            for prefix in ("postgres://", "postgresql://"):
                if url.startswith(prefix):
                    return "postgresql+psycopg://" + url[len(prefix):]
            return url
        return f"sqlite:///{(self.data_dir / 'assistant.db').as_posix()}"

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        config = os.environ.get("ASSISTANT_CONFIG")
        if config:
            sources.append(YamlConfigSettingsSource(settings_cls, yaml_file=Path(config)))
        return tuple(sources)


def load_settings(config: Path | None = None, **overrides: Any) -> Settings:
    """Build Settings, reading `config` (YAML) if given; raise SettingsError with a readable message."""
    if config is not None:
        if not config.is_file():
            raise SettingsError(f"config file not found: {config}")
        os.environ["ASSISTANT_CONFIG"] = str(config)
    elif (env_config := os.environ.get("ASSISTANT_CONFIG")) and not Path(env_config).is_file():
        raise SettingsError(f"config file not found: {env_config} (from ASSISTANT_CONFIG)")
    source = Path(os.environ["ASSISTANT_CONFIG"]) if os.environ.get("ASSISTANT_CONFIG") else None
    try:
        return Settings(**overrides)
    except yaml.YAMLError as exc:  # the file is not YAML: one line at its place, no traceback
        raise SettingsError(yaml_syntax_error(source or Path("<config>"), exc)) from None
    except ValidationError as exc:
        raise SettingsError(settings_error_line(list(exc.errors()), source)) from None
