"""The compose files, validated the way `docker compose config` would: parsed, interpolated, merged, checked.

Docker cannot run on the build machines, so the structure is checked here: services, mounted volumes for models,
indexes and personas, healthchecks on /health, the environment being valid Settings, GPU reservations and the
MII topology (tensor_parallel, replica_num) coming from settings-named variables.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from assistant.settings import Settings, load_settings

DOCKER = Path(__file__).resolve().parents[2] / "docker"
VARIABLE = re.compile(r"\$\{(?P<name>[A-Z0-9_]+)(?:(?P<op>:-|:\?)(?P<arg>[^}]*))?\}")
ENV = {"POSTGRES_PASSWORD": "secret"}


def interpolate(value: Any, env: dict[str, str]) -> Any:
    """Compose's `${VAR}`, `${VAR:-default}` and `${VAR:?error}` over a parsed document."""
    if isinstance(value, dict):
        return {k: interpolate(v, env) for k, v in value.items()}
    if isinstance(value, list):
        return [interpolate(v, env) for v in value]
    if not isinstance(value, str):
        return value

    def one(m: re.Match[str]) -> str:
        name, op, arg = m.group("name"), m.group("op"), m.group("arg")
        if env.get(name):
            return env[name]
        if op == ":?":
            raise ValueError(f"required variable {name} is not set: {arg}")
        return arg if op == ":-" else ""

    return VARIABLE.sub(one, value)


def merge(base: Any, override: Any) -> Any:
    """Compose's merge of a second file: mappings merge key by key; anything else is replaced."""
    if isinstance(base, dict) and isinstance(override, dict):
        return {**base, **{k: merge(base[k], v) if k in base else v for k, v in override.items()}}
    return override


def load(*names: str, env: dict[str, str] | None = None) -> dict[str, Any]:
    doc: dict[str, Any] = {}
    for name in names:
        doc = merge(doc, yaml.safe_load((DOCKER / name).read_text()))
    return interpolate(doc, env if env is not None else ENV)


def image_env(dockerfile: str) -> dict[str, str]:
    """The ENV values the image sets (the `KEY=VALUE` pairs of its last stage)."""
    text = (DOCKER / dockerfile).read_text().replace("\\\n", " ")
    last_stage = text.split("\nFROM ")[-1]
    pairs: dict[str, str] = {}
    for line in last_stage.splitlines():
        if line.startswith("ENV "):
            pairs.update(dict(re.findall(r"(\w+)=(\S+)", line)))
    return pairs


def volume_targets(service: dict[str, Any]) -> dict[str, str]:
    return {v.split(":")[1]: v for v in service["volumes"]}


@pytest.fixture(scope="module")
def cpu() -> dict[str, Any]:
    return load("compose.yaml")


@pytest.fixture(scope="module")
def gpu() -> dict[str, Any]:
    return load("compose.yaml", "compose.gpu.yaml")


def test_cpu_compose_runs_postgres_and_the_api(cpu: dict[str, Any]) -> None:
    assert set(cpu["services"]) == {"db", "api"}
    assert cpu["services"]["db"]["image"].startswith("postgres:")
    api = cpu["services"]["api"]
    assert (DOCKER / api["build"]["context"]).resolve() == DOCKER.parent
    assert (DOCKER / api["build"]["context"] / api["build"]["dockerfile"]).resolve() == DOCKER / "Dockerfile"
    assert api["depends_on"]["db"]["condition"] == "service_healthy"
    assert api["environment"]["DATABASE_URL"] == "postgresql://assistant:secret@db:5432/assistant"
    assert set(cpu["volumes"]) >= {"pgdata", "data"}


def test_models_indexes_and_personas_are_mounted_not_built_in(cpu: dict[str, Any]) -> None:
    mounts = volume_targets(cpu["services"]["api"])
    assert {"/models", "/indexes", "/personas", "/data"} <= set(mounts)
    assert mounts["/models"].endswith(":ro") and mounts["/personas"].endswith(":ro")
    custom = load("compose.yaml", env={**ENV, "MODELS_DIR": "/srv/models"})
    assert volume_targets(custom["services"]["api"])["/models"] == "/srv/models:/models:ro"


def test_password_is_required_not_defaulted() -> None:
    with pytest.raises(ValueError, match="POSTGRES_PASSWORD"):
        load("compose.yaml", env={})


