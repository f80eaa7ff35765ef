"""`assistant skill-train sentiment|sentiment-e5|keywords`: train the skills' learned models, offline.

`keywords` fits the keyword model (`generation/skills/keyword_edits.py`: sentence types, then word edits) on SAE4K
rows whose index % 5 != 0 (`--data`, default `../shared/data/sae4k/sae4k_dev.tsv`) and reports on the others.
`sentiment` trains the review-sentiment model of the summarise-reviews skill (n-grams);
`sentiment-e5` then fine-tunes the LoRA adapter of multilingual-e5-small that is stacked on it
(`generation/skills/sentiment_e5_train.py`; default `--out`: `generation/skills/models/sentiment_e5.safetensors`,
where `skills.reviews.sentiment_model: stacked` reads it; the file is not in git).

Reads the NSMC movies (`--data`, default `../shared/data/nsmc/raw`), splits them by movie (70/10/20 by a hash of
the movie id), and writes the model file the skill loads (`--out`, default the shipped
`generation/skills/models/sentiment.npz`) and a JSON report measured on the test movies (`--report`).
Exit codes: 0 trained, 2 no data at `--data` (or, for `sentiment-e5`, no n-gram model to stack on).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

app = typer.Typer(help="Train the skills' models from the open Korean data.", no_args_is_help=True)

DEFAULT_NSMC = Path("../shared/data/nsmc/raw")
DEFAULT_SAE4K = Path("../shared/data/sae4k/sae4k_dev.tsv")


@app.callback()
def main() -> None:
    """Train the skills' learned models."""


@app.command("sentiment")
def sentiment(
    data: Annotated[Path, typer.Option("--data", help="folder of NSMC movie files (*.json)")] = DEFAULT_NSMC,
    out: Annotated[Path | None, typer.Option("--out", help="model file to write (default: the shipped one)")] = None,
    report: Annotated[Path | None, typer.Option("--report", help="write the test report here (JSON)")] = None,
) -> None:
    from generation.skills.sentiment import MODEL_PATH
    from generation.skills.sentiment_train import train

    if not data.is_dir() or not any(data.glob("*.json")):
        typer.echo(f"error: no NSMC movie files under {data}", err=True)
        raise typer.Exit(2)
    _report(train(data, out or MODEL_PATH, progress=lambda line: typer.echo(line, err=True)), report)


@app.command("sentiment-e5")
def sentiment_e5(
    data: Annotated[Path, typer.Option("--data", help="folder of NSMC movie files (*.json)")] = DEFAULT_NSMC,
    out: Annotated[Path | None, typer.Option(
        "--out", help="adapter file to write (default: where the skill reads it)")] = None,
    report: Annotated[Path | None, typer.Option("--report", help="write the test report here (JSON)")] = None,
    epochs: Annotated[int, typer.Option("--epochs", min=1, help="passes over the train movies")] = 2,
    rank: Annotated[int, typer.Option("--rank", min=1, help="LoRA rank")] = 16,
    limit: Annotated[int, typer.Option("--limit", min=0, help="train on this many reviews (0: all)")] = 0,
    threads: Annotated[int, typer.Option("--threads", min=0, help="torch threads (0: torch's default)")] = 0,
    calibrate_only: Annotated[bool, typer.Option(
        "--calibrate-only", help="keep the adapter in --out; refit the stack on the current n-gram model")] = False,
) -> None:
    import torch

    from generation.skills.sentiment_e5 import E5_MODEL_PATH
    from generation.skills.sentiment_e5_train import TrainSettings, train

    if not data.is_dir() or not any(data.glob("*.json")):
        typer.echo(f"error: no NSMC movie files under {data}", err=True)
        raise typer.Exit(2)
    if threads:
        torch.set_num_threads(threads)
    settings = TrainSettings(epochs=epochs, rank=rank, alpha=2 * rank, limit=limit)
    try:
        result = train(data, out or E5_MODEL_PATH, settings, progress=lambda line: typer.echo(line, err=True),
                       calibrate_only=calibrate_only)
    except FileNotFoundError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from exc
    _report(result, report)


@app.command("keywords")
def keywords(
    data: Annotated[Path, typer.Option("--data", help="SAE4K tsv (utterance, core query, type)")] = DEFAULT_SAE4K,
    out: Annotated[Path | None, typer.Option("--out", help="model file to write (default: the shipped one)")] = None,
    report: Annotated[Path | None, typer.Option("--report", help="write the held-out report here (JSON)")] = None,
) -> None:
    from generation.skills.keyword_edits import MODEL_PATH
    from generation.skills.keyword_edits_train import train

    if not data.is_file():
        typer.echo(f"error: no SAE4K file at {data}", err=True)
        raise typer.Exit(2)
    _report(train(data, out or MODEL_PATH, progress=lambda line: typer.echo(line, err=True)), report)


def _report(result: dict, report: Path | None) -> None:
    """Print the training report, and write it to `report` when asked."""
    if report is not None:
        report.parent.mkdir(parents=True, exist_ok=True)
        report.write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")
    typer.echo(json.dumps(result, ensure_ascii=False))
