"""`assistant encoder train` and `assistant verifier train`: usage errors and a toy run through typer."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from assistant.cli.encoder import app as encoder_app
from assistant.cli.verifier import app as verifier_app

runner = CliRunner()


def test_encoder_train_refuses_a_missing_data_directory(tmp_path: Path) -> None:
    result = runner.invoke(encoder_app, ["train", "--out", str(tmp_path / "m"), "--data", str(tmp_path / "none")])
    assert result.exit_code == 2
    assert "data directory not found" in result.output


def test_encoder_train_refuses_a_non_positive_time_budget(toy_data: Path, tmp_path: Path) -> None:
    result = runner.invoke(encoder_app, ["train", "--out", str(tmp_path), "--data", str(toy_data), "--minutes", "0"])
    assert result.exit_code == 2
    assert "minutes must be positive" in result.output


def test_encoder_train_runs_a_toy_model_end_to_end(tiny_base: Path, toy_data: Path, tmp_path: Path) -> None:
    out = tmp_path / "enc"
    args = ["train", "--out", str(out), "--data", str(toy_data), "--base", str(tiny_base), "--max-steps", "1",
            "--batch-size", "4", "--max-length", "16", "--syllables", "20", "--seed", "3", "--no-eval",
            "--layers", "1"]
    result = runner.invoke(encoder_app, args)
    assert result.exit_code == 0, result.output
    summary = json.loads(next(line for line in reversed(result.stdout.splitlines()) if line.startswith("{")))
    assert summary["steps"] == 1
    info = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert info["seed"] == 3
    assert info["hyperparameters"]["layers"] == 1


def test_verifier_train_refuses_a_missing_data_directory(tmp_path: Path) -> None:
    result = runner.invoke(verifier_app, ["train", "--out", str(tmp_path), "--data", str(tmp_path / "none")])
    assert result.exit_code == 2
    assert "data directory not found" in result.output
