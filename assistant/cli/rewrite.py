"""`assistant rewrite --input cases.jsonl`: batch context injection.

Reads JSON lines {"id", "history": [{"role", "text"}], "utterance"} and writes one JSON line
{"id", "rewrite", "state", "resolutions"} per input line to stdout, with the injector built from Settings
(strategy rules unless configured). A malformed line is reported on stderr with its line number and the run
exits 1 after the other lines; a missing file exits 2.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from assistant.cli.common import ConfigOption, settings_from_cli

if TYPE_CHECKING:  # dst loads Kiwi: only the command imports it, not `--help`
    from dst import ContextInjector

app = typer.Typer(help="Rewrite utterances into standalone queries (context injection).")


def rewrite_line(injector: ContextInjector, record: Any) -> dict[str, Any]:
    from dst import DstInputError, HistoryTurn

    if not isinstance(record, dict):
        raise DstInputError("each line must be a JSON object")
    utterance = record.get("utterance")
    history = record.get("history") or []
    if not isinstance(utterance, str):
        raise DstInputError("'utterance' must be a string")
    if not isinstance(history, list):
        raise DstInputError("'history' must be a list of {role, text}")
    turns = []
    for turn in history:
        if not isinstance(turn, dict):
            raise DstInputError("each history entry must be an object {role, text}")
        role: Any = turn.get("role")  # unchecked here: HistoryTurn validates role and text
        text: Any = turn.get("text")
        turns.append(HistoryTurn(role, text))
    rw = injector.rewrite(turns, utterance)
    return {
        "id": record.get("id"),
        "rewrite": rw.standalone,
        "state": rw.state.to_dict(),
        "resolutions": [r.to_dict() for r in rw.resolutions],
    }


@app.callback(invoke_without_command=True)
def rewrite(
    input: Annotated[Path, typer.Option("--input", "-i", help="JSON lines: {id, history, utterance}")],
    config: Path | None = ConfigOption,
) -> None:
    """Rewrite each line's utterance in the context of its history; JSON lines to stdout."""
    if not input.is_file():
        typer.echo(f"error: no such file: {input}", err=True)
        raise typer.Exit(2)
    from assistant.wiring.dst import build_dst
    from dst import DstInputError

    settings = settings_from_cli(config)
    injector, _ = build_dst(settings, None)
    failed = 0
    with input.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                out = rewrite_line(injector, json.loads(line))
            except (json.JSONDecodeError, DstInputError) as exc:
                typer.echo(f"error: line {number}: {exc}", err=True)
                failed += 1
                continue
            sys.stdout.write(json.dumps(out, ensure_ascii=False) + "\n")
    if failed:
        raise typer.Exit(1)
