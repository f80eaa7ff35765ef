"""`assistant chat`: talk to a persona in the terminal, with the rewrite and the selector's decision shown."""

from __future__ import annotations

import asyncio
import logging
import sys
import uuid
from pathlib import Path

import typer

from assistant.cli.common import ConfigOption, settings_from_cli
from assistant.errors import AssistantError

HELP = "commands: /new (new conversation), /persona ID (switch persona), /quit"


def chat(
    persona: str | None = typer.Option(None, help="Persona id (default: the configured default persona)."),
    conversation: str | None = typer.Option(None, help="Continue this conversation id."),
    config: Path | None = ConfigOption,
    trace: bool = typer.Option(True, help="Show the rewrite and the selector's decision."),
) -> None:
    """Interactive chat in the terminal."""
    # Over 60 lines with its nested turn printer: the REPL's commands and the trace display share the services,
    # the conversation id and the persona; a closure keeps them together.
    from assistant.pipeline import TurnRequest
    from assistant.services import build_services

    logging.basicConfig(level=logging.WARNING)
    services = build_services(settings_from_cli(config))
    conversation_id = conversation or uuid.uuid4().hex
    typer.echo(f"conversation {conversation_id}; {HELP}")

    async def turn(message: str, persona_id: str | None) -> None:
        result = await services.pipeline.run(TurnRequest(message, conversation_id, persona_id))
        if trace:
            selection = result.selection
            typer.secho(f"  rewrite: {result.rewrite.get('standalone')}", fg="cyan")
            typer.secho(
                f"  decision: {selection.get('decision')} (score {selection.get('score', 0):.2f}) "
                f"{selection.get('reason', '')}",
                fg="cyan",
            )
        typer.secho(f"{result.persona}> {result.reply}", fg="green")

    def read() -> str | None:
        if sys.stdin.isatty():
            try:
                return input("you> ")
            except EOFError:
                return None
        line = sys.stdin.readline()
        return line if line else None

    async def loop() -> None:
        nonlocal conversation_id, persona
        # One event loop for the whole session: the LM backend's batcher lives on it.
        while (line := await asyncio.to_thread(read)) is not None:
            message = line.strip()
            if not message:
                continue
            if message == "/quit":
                return
            if message == "/new":
                conversation_id = uuid.uuid4().hex
                typer.echo(f"conversation {conversation_id}")
                continue
            if message.startswith("/persona"):
                persona = message.removeprefix("/persona").strip() or None
                typer.echo(f"persona: {persona or 'default'}")
                continue
            try:
                await turn(message, persona)
            except AssistantError as exc:
                typer.secho(f"  ({exc.error_type}) {exc.message}", fg="red")

    try:
        asyncio.run(loop())
    except KeyboardInterrupt:
        pass
    finally:
        services.close()
