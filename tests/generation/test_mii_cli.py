"""`assistant mii serve|status|stop` on a machine without a deployment or GPU: clear messages, exit code 1."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from assistant.cli.mii import app

pytest.importorskip("mii")
runner = CliRunner()


def test_status_of_an_unknown_deployment_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ASSISTANT_CONFIG", raising=False)
    result = runner.invoke(app, ["status", "--deployment-name", "nothing-here-123"])
    assert result.exit_code == 1
    assert "nothing-here-123" in result.output and "not running" in result.output


def test_stop_of_an_unknown_deployment_fails_cleanly() -> None:
    result = runner.invoke(app, ["stop", "--deployment-name", "nothing-here-123"])
    assert result.exit_code == 1
    assert "no DeepSpeed-MII deployment" in result.output


def test_serve_refuses_an_unsupported_architecture(tmp_path: Path) -> None:
    from transformers import GPT2Config

    GPT2Config(n_layer=1, n_embd=8, n_head=2, vocab_size=10).save_pretrained(tmp_path)
    result = runner.invoke(app, ["serve", "--model", str(tmp_path)])
    assert result.exit_code == 1
    assert "gpt2" in result.output and "FastGen does not support" in result.output


def test_serve_without_cuda_says_a_gpu_is_needed(tiny_lm_path: Path) -> None:
    import torch

    if torch.cuda.is_available():
        pytest.skip("this machine has a GPU")
    result = runner.invoke(app, ["serve", "--model", str(tiny_lm_path)])
    assert result.exit_code == 1
    assert "CUDA" in result.output


def test_a_commands_model_option_leaves_the_process_environment_as_it_was(
        tiny_lm_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # An exported ASSISTANT_MODEL outlived the command: every server a later test started loaded this tiny LM.
    monkeypatch.delenv("ASSISTANT_MODEL", raising=False)
    monkeypatch.setenv("ASSISTANT_BACKEND", "openai")
    from assistant.cli.common import settings_from_cli

    settings = settings_from_cli(model=str(tiny_lm_path), backend="mii")
    assert (settings.generation.model, settings.generation.backend) == (str(tiny_lm_path), "mii")
    runner.invoke(app, ["serve", "--model", str(tiny_lm_path)])
    assert "ASSISTANT_MODEL" not in os.environ and os.environ["ASSISTANT_BACKEND"] == "openai"
