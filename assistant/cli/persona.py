"""`assistant persona ...`: validate persona files, import Character Cards, export personas as cards.

Exit codes: 0 success, 1 invalid persona data or a refused import/export, 2 bad usage (missing directory or
file, bad settings).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Literal

import typer

from assistant.cli.common import ConfigOption, settings_from_cli
from assistant.sections.personas import PersonasSettings

app = typer.Typer(help="Persona files and Character Cards.", no_args_is_help=True)


@app.command("validate")
def validate(
    directory: Annotated[Path, typer.Argument(help="directory of persona YAML files")],
    max_file_bytes: Annotated[int, typer.Option(help="size limit per file")] = PersonasSettings().max_file_bytes,
) -> None:
    """Check every persona file in DIRECTORY; print one line per file, exit 1 if any is invalid."""
    from personas import PersonaError, load_persona_file
    from personas.loader import PERSONA_SUFFIXES

    if not directory.is_dir():
        typer.echo(f"error: not a directory: {directory}", err=True)
        raise typer.Exit(2)
    files = sorted(p for p in directory.iterdir() if p.suffix in PERSONA_SUFFIXES and not p.name.startswith("."))
    if not files:
        typer.echo(f"error: no persona files (*.yaml, *.yml) in {directory}", err=True)
        raise typer.Exit(2)
    failed = 0
    seen: dict[str, Path] = {}
    for path in files:
        try:
            persona = load_persona_file(path, root=directory, max_bytes=max_file_bytes)
        except PersonaError as exc:
            failed += 1
            typer.echo(f"INVALID {exc}")
            continue
        if persona.id in seen:
            failed += 1
            typer.echo(f"INVALID {path}: duplicate persona id '{persona.id}' (also {seen[persona.id]})")
            continue
        seen[persona.id] = path
        typer.echo(f"ok      {path}: {persona.id} '{persona.name}' {persona.speech_level} v{persona.version}")
    typer.echo(f"{len(files) - failed} valid, {failed} invalid")
    if failed:
        raise typer.Exit(1)


@app.command("schema")
def schema() -> None:
    """Print the persona file's JSON Schema (for editor validation, e.g. yaml-language-server)."""
    from personas import Persona

    document = Persona.model_json_schema()
    # In a file the id may be left out: it defaults to the file name.
    document["required"] = [name for name in document.get("required", []) if name != "id"]
    sys.stdout.write(json.dumps(document, ensure_ascii=False, indent=2) + "\n")


@app.command("import")
def import_card(
    file: Annotated[Path, typer.Argument(help="Character Card V2/V3 as JSON or PNG")],
    persona_id: Annotated[str | None, typer.Option("--id", help="persona id (default: from the name)")] = None,
    overwrite: Annotated[bool, typer.Option(help="replace an existing persona with this id")] = False,
    speech_level: Annotated[str | None, typer.Option(help="해요체, 합쇼체 or 반말 (default: guessed)")] = None,
    config: Path | None = ConfigOption,
) -> None:
    """Import a card into the writable persona directory (<data_dir>/personas)."""
    from assistant.wiring.personas import build_registry
    from personas import PersonaConflict, PersonaError

    if not file.is_file():
        typer.echo(f"error: file not found: {file}", err=True)
        raise typer.Exit(2)
    registry = build_registry(settings_from_cli(config))
    try:
        persona = registry.import_card(
            # No file-name hint: the id comes from the card alone, so the CLI and POST /v1/personas/import agree.
            file.read_bytes(), persona_id=persona_id, overwrite=overwrite, speech_level=speech_level,
        )
    except (PersonaError, PersonaConflict) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from None
    typer.echo(f"imported {persona.id} '{persona.name}' v{persona.version} -> {registry.source(persona.id)}")


@app.command("export")
def export(
    persona_id: Annotated[str, typer.Argument(help="persona id")],
    spec: Annotated[str, typer.Option(help="card spec: v2 or v3")] = "v2",
    png: Annotated[bool, typer.Option(help="write a PNG carrying the card (needs --out)")] = False,
    out: Annotated[Path | None, typer.Option(help="output file (default: JSON to stdout)")] = None,
    config: Path | None = ConfigOption,
) -> None:
    """Export a persona as a Character Card (JSON, or PNG with `chara` and `ccv3` chunks)."""
    from assistant.wiring.personas import build_registry
    from personas import PersonaNotFound, card_png, persona_to_card

    if spec not in ("v2", "v3"):
        typer.echo("error: --spec must be v2 or v3", err=True)
        raise typer.Exit(2)
    if png and out is None:
        typer.echo("error: --png needs --out FILE", err=True)
        raise typer.Exit(2)
    registry = build_registry(settings_from_cli(config))
    try:
        persona = registry.get(persona_id)
    except PersonaNotFound as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from None
    chosen: Literal["v2", "v3"] = "v3" if spec == "v3" else "v2"
    if png:
        assert out is not None
        out.write_bytes(card_png(persona))
        typer.echo(f"wrote {out}")
        return
    text = json.dumps(persona_to_card(persona, spec=chosen), ensure_ascii=False, indent=2)
    if out is None:
        sys.stdout.write(text + "\n")
    else:
        out.write_text(text + "\n", encoding="utf-8")
        typer.echo(f"wrote {out}")


@app.command("test")
def test(
    file: Annotated[Path, typer.Argument(help="a check saved by the studio (<data_dir>/studio/checks/*.yaml)")],
    config: Path | None = ConfigOption,
) -> None:
    """Run a studio regression check: each user turn through the persona, compared with what it is expected to do.

    Exit 0 when every turn behaves as recorded, 1 when one does not (each listed), 2 on a missing or invalid file."""
    import asyncio

    from assistant.errors import AssistantError
    from assistant.services import build_services
    from assistant.studio.regression import parse_check

    if not file.is_file():
        typer.echo(f"error: file not found: {file}", err=True)
        raise typer.Exit(2)
    try:
        check = parse_check(file.read_text(encoding="utf-8"), str(file))
    except AssistantError as exc:
        typer.echo(f"error: {exc.message}", err=True)
        raise typer.Exit(2) from None
    services = build_services(settings_from_cli(config))
    try:
        failed = asyncio.run(services.studio().run_check(check))
    finally:
        services.close()
    for line in failed:
        typer.echo(f"FAIL {line}")
    typer.echo(f"{len(check['turns']) - len({f.split(' ', 2)[1] for f in failed})}/{len(check['turns'])} turns as "
               f"expected ({check['persona']}{'@v' + str(check['version']) if 'version' in check else ''})")
    if failed:
        raise typer.Exit(1)
