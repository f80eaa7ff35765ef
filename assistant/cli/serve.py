"""`assistant serve`: run the HTTP server (uvicorn) on the settings' embedded defaults or a config file.

Graceful shutdown (README, "Shutdown"): on SIGTERM or SIGINT the server stops accepting connections, closes idle
ones, and drains the turns in flight (`assistant.shutdown.drain_all`: new turns refused, running ones given
`server.shutdown_grace_s`, then cancelled and stored as failed); only then does uvicorn wait for the remaining
connections, at most `CLOSE_WAIT_S` more, and shut the application down. The process exits within grace + 5 s.
"""

from __future__ import annotations

import logging
import os
import socket
from pathlib import Path
from typing import Any

import typer

from assistant.cli.common import ConfigOption, settings_from_cli

APP_FACTORY = "api.app:create_app"
CLOSE_WAIT_S = 1  # whole s (uvicorn); after the drain: streams sending their last event, requests that are not turns


def draining_server(config: Any, grace_s: float) -> Any:
    """A uvicorn server whose shutdown drains the turns in flight before it waits for connections to close."""
    import uvicorn

    from assistant.shutdown import drain_all

    class DrainingServer(uvicorn.Server):
        async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
            for server in self.servers:  # stop accepting (uvicorn does it again, harmlessly)
                server.close()
            for sock in sockets or []:
                sock.close()
            for connection in list(self.server_state.connections):
                connection.shutdown()  # idle keep-alive connections close; busy ones close after their response
            cancelled = await drain_all(grace_s)
            logging.getLogger(__name__).info("shutdown: turns drained (%d cancelled)", cancelled)
            await super().shutdown(sockets)

    return DrainingServer(config)


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

    # The app factory re-reads settings from this process's environment: the options must be in it too (auth
    # defaults depend on whether the bind address is loopback).
    for name, value in (("ASSISTANT_SERVER__HOST", host), ("ASSISTANT_SERVER__PORT", port),
                        ("ASSISTANT_MODEL", model), ("ASSISTANT_BACKEND", backend)):
        if value:
            os.environ[name] = str(value)
    settings = settings_from_cli(config, model, backend)  # validated here, so bad settings stop the start plainly
    # One handler for every line, before uvicorn writes its first: uvicorn gets no logging config of its own.
    configure_logging(settings.server.log_level, settings.server.log_format)
    # By import string: `assistant` never imports `api` (dependency direction); the factory re-reads the same
    # settings from the environment and config file set above.
    server_config = uvicorn.Config(APP_FACTORY, factory=True, host=host or settings.server.host,
                                   port=port or settings.server.port, log_level=settings.server.log_level,
                                   timeout_graceful_shutdown=CLOSE_WAIT_S, log_config=None)
    draining_server(server_config, settings.server.shutdown_grace_s).run()
