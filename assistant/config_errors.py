"""Settings errors as one line naming the place: `FILE:LINE:COLUMN: setting: problem`.

Contract: `yaml_syntax_error(path, exc)` words a YAML syntax error at its mark; `settings_error_line(errors, path)`
words pydantic's validation errors of the settings, each located in the YAML file (`path`) where the value came
from when it is there (the key's line and column), else named by its setting path alone (it came from the
environment or a default). Lines and columns count from 1, as editors do.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml


def yaml_syntax_error(path: Path, exc: yaml.YAMLError) -> str:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    where = f"{path}:{mark.line + 1}:{mark.column + 1}" if mark is not None else str(path)
    return f"{where}: invalid YAML: {problem}"


def _locate(node: Any, loc: tuple[Any, ...]) -> tuple[int, int] | None:
    """The (line, column) of the value at `loc` in a composed YAML node, or of the deepest key found."""
    found = None
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            match = next(((k, v) for k, v in node.value if k.value == str(part)), None)
            if match is None:
                return found
            found, node = (match[0].start_mark.line + 1, match[0].start_mark.column + 1), match[1]
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            node = node.value[part]
            found = (node.start_mark.line + 1, node.start_mark.column + 1)
        else:
            return found
    return found


def settings_error_line(errors: Sequence[Mapping[str, Any]], path: Path | None) -> str:
    root = None
    if path is not None:
        try:
            root = yaml.compose(path.read_text(encoding="utf-8"))
        except (OSError, yaml.YAMLError):
            root = None
    parts = []
    for err in errors:
        loc = tuple(err["loc"])
        name = ".".join(str(p) for p in loc) or "(root)"
        place = _locate(root, loc) if root is not None else None
        prefix = f"{path}:{place[0]}:{place[1]}: " if place is not None else ""
        parts.append(f"{prefix}{name}: {err['msg']} (got {err.get('input')!r})")
    return "invalid settings: " + "; ".join(parts)
