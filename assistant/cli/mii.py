"""`assistant mii serve|stop|status`: manage the persistent DeepSpeed-MII deployment the `mii` backend uses.

Defaults come from the `generation` settings section (model, mii.deployment_name, mii.tensor_parallel,
mii.replica_num, mii.max_length, mii.port); options override them. Exit code 1 with a plain message when MII
cannot run here (no GPU, unsupported architecture, MII not installed).
"""

from __future__ import annotations

from pathlib import Path

import typer

from assistant.cli.common import ConfigOption, settings_from_cli

app = typer.Typer(help="DeepSpeed-MII deployment (needs the `mii` extra and CUDA GPUs).", no_args_is_help=True)


def _fail(exc: Exception) -> typer.Exit:
    typer.echo(f"error: {exc}", err=True)
    return typer.Exit(1)


@app.command("serve")
def serve_cmd(
    model: str | None = typer.Option(None, "--model", help="hub id or local path (default: generation.model)"),
    deployment_name: str | None = typer.Option(None, "--deployment-name"),
    tensor_parallel: int | None = typer.Option(None, "--tensor-parallel", min=1, help="GPUs per replica"),
    replica_num: int | None = typer.Option(None, "--replica-num", min=1, help="model replicas"),
    rest: bool = typer.Option(False, "--rest/--no-rest", help="also start MII's RESTful API"),
    rest_port: int = typer.Option(28080, "--rest-port"),
    config: Path | None = ConfigOption,
) -> None:
    """Start a deployment with `mii.serve` and return when it is up."""
    from generation.errors import GenerationError, UnsupportedModel
    from generation.mii_deploy import serve

    settings = settings_from_cli(config, model=model)
    section = settings.generation
    options = {"deployment_name": deployment_name, "tensor_parallel": tensor_parallel, "replica_num": replica_num}
    mii_section = section.mii.model_copy(update={k: v for k, v in options.items() if v})
    try:
        state = serve(section.model_copy(update={"mii": mii_section}), enable_restful_api=rest,
                      restful_api_port=rest_port)
    except (GenerationError, UnsupportedModel, ImportError) as exc:
        raise _fail(exc) from None
    typer.echo(f"serving: {state.detail}")


@app.command("status")
def status_cmd(deployment_name: str | None = typer.Option(None, "--deployment-name"),
               config: Path | None = ConfigOption) -> None:
    """Say whether the deployment answers; exit code 1 when it does not."""
    from generation.mii_deploy import status

    name = deployment_name or settings_from_cli(config).generation.mii.deployment_name
    state = status(name)
    typer.echo(("running: " if state.running else "not running: ") + state.detail)
    if not state.running:
        raise typer.Exit(1)


@app.command("stop")
def stop_cmd(deployment_name: str | None = typer.Option(None, "--deployment-name"),
             config: Path | None = ConfigOption) -> None:
    """Terminate the deployment's servers."""
    from generation.errors import GenerationError
    from generation.mii_deploy import stop

    name = deployment_name or settings_from_cli(config).generation.mii.deployment_name
    try:
        state = stop(name)
    except (GenerationError, ImportError) as exc:
        raise _fail(exc) from None
    typer.echo(state.detail)
