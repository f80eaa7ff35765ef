"""Helpers shared by CLI commands: settings loading that reports bad settings plainly."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

if TYPE_CHECKING:  # settings pull in the store (SQLAlchemy): loaded when a command runs, not for `--help`
    from assistant.settings import Settings


def settings_from_cli(config: Path | None = None, model: str | None = None, backend: str | None = None) -> Settings:
    """The settings a command runs on; `--model` / `--backend` override the environment and the config file for this
    call only (the process environment is left as it was)."""
    from assistant.settings import SettingsError, load_settings

    overrides = {name: value for name, value in (("model", model), ("backend", backend)) if value}
    try:
        return load_settings(config, **overrides)
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
