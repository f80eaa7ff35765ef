"""`assistant skill NAME --input FILE.jsonl`: run one skill over a JSON-lines file, one JSON line out per line in.

Each input line is a JSON object with an `id` and the skill's payload (`{"id", "query"}` for
rewrite-null-query, `{"id", "reviews": [...]}` for summarize-reviews). Each output line is `{"id", ...output}`
(plus `"trace"` with `--trace`); a line that fails is written as `{"id", "error": {"message", "param"}}` and
the command exits 1 after finishing the file. Runs offline: no LM is loaded here, so skills use their
fallbacks; search backends are the HTTP ones in `settings.skills.http_search`.
"""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

if TYPE_CHECKING:  # generation.skills loads LangChain: only the command imports it, not `--help`
    from generation.skills import SkillRegistry
    from generation.skills.settings import SkillsSettings

app = typer.Typer(
    help="Run a skill over a JSON-lines file.",
    pretty_exceptions_enable=False,
    # NAME then options: the group has no sub-commands, so options may follow the positional argument
    context_settings={"allow_interspersed_args": True},
)


def _settings(config: Path | None) -> SkillsSettings:
    from assistant.settings import load_settings
    from generation.skills.settings import SkillsSettings

    skills = getattr(load_settings(config), "skills", None)
    return skills if isinstance(skills, SkillsSettings) else SkillsSettings()


async def run_lines(registry: SkillRegistry, name: str, lines: list[str], *, trace: bool,
                    speech_level: str | None) -> tuple[list[dict[str, Any]], int]:
    from generation.skills import SkillBackendError, SkillInputError

    out, failures = [], 0
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        record_id: Any = None
        try:
            record = json.loads(line)
            if not isinstance(record, dict):
                raise SkillInputError(f"line {number}: expected a JSON object", param="line")
            record_id = record.pop("id", number)
            result = await registry.run(name, record, speech_level=speech_level)
            row = {"id": record_id, **result.output}
            if trace:
                row["trace"] = result.trace
        except json.JSONDecodeError as exc:
            failures += 1
            row = {"id": None, "error": {"message": f"line {number}: invalid JSON: {exc.msg}", "param": "line"}}
        except (SkillInputError, SkillBackendError) as exc:
            failures += 1
            row = {"id": record_id, "error": {"message": str(exc), "param": getattr(exc, "param", None)}}
        out.append(row)
    return out, failures


@app.callback(invoke_without_command=True)
def skill(
    name: Annotated[str, typer.Argument(help="skill name, e.g. rewrite-null-query, summarize-reviews")],
    input: Annotated[Path, typer.Option("--input", "-i", exists=True, dir_okay=False, help="JSON-lines file")],
    output: Annotated[Path | None, typer.Option("--output", "-o", help="write here instead of stdout")] = None,
    speech_level: Annotated[str | None, typer.Option(help="합쇼체, 해요체 or 반말")] = None,
    trace: Annotated[bool, typer.Option(help="add each result's trace")] = False,
    config: Annotated[Path | None, typer.Option(help="YAML settings file")] = None,
) -> None:
    from generation.skills import SkillNotFound, default_registry

    registry = default_registry(None, settings=_settings(config))
    try:
        registry.get(name)
    except SkillNotFound as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from exc
    lines = input.read_text(encoding="utf-8").splitlines()
    rows, failures = asyncio.run(run_lines(registry, name, lines, trace=trace, speech_level=speech_level))
    text = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)
    if output is None:
        sys.stdout.write(text)
    else:
        output.write_text(text, encoding="utf-8")
    if failures:
        typer.echo(f"{failures} of {len(rows)} lines failed", err=True)
        raise typer.Exit(1)
