"""`assistant db upgrade|current`: apply or show the conversation store's Alembic migrations."""

from __future__ import annotations

from pathlib import Path

import typer

from assistant.cli.common import ConfigOption, settings_from_cli

app = typer.Typer(help="Conversation store migrations.", no_args_is_help=True)


@app.command("upgrade")
def upgrade_cmd(config: Path | None = ConfigOption) -> None:
    """Apply all migrations (the server also does this at start)."""
    from assistant.store import make_engine
    from assistant.store.migrate import current_revision, upgrade

    settings = settings_from_cli(config)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    engine = make_engine(settings.sqlalchemy_url, settings.store)
    upgrade(engine)
    typer.echo(f"at revision {current_revision(engine)}")


@app.command("current")
def current_cmd(config: Path | None = ConfigOption) -> None:
    """Show the applied revision."""
    from assistant.store import make_engine
    from assistant.store.migrate import current_revision

    settings = settings_from_cli(config)
    engine = make_engine(settings.sqlalchemy_url, settings.store)
    typer.echo(current_revision(engine) or "(empty database)")
