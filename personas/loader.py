"""Reading and writing persona files (YAML), with errors that point at the file, line and field.

Contract: `load_persona_file` either returns a valid `Persona` or raises `PersonaError` whose message
names the file, the 1-based line of the offending YAML node and the dotted field path. Size and location
are checked before the file is parsed: a file larger than `max_bytes`, or one whose real path (after
following symlinks) is outside the persona directory, is refused.
The file name is the persona id (`assistant.yaml` -> `assistant`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from korean.speech import SPEECH_LEVELS
from personas.errors import PersonaError, PersonaTooLarge
from personas.schema import Persona

PERSONA_SUFFIXES = (".yaml", ".yml")


def check_inside(path: Path, root: Path) -> None:
    """Refuse a path whose real location is outside `root` (symlinks or `..` escaping the directory)."""
    if not path.resolve().is_relative_to(root.resolve()):
        raise PersonaError(f"path resolves outside the persona directory {root}", file=str(path))


def load_persona_file(
    path: Path, *, root: Path | None, max_bytes: int, allow_outside: bool = False, expected_id: str | None = None
) -> Persona:
    """Load one persona file; its id must be `expected_id` (default: the file name's stem)."""
    if root is not None and not allow_outside:
        check_inside(path, root)
    size = path.stat().st_size
    if size > max_bytes:
        raise PersonaTooLarge(f"file is {size} bytes, the limit is {max_bytes}", file=str(path))
    raw = path.read_bytes()
    if len(raw) > max_bytes:  # the file may have grown between stat and read
        raise PersonaTooLarge(f"file is {len(raw)} bytes, the limit is {max_bytes}", file=str(path))
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise PersonaError(f"not UTF-8 text (byte {exc.start})", file=str(path)) from None
    return parse_persona_text(text, file=str(path), file_id=expected_id or path.stem)


def parse_persona_text(text: str, *, file: str, file_id: str | None) -> Persona:
    """Parse YAML text into a Persona; `file_id` (the file name's stem) supplies or checks the id."""
    node, data = _compose(text, file)
    if not isinstance(data, dict):
        raise PersonaError("the file must hold a mapping of persona fields", file=file, line=1)
    return validate_document(data, file=file, file_id=file_id, node=node)


def validate_document(
    data: Mapping[str, Any], *, file: str, file_id: str | None, node: yaml.Node | None = None
) -> Persona:
    """Validate a persona mapping (from YAML or an API body); errors carry YAML lines when `node` is given."""
    document = dict(data)
    if file_id is not None:
        given = document.setdefault("id", file_id)
        if given != file_id:
            line = _line_of(node, ("id",)) if node is not None else None
            raise PersonaError(
                f"id '{given}' does not match the file name; it must be '{file_id}'",
                file=file, line=line, field="id",
            )
    try:
        return Persona.model_validate(document)
    except ValidationError as exc:
        raise _to_persona_error(exc, file, node) from None


class _Dumper(yaml.SafeDumper):
    """Writes multi-line text as literal blocks, so stored personas stay readable and editable by hand."""


def _represent_text(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|" if "\n" in value else None)


_Dumper.add_representer(str, _represent_text)


def dump_persona_yaml(persona: Persona) -> str:
    # No folding: a hard-wrapped sentence is harder to edit than a long line.
    return yaml.dump(persona.document(), Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=1_000_000)


def _compose(text: str, file: str) -> tuple[yaml.Node | None, Any]:
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        if node is not None:
            _check_duplicate_keys(node, (), file)
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = " ".join(p for p in (exc.context, exc.problem) if p)
        raise PersonaError(
            f"invalid YAML: {problem}", file=file, line=mark.line + 1 if mark else None
        ) from None
    except yaml.YAMLError as exc:
        raise PersonaError(f"invalid YAML: {exc}", file=file) from None
    finally:
        loader.dispose()
    return node, data


def _check_duplicate_keys(node: yaml.Node, path: tuple[str | int, ...], file: str) -> None:
    # PyYAML keeps the last duplicate silently; in a hand-edited file that hides a mistake.
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key, value in node.value:
            name = str(key.value)
            if name in seen:
                raise PersonaError(
                    "duplicate key", file=file, line=key.start_mark.line + 1, field=_dotted((*path, name))
                )
            seen.add(name)
            _check_duplicate_keys(value, (*path, name), file)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _check_duplicate_keys(item, (*path, index), file)


def _line_of(node: yaml.Node | None, loc: Sequence[str | int]) -> int | None:
    """1-based line of the deepest YAML node on `loc` (the parent mapping's line when a key is missing)."""
    if node is None:
        return None
    line = node.start_mark.line + 1
    for step in loc:
        if isinstance(node, yaml.MappingNode) and isinstance(step, str):
            match = next(((k, v) for k, v in node.value if str(k.value) == step), None)
            if match is None:
                break
            line, node = match[0].start_mark.line + 1, match[1]
        elif isinstance(node, yaml.SequenceNode) and isinstance(step, int) and step < len(node.value):
            node = node.value[step]
            line = node.start_mark.line + 1
        else:
            break
    return line


def _dotted(loc: Sequence[str | int]) -> str:
    text = ""
    for step in loc:
        text += f"[{step}]" if isinstance(step, int) else (f".{step}" if text else step)
    return text


def _explain(error: Mapping[str, Any]) -> str:
    kind, loc = error["type"], error["loc"]
    if kind == "missing":
        return "required field is missing"
    if kind == "extra_forbidden":
        return "unknown field (check the spelling; see docs/personas.md)"
    if loc and loc[-1] == "speech_level":
        return f"unknown speech level {error['input']!r}; use one of {', '.join(SPEECH_LEVELS)}"
    message = str(error["msg"]).removeprefix("Value error, ")
    shown = repr(error.get("input"))
    return f"{message} (got {shown[:80] + '...' if len(shown) > 80 else shown})"


def _to_persona_error(exc: ValidationError, file: str, node: yaml.Node | None) -> PersonaError:
    errors = exc.errors()
    first = errors[0]
    problem = _explain(first)
    if len(errors) > 1:
        others = [
            f"line {_line_of(node, e['loc'])} field '{_dotted(e['loc'])}': {_explain(e)}"
            if node is not None else f"field '{_dotted(e['loc'])}': {_explain(e)}"
            for e in errors[1:4]
        ]
        problem += f" (also {len(errors) - 1} more: " + "; ".join(others) + ")"
    return PersonaError(problem, file=file, line=_line_of(node, first["loc"]), field=_dotted(first["loc"]))