def test_every_healthcheck_probes_a_health_endpoint(cpu: dict[str, Any], gpu: dict[str, Any]) -> None:
    script = (DOCKER / "healthcheck.py").read_text()
    assert "/health" in script
    for service in (cpu["services"]["api"], gpu["services"]["api"], gpu["services"]["mii"]):
        assert service["healthcheck"]["test"] == ["CMD", "python", "/usr/local/bin/assistant-healthcheck"]
    assert gpu["services"]["mii"]["environment"]["HEALTHCHECK_PORT"] == gpu["services"]["mii"]["environment"][
        "MII_PORT"]
    assert "pg_isready" in " ".join(cpu["services"]["db"]["healthcheck"]["test"])


def _settings_from(monkeypatch: pytest.MonkeyPatch, dockerfile: str, service: dict[str, Any]) -> Settings:
    for key in [k for k in os.environ if k.startswith("ASSISTANT_") or k == "DATABASE_URL"]:
        monkeypatch.delenv(key)
    for key, value in {**image_env(dockerfile), **service["environment"]}.items():
        monkeypatch.setenv(key, str(value))
    return load_settings()


def test_cpu_api_environment_is_valid_settings(cpu: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    settings = _settings_from(monkeypatch, "Dockerfile", cpu["services"]["api"])
    assert settings.sqlalchemy_url == "postgresql+psycopg://assistant:secret@db:5432/assistant"
    assert (settings.server.host, settings.server.port, settings.server.log_format) == ("0.0.0.0", 8000, "json")
    assert str(settings.data_dir) == "/data"
    assert [str(p) for p in settings.personas.extra_dirs] == ["/personas"]
    assert str(settings.retrieval.index_dir) == "/indexes"


def test_gpu_compose_reserves_gpus_for_mii(gpu: dict[str, Any]) -> None:
    mii = gpu["services"]["mii"]
    assert mii["build"]["dockerfile"] == "docker/Dockerfile.gpu" and mii["command"] == ["mii"]
    [device] = mii["deploy"]["resources"]["reservations"]["devices"]
    assert device["driver"] == "nvidia" and "gpu" in device["capabilities"] and device["count"] == "all"
    assert "/models" in volume_targets(mii)


def test_mii_topology_comes_from_the_generation_settings_names() -> None:
    topology = load("compose.yaml", "compose.gpu.yaml",
                    env={**ENV, "MII_TENSOR_PARALLEL": "2", "MII_REPLICA_NUM": "4"})
    env = topology["services"]["mii"]["environment"]
    assert env["ASSISTANT_GENERATION__MII__TENSOR_PARALLEL"] == "2"
    assert env["ASSISTANT_GENERATION__MII__REPLICA_NUM"] == "4"
    entrypoint = (DOCKER / "entrypoint.sh").read_text()
    assert '--tensor-parallel "${ASSISTANT_GENERATION__MII__TENSOR_PARALLEL:-1}"' in entrypoint
    assert '--replica-num "${ASSISTANT_GENERATION__MII__REPLICA_NUM:-1}"' in entrypoint


def test_gpu_api_talks_to_mii_over_its_openai_server(gpu: dict[str, Any]) -> None:
    api, mii = gpu["services"]["api"], gpu["services"]["mii"]
    env = api["environment"]
    assert env["ASSISTANT_BACKEND"] == "openai"
    assert env["ASSISTANT_GENERATION__OPENAI__BASE_URL"] == f"http://mii:{mii['environment']['MII_PORT']}/v1"
    # MII's server only answers requests naming the model it loaded.
    assert env["ASSISTANT_GENERATION__OPENAI__MODEL"] == mii["environment"]["ASSISTANT_MODEL"]
    assert api["depends_on"]["mii"]["condition"] == "service_healthy"
    assert api["depends_on"]["db"]["condition"] == "service_healthy"  # kept from compose.yaml
    assert "DATABASE_URL" in env  # merged, not replaced


def test_gpu_api_environment_is_valid_settings(gpu: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    settings = _settings_from(monkeypatch, "Dockerfile", gpu["services"]["api"])
    generation = settings.generation.model_dump()
    assert generation["backend"] == "openai"
    assert generation["openai"]["base_url"] == "http://mii:23333/v1"


def test_api_stop_grace_period_exceeds_the_shutdown_grace_plus_five_seconds(cpu: dict[str, Any]) -> None:
    period = cpu["services"]["api"]["stop_grace_period"]
    match = re.fullmatch(r"(\d+)s", period)
    assert match, period
    assert int(match.group(1)) > Settings.model_fields["server"].default.shutdown_grace_s + 5
