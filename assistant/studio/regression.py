"""Regression checks: a script of user turns run through one persona, with what each turn is expected to do.

Contract: a check file is YAML, `{name, persona, version?, turns: [{user, expect: {source, answer_id?,
contains?}}]}`. `record` runs a script and writes the expectations it observed (the source, retrieve or generate,
and the stored answer's id); `evaluate` runs it again and lists every turn whose outcome differs. A generated
reply's text is only checked when the file says what it must `contain` (an LM samples). The studio saves checks
under `<data_dir>/studio/checks/`; `assistant persona test FILE` runs one from the command line.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from assistant.errors import InvalidInput

CHECK_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
MAX_TURNS = 20


def expectation(trace: dict[str, Any]) -> dict[str, Any]:
    expect: dict[str, Any] = {"source": trace.get("source")}
    hit = (trace.get("selection") or {}).get("hit")
    if trace.get("source") == "retrieve" and hit:
        expect["answer_id"] = hit["id"]
    return expect


def build_check(name: str, persona_id: str, version: int | None, messages: list[str],
                traces: list[dict[str, Any]]) -> dict[str, Any]:
    if not CHECK_NAME.match(name):
        raise InvalidInput("a check name is 1-64 lowercase letters, digits, '-' or '_'", param="name")
    check: dict[str, Any] = {"name": name, "persona": persona_id}
    if version is not None:
        check["version"] = version
    check["turns"] = [{"user": m, "expect": expectation(t)} for m, t in zip(messages, traces, strict=True)]
    return check


def parse_check(text: str, where: str) -> dict[str, Any]:
    """A check file's contents, refused with a message naming the problem."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise InvalidInput(f"{where}: invalid YAML: {exc}", param="check") from None
    turns = data.get("turns") if isinstance(data, dict) else None
    if not isinstance(data, dict) or not isinstance(data.get("persona"), str) or not isinstance(turns, list):
        raise InvalidInput(f"{where}: a check needs 'persona' (an id) and 'turns' (a list)", param="check")
    if not turns or len(turns) > MAX_TURNS or not all(isinstance(t, dict) and isinstance(t.get("user"), str)
                                                       and t["user"].strip() for t in turns):
        raise InvalidInput(f"{where}: 'turns' must hold 1-{MAX_TURNS} items, each with a non-empty 'user'",
                           param="turns")
    return data


def failures(check: dict[str, Any], traces: list[dict[str, Any]]) -> list[str]:
    """One line per turn whose outcome differs from the check's expectation."""
    found = []
    for index, (turn, trace) in enumerate(zip(check["turns"], traces, strict=True), start=1):
        expect = turn.get("expect") or {}
        got = expectation(trace)
        for key in ("source", "answer_id"):
            if key in expect and expect[key] != got.get(key):
                found.append(f"turn {index} ({turn['user']!r}): {key} {got.get(key)!r}, expected {expect[key]!r}")
        wanted = expect.get("contains")
        for text in [wanted] if isinstance(wanted, str) else wanted or []:
            if text not in (trace.get("reply") or ""):
                found.append(f"turn {index} ({turn['user']!r}): the reply does not contain {text!r}")
    return found


def checks_dir(data_dir: Path) -> Path:
    return data_dir / "studio" / "checks"


def save_check(data_dir: Path, check: dict[str, Any]) -> Path:
    folder = checks_dir(data_dir)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{check['name']}.yaml"
    temporary = folder / f".{check['name']}.yaml.tmp"
    temporary.write_text(yaml.safe_dump(check, allow_unicode=True, sort_keys=False), encoding="utf-8")
    temporary.replace(path)
    return path


def list_checks(data_dir: Path) -> list[dict[str, Any]]:
    folder = checks_dir(data_dir)
    found = []
    for path in sorted(folder.glob("*.yaml")) if folder.is_dir() else []:
        try:
            found.append({**parse_check(path.read_text(encoding="utf-8"), path.name), "file": str(path)})
        except InvalidInput:
            continue
    return found
