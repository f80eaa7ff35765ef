"""`assistant serve`: run the HTTP server (uvicorn) on the settings' embedded defaults or a config file."""

from __future__ import annotations

import os
from pathlib import Path

import typer

from assistant.cli.common import ConfigOption, settings_from_cli

APP_FACTORY = "api.app:create_app"


def serve(
    host: str | None = typer.Option(None, help="Bind address (default: server.host, 127.0.0.1)."),
    port: int | None = typer.Option(None, help="Port (default: server.port, 8000)."),
    config: Path | None = ConfigOption,
    model: str | None = typer.Option(None, help="LM hub id or local path (ASSISTANT_MODEL)."),
    backend: str | None = typer.Option(None, help="transformers | mii | openai (ASSISTANT_BACKEND)."),
) -> None:
    """Start the API server."""
    import uvicorn

    from assistant.logs import configure_logging

    # The app factory re-reads settings from the environment: the real bind address must be in them too
    # (auth defaults depend on whether the host is loopback).
    if host:
        os.environ["ASSISTANT_SERVER__HOST"] = host
    if port:
        os.environ["ASSISTANT_SERVER__PORT"] = str(port)
    settings = settings_from_cli(config, model, backend)  # validated here, so bad settings stop the start plainly
    # One handler for every line, before uvicorn writes its first: uvicorn gets no logging config of its own.
    configure_logging(settings.server.log_level, settings.server.log_format)
    # By import string: `assistant` never imports `api` (dependency direction); the factory re-reads the same
    # settings from the environment and config file set above.
    uvicorn.run(APP_FACTORY, factory=True, host=host or settings.server.host, port=port or settings.server.port,
                log_level=settings.server.log_level, log_config=None)
