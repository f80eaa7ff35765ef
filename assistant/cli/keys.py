"""`assistant keys create|revoke|list|scopes`: manage API keys in the configured store (migrated first).

`create` prints the key once (only its hash is stored); quotas default to `auth.default_*` settings, scopes to
`chat` only (`--scope admin`, repeatable, for management routes). `scopes` replaces a key's scopes in place.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from assistant.cli.common import ConfigOption, settings_from_cli
from assistant.keys import SCOPES, KeyNotFound
from assistant.keys.scopes import DEFAULT_SCOPES

if TYPE_CHECKING:  # the store needs SQLAlchemy and Alembic: loaded when a command runs, not for `--help`
    from assistant.keys import ApiKey, KeyStore
    from assistant.settings import Settings

app = typer.Typer(help="API keys: create, revoke, list, change scopes.", no_args_is_help=True)
ScopeOption = typer.Option(None, "--scope", "-s", help=f"A scope the key gets (repeatable): {', '.join(SCOPES)}.")


def _store(settings: Settings) -> KeyStore:
    from assistant.keys import KeyStore
    from assistant.store import make_engine
    from assistant.store.migrate import upgrade

    settings.data_dir.mkdir(parents=True, exist_ok=True)
    engine = make_engine(settings.sqlalchemy_url, settings.store)
    upgrade(engine)
    return KeyStore(engine)


def _row(key: ApiKey) -> dict[str, object]:
    return {"id": key.id, "name": key.name, "requests_per_minute": key.requests_per_minute,
            "tokens_per_day": key.tokens_per_day, "scopes": list(key.scopes), "created_at": key.created_at.isoformat(),
            "revoked_at": key.revoked_at.isoformat() if key.revoked_at else None,
            "last_used_at": key.last_used_at.isoformat() if key.last_used_at else None}


@app.command("create")
def create_cmd(
    name: str = typer.Option(..., "--name", "-n", help="Who the key is for (1-128 characters)."),
    requests_per_minute: int | None = typer.Option(None, "--rpm", min=1, help="Request quota per minute."),
    tokens_per_day: int | None = typer.Option(None, "--tokens-per-day", min=1, help="Token quota per UTC day."),
    scope: list[str] | None = ScopeOption,
    config: Path | None = ConfigOption,
) -> None:
    """Create a key and print it once (scopes default to chat only)."""
    settings = settings_from_cli(config)
    try:
        key, plain = _store(settings).create(
            name, requests_per_minute=requests_per_minute or settings.auth.default_requests_per_minute,
            tokens_per_day=tokens_per_day or settings.auth.default_tokens_per_day, scopes=scope or DEFAULT_SCOPES)
    except ValueError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    typer.echo(json.dumps({**_row(key), "key": plain}, ensure_ascii=False))
    typer.echo("store this key now: it cannot be shown again", err=True)


@app.command("revoke")
def revoke_cmd(key_id: str = typer.Argument(..., help="The key's id (see `list`)."),
               config: Path | None = ConfigOption) -> None:
    """Revoke a key; requests with it get 401 from now on."""
    try:
        key = _store(settings_from_cli(config)).revoke(key_id)
    except KeyNotFound as exc:
        typer.echo(f"error: {exc.message}", err=True)
        raise typer.Exit(1) from None
    typer.echo(json.dumps(_row(key), ensure_ascii=False))


@app.command("scopes")
def scopes_cmd(key_id: str = typer.Argument(..., help="The key's id (see `list`)."),
               scope: list[str] = typer.Option(..., "--scope", "-s", help=f"The key's scopes: {', '.join(SCOPES)}."),
               config: Path | None = ConfigOption) -> None:
    """Replace a key's scopes (e.g. narrow a pre-scope key to chat); the key itself stays the same."""
    try:
        key = _store(settings_from_cli(config)).set_scopes(key_id, scope)
    except ValueError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    except KeyNotFound as exc:
        typer.echo(f"error: {exc.message}", err=True)
        raise typer.Exit(1) from None
    typer.echo(json.dumps(_row(key), ensure_ascii=False))


@app.command("list")
def list_cmd(config: Path | None = ConfigOption) -> None:
    """List keys (ids, names, quotas, scopes, state), one JSON object per line; never the keys themselves."""
    for key in _store(settings_from_cli(config)).list():
        typer.echo(json.dumps(_row(key), ensure_ascii=False))
