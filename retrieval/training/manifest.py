"""`manifest.json` of a trained model directory: what it was made from and how well it did.

Contract: `write(directory, fields)` adds library versions and a UTC timestamp to `fields` and writes
them as JSON; `read(directory)` returns them or raises `FileNotFoundError` with the path.
"""

from __future__ import annotations

import json
import platform
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

NAME = "manifest.json"
_PACKAGES = ("torch", "transformers", "sentence-transformers", "tokenizers", "kiwipiepy", "bm25s")


def versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
    for name in _PACKAGES:
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            out[name] = "absent"
    return out


def write(directory: Path, fields: dict[str, Any]) -> Path:
    data = {**fields, "versions": versions(), "created": datetime.now(UTC).isoformat(timespec="seconds")}
    path = Path(directory) / NAME
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return path


def read(directory: Path) -> dict[str, Any]:
    path = Path(directory) / NAME
    if not path.is_file():
        raise FileNotFoundError(f"no {NAME} in {directory}: not a trained model directory")
    return json.loads(path.read_text(encoding="utf-8"))
