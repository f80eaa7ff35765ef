"""Index directories on disk: atomic writes and a manifest that is verified before any use.

Contract: `write_index_dir` fills a temporary sibling directory, writes `manifest.json` (format,
kind, analyser version, encoder, counts, data checksum, sha256 of every file) and swaps it in with a
rename, so readers never see half an index. `read_manifest` refuses (raises `IndexUnusable` with a
message saying what to do) a directory that is missing, lacks a manifest, has a file whose checksum
differs, or was built for another analyser, encoder or data. An index is never silently used.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from retrieval.errors import IndexUnusable

FORMAT_VERSION = 1
MANIFEST = "manifest.json"


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def write_index_dir(directory: Path, manifest: dict[str, Any],
                    writer: Callable[[Path], None]) -> dict[str, Any]:
    """Run `writer(tmp_dir)`, add file checksums to `manifest`, and atomically replace `directory`."""
    directory = directory.resolve()
    directory.parent.mkdir(parents=True, exist_ok=True)
    tmp = directory.with_name(f".{directory.name}.tmp-{uuid.uuid4().hex[:8]}")
    tmp.mkdir()
    try:
        writer(tmp)
        files = {str(p.relative_to(tmp)): sha256_file(p) for p in sorted(tmp.rglob("*")) if p.is_file()}
        full = {"format": FORMAT_VERSION, **manifest, "files": files, "created_at": time.time()}
        (tmp / MANIFEST).write_text(json.dumps(full, ensure_ascii=False, indent=2), encoding="utf-8")
        old = directory.with_name(f".{directory.name}.old-{uuid.uuid4().hex[:8]}")
        if directory.exists():
            directory.rename(old)
        tmp.rename(directory)
        shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return full


def read_manifest(directory: Path, *, kind: str, expect: dict[str, Any]) -> dict[str, Any]:
    """Verify `directory` and return its manifest; `expect` maps manifest keys to required values."""
    hint = f"rebuild it with `assistant index build` (directory {directory})"
    if not directory.is_dir():
        raise IndexUnusable(f"index is missing: {hint}", reason="missing")
    path = directory / MANIFEST
    if not path.is_file():
        raise IndexUnusable(f"index has no {MANIFEST} (interrupted build or not an index); {hint}")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise IndexUnusable(f"index manifest is unreadable ({exc}); {hint}") from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT_VERSION:
        raise IndexUnusable(f"index manifest has format {manifest.get('format')!r}, "
                            f"expected {FORMAT_VERSION}; {hint}")
    if manifest.get("kind") != kind:
        raise IndexUnusable(f"index holds {manifest.get('kind')!r}, expected {kind!r}; {hint}")
    for key, wanted in expect.items():
        if manifest.get(key) != wanted:
            reason = "stale" if key == "data_checksum" else "mismatch"
            raise IndexUnusable(f"index was built with {key}={manifest.get(key)!r} but this server uses "
                                f"{key}={wanted!r}; {hint}", reason=reason)
    files = manifest.get("files")
    if not isinstance(files, dict) or not files:
        raise IndexUnusable(f"index manifest lists no files; {hint}")
    for rel, checksum in files.items():
        file = directory / rel
        if not file.is_file():
            raise IndexUnusable(f"index file {rel} is missing; {hint}")
        if sha256_file(file) != checksum:
            raise IndexUnusable(f"index file {rel} does not match its manifest checksum (corrupt); {hint}")
    return manifest
