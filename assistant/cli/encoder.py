"""`assistant encoder train`: build the project's Korean sentence encoder from the open data, offline.

Exit codes: 0 trained (or resumed and finished), 1 training failed on the data or model, 2 bad usage
(missing data directory, unloadable base model, bad option values).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from assistant.cli.common import require_dir, run_training

app = typer.Typer(help="The project's own Korean sentence encoder.", no_args_is_help=True)

DEFAULT_DATA = Path("../shared/data")


def offline() -> None:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


@app.callback()
def main() -> None:
    """Train the project's Korean sentence encoder."""


@app.command("train")
def train(
    out: Annotated[Path, typer.Option("--out", help="output directory (resumes if it holds a checkpoint)")],
    minutes: Annotated[float | None, typer.Option(help="wall-clock training budget (total, across resumes)")] = None,
    seed: Annotated[int, typer.Option(help="seed of initialisation, batch order and dropout")] = 13,
    data: Annotated[Path, typer.Option(help="the shared Korean data sets")] = DEFAULT_DATA,
    base: Annotated[str | None, typer.Option(help="base model hub id or path (default: bundled MiniLM)")] = None,
    epochs: Annotated[int, typer.Option(help="passes over the pairs (the plan; --minutes may stop earlier)")] = 1,
    max_steps: Annotated[int | None, typer.Option(help="stop after this many optimiser steps")] = None,
    batch_size: Annotated[int, typer.Option(help="pairs per contrastive batch")] = 64,
    max_length: Annotated[int, typer.Option(help="tokens per sentence")] = 32,
    syllables: Annotated[int, typer.Option(help="frequent Hangul syllables to add as tokens")] = 1400,
    layers: Annotated[int | None, typer.Option(help="keep the first N transformer layers (measured: 3 halves "
                                                    "training and encode time)")] = 3,
    threads: Annotated[int | None, typer.Option(help="torch CPU threads (default: torch's choice)")] = None,
    question_repeat: Annotated[int, typer.Option(help="passes of the question-paraphrase pairs (Question_pair, "
                                                       "ChatbotData) per epoch")] = 1,
    hard_negatives: Annotated[bool, typer.Option("--hard-negatives", help="give each question pair a BM25-mined "
                                                 "question of another meaning as a third column of the loss")] = False,
    no_eval: Annotated[bool, typer.Option("--no-eval", help="skip the dev scores in the manifest")] = False,
) -> None:
    """Extend the base model's vocabulary, fine-tune it, write a sentence-transformers directory to OUT."""
    offline()
    from retrieval.training.encoder import EncoderConfig, bundled_base_model, train_encoder

    require_dir(data)
    run_training(lambda: EncoderConfig(
        base=base or bundled_base_model(), data_root=data, out=out, seed=seed, minutes=minutes, max_steps=max_steps,
        epochs=epochs, batch_size=batch_size, max_length=max_length, syllables=syllables, layers=layers,
        threads=threads, question_repeat=question_repeat, hard_negatives=hard_negatives, evaluate=not no_eval),
        train_encoder, out, ("steps", "stopped", "train_seconds", "dev"))
