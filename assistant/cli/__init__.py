"""The `assistant` command line: serve, chat, and one sub-command module per capability."""

from __future__ import annotations

import typer

from assistant.cli import (
    chat,
    db,
    dst,
    encoder,
    index,
    keys,
    mii,
    persona,
    rewrite,
    select,
    serve,
    skill,
    skill_train,
    verifier,
)

app = typer.Typer(help="Korean-first conversational assistant backend.", no_args_is_help=True,
                  pretty_exceptions_enable=False)
app.command("serve")(serve.serve)
app.command("chat")(chat.chat)
app.add_typer(db.app, name="db")
app.add_typer(index.app, name="index")
app.command("select")(select.select)  # plain commands: their usage shows no COMMAND [ARGS]...
app.command("rewrite")(rewrite.rewrite)
app.add_typer(persona.app, name="persona")
app.command("skill")(skill.skill)
app.add_typer(skill_train.app, name="skill-train")
app.add_typer(keys.app, name="keys")
app.add_typer(mii.app, name="mii")
app.add_typer(encoder.app, name="encoder")
app.add_typer(verifier.app, name="verifier")
app.add_typer(dst.app, name="dst")


def main() -> None:
    app()
