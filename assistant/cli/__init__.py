"""The `assistant` command line: serve, chat, and one sub-command module per capability."""

from __future__ import annotations

import typer

from assistant.cli import chat, db, serve

app = typer.Typer(help="Korean-first conversational assistant backend.", no_args_is_help=True,
                  pretty_exceptions_enable=False)
app.command("serve")(serve.serve)
app.command("chat")(chat.chat)
app.add_typer(db.app, name="db")


def main() -> None:
    app()
