"""Helpers shared by CLI commands: settings loading that reports bad settings plainly."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

if TYPE_CHECKING:  # settings pull in the store (SQLAlchemy): loaded when a command runs, not for `--help`
    from assistant.settings import Settings


def settings_from_cli(config: Path | None = None, model: str | None = None, backend: str | None = None) -> Settings:
    if model:
        os.environ["ASSISTANT_MODEL"] = model
    if backend:
        os.environ["ASSISTANT_BACKEND"] = backend
    from assistant.settings import SettingsError, load_settings

    try:
        return load_settings(config)
    except SettingsError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None


ConfigOption = typer.Option(None, "--config", "-c", help="YAML settings file (env vars override it).")


def require_dir(path: Path, what: str = "data directory") -> None:
    """Stop the command with exit code 2 and a plain message when `path` is not a directory."""
    if not path.is_dir():
        typer.echo(f"error: {what} not found: {path}", err=True)
        raise typer.Exit(2)


def run_training(make_config: Callable[[], Any], train: Callable[[Any], dict[str, Any]], out: Path,
                 summary_keys: tuple[str, ...]) -> None:
    """Build a training config (bad options: exit 2), train (data or model failures: exit 1), print a JSON summary."""
    try:
        config = make_config()
    except ValueError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    try:
        result = train(config)
    except (OSError, ValueError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from None
    summary = {k: result[k] for k in summary_keys if k in result}
    typer.echo(json.dumps({"out": str(out), **summary}, ensure_ascii=False))
