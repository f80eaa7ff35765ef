"""PersonaRegistry: the personas currently on disk, reloaded when their files change.

Contract:
- Persona files are `<id>.yaml` / `<id>.yml` directly inside the configured directories (hidden
  files ignored). Later directories override earlier ones; the writable directory (API PUT /
  card import) overrides all.
- Reads (`get`, `list`, `errors`) re-stat the directories at most once per `reload_interval_s`;
  a changed file is re-parsed, so an edit takes effect on the next turn without a restart. A
  file that becomes invalid keeps serving its last valid version and its error shows in
  `errors()`; a broken file never hides other personas.
- Writes go to the writable directory only, atomically (temp file + rename) and under a file lock
  shared by every process using the directory. Each write bumps
  `version` and archives the previous file under `.history/<id>/v<version>.yaml` (the newest
  `keep_versions` are kept).
"""

from __future__ import annotations

import builtins
import os
import shutil
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from filelock import FileLock, Timeout

from personas.cards import card_to_persona, read_card
from personas.config import PersonasConfig
from personas.errors import PersonaConflict, PersonaError, PersonaNotFound, PersonaTooLarge
from personas.loader import PERSONA_SUFFIXES, dump_persona_yaml, load_persona_file, validate_document
from personas.schema import Persona

HISTORY_DIR = ".history"
LOCK_FILE = ".lock"


@dataclass
class _FileState:
    layer: int
    stamp: tuple[int, int, int]
    persona: Persona | None
    error: str | None


class PersonaRegistry:
    def __init__(
        self,
        directories: list[Path],
        writable_dir: Path | None,
        config: PersonasConfig | None = None,
        *,
        lock_timeout_s: float = 10.0,
        clock: Callable[[], float] = time.monotonic,
        kiwi: Any = None,
    ) -> None:
        """`directories` and `writable_dir` are resolved from the config by the caller; `config` (None: the
        defaults) gives the default id, size limits, reload interval, symlink policy and kept versions.
        `lock_timeout_s` bounds the wait for the writable directory's file lock."""
        config = config if config is not None else PersonasConfig()
        self.config = config
        self._directories = [Path(d) for d in directories]
        self._writable = Path(writable_dir) if writable_dir is not None else None
        self._default_id = config.default
        self.max_file_bytes = config.max_file_bytes
        self.max_card_bytes = config.max_card_bytes
        self._interval = config.reload_interval_s
        self._allow_outside = config.allow_outside_dir
        self._keep_versions = config.keep_versions
        self._lock_timeout_s = lock_timeout_s
        self._clock = clock
        self._kiwi = kiwi  # Kiwi for guessing imported cards' speech level; None: korean's shared one
        self._lock = threading.RLock()
        self._files: dict[Path, _FileState] = {}
        self._dir_errors: dict[str, str] = {}
        self._by_id: dict[str, tuple[Persona, Path]] = {}
        self._duplicates: dict[str, str] = {}
        self._last_scan = float("-inf")
        self.reload(force=True)

    @property
    def default_id(self) -> str:
        return self._default_id

    @property
    def writable_dir(self) -> Path | None:
        return self._writable

    def get(self, persona_id: str) -> Persona:
        self.reload()
        with self._lock:
            found = self._by_id.get(persona_id)
        if found is None:
            raise PersonaNotFound(persona_id)
        return found[0]

    def list(self) -> list[Persona]:
        self.reload()
        with self._lock:
            return [self._by_id[key][0] for key in sorted(self._by_id)]

    def errors(self) -> dict[str, str]:
        """Problems found on disk: file (or directory) -> message naming file, line and field."""
        self.reload()
        with self._lock:
            found = dict(self._dir_errors)
            found.update({str(path): state.error for path, state in self._files.items() if state.error})
            found.update(self._duplicates)
            return found

    def is_writable(self, persona_id: str) -> bool:
        """True when the persona currently served comes from the writable directory."""
        self.reload()
        with self._lock:
            found = self._by_id.get(persona_id)
        return found is not None and self._writable is not None and found[1].parent == self._writable

    def source(self, persona_id: str) -> Path:
        self.reload()
        with self._lock:
            found = self._by_id.get(persona_id)
        if found is None:
            raise PersonaNotFound(persona_id)
        return found[1]

    def reload(self, *, force: bool = False) -> None:
        now = self._clock()
        with self._lock:
            if not force and now - self._last_scan < self._interval:
                return
            self._last_scan = now
            self._scan()

    def _layers(self) -> builtins.list[Path]:
        return [*self._directories, *([self._writable] if self._writable is not None else [])]

    def _scan(self) -> None:
        seen: set[Path] = set()
        self._dir_errors = {}
        for layer, directory in enumerate(self._layers()):
            if not directory.is_dir():
                if directory != self._writable:
                    self._dir_errors[str(directory)] = f"{directory}: persona directory not found"
                continue
            for path in sorted(directory.iterdir()):
                if path.name.startswith(".") or path.suffix not in PERSONA_SUFFIXES:
                    continue
                seen.add(path)
                self._refresh(path, layer, directory)
        for path in [p for p in self._files if p not in seen]:
            del self._files[path]
        self._index()

    def _refresh(self, path: Path, layer: int, directory: Path) -> None:
        try:
            info = path.stat()
        except OSError as exc:
            self._files[path] = _FileState(layer, (0, 0, 0), None, f"{path}: cannot read: {exc.strerror}")
            return
        # The inode changes on every atomic replace, so a rewrite within one mtime tick is still seen.
        stamp = (info.st_mtime_ns, info.st_size, info.st_ino)
        state = self._files.get(path)
        if state is not None and state.stamp == stamp and state.layer == layer:
            return
        previous = state.persona if state is not None else None
        try:
            persona = load_persona_file(
                path, root=directory, max_bytes=self.max_file_bytes, allow_outside=self._allow_outside
            )
        except PersonaError as exc:
            self._files[path] = _FileState(layer, stamp, previous, str(exc))
        except OSError as exc:
            self._files[path] = _FileState(layer, stamp, previous, f"{path}: cannot read: {exc.strerror}")
        else:
            self._files[path] = _FileState(layer, stamp, persona, None)

    def _index(self) -> None:
        by_id: dict[str, tuple[Persona, Path]] = {}
        layer_of: dict[str, int] = {}
        self._duplicates = {}
        for path, state in sorted(self._files.items(), key=lambda item: (item[1].layer, str(item[0]))):
            if state.persona is None:
                continue
            key = state.persona.id
            if layer_of.get(key) == state.layer:
                self._duplicates[str(path)] = f"{path}: duplicate persona id '{key}' (also {by_id[key][1]})"
                continue
            by_id[key], layer_of[key] = (state.persona, path), state.layer
        self._by_id = by_id

    # -- writes (writable directory only) --------------------------------------------------------------

    @contextmanager
    def _writer(self, writable: Path) -> Iterator[None]:
        """Exclusive write access across processes (several API workers may share the data dir)."""
        writable.mkdir(parents=True, exist_ok=True)
        try:
            with FileLock(writable / LOCK_FILE, timeout=self._lock_timeout_s):
                yield
        except Timeout:
            raise PersonaConflict(
                f"another writer has held the persona lock for {self._lock_timeout_s:g} s; retry"
            ) from None

    def _require_writable(self) -> Path:
        if self._writable is None:
            raise PersonaConflict("this persona registry is read-only (no writable directory configured)")
        return self._writable

    def put(
        self, persona_id: str, document: Mapping[str, Any], *, expected_version: int | None = None
    ) -> Persona:
        """Validate and store `document` as persona `persona_id` at version current + 1."""
        writable = self._require_writable()
        data = dict(document)
        if data.get("id", persona_id) != persona_id:
            raise PersonaError(f"body id '{data['id']}' differs from the URL id '{persona_id}'", field="id")
        data["id"] = persona_id
        with self._lock, self._writer(writable):
            self.reload(force=True)
            current = self._by_id.get(persona_id)
            current_version = current[0].version if current else 0
            if expected_version is not None and expected_version != current_version:
                raise PersonaConflict(
                    f"persona '{persona_id}' is at version {current_version}, not {expected_version}"
                )
            data["version"] = current_version + 1
            persona = validate_document(data, file=f"{persona_id}.yaml", file_id=persona_id)
            text = dump_persona_yaml(persona).encode("utf-8")
            if len(text) > self.max_file_bytes:
                raise PersonaTooLarge(
                    f"persona is {len(text)} bytes as YAML, the limit is {self.max_file_bytes}",
                    file=f"{persona_id}.yaml",
                )
            target = writable / f"{persona_id}.yaml"
            self._archive(target, persona_id)
            temporary = writable / f".{persona_id}.yaml.tmp"
            temporary.write_bytes(text)
            os.replace(temporary, target)
            # A leftover <id>.yml would be a duplicate id in the same directory.
            (writable / f"{persona_id}.yml").unlink(missing_ok=True)
            self._scan()
        return persona

    def delete(self, persona_id: str) -> None:
        writable = self._require_writable()
        with self._lock, self._writer(writable):
            self.reload(force=True)
            found = self._by_id.get(persona_id)
            if found is None:
                raise PersonaNotFound(persona_id)
            if found[1].parent != writable:
                raise PersonaConflict(
                    f"persona '{persona_id}' is bundled and read-only; override it with PUT instead"
                )
            shadowed = [p for p, s in self._files.items() if p.parent != writable and s.persona is not None
                        and s.persona.id == persona_id]
            if persona_id == self._default_id and not shadowed:
                raise PersonaConflict(f"persona '{persona_id}' is the default persona and cannot be deleted")
            self._archive(found[1], persona_id)
            found[1].unlink()
            self._scan()

    def _archive(self, path: Path, persona_id: str) -> None:
        state = self._files.get(path)
        if not path.exists() or state is None or state.persona is None:
            return
        folder = path.parent / HISTORY_DIR / persona_id
        folder.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, folder / f"v{state.persona.version}.yaml")
        archived = sorted(
            folder.glob("v*.yaml"), key=lambda p: int(p.stem[1:]) if p.stem[1:].isdigit() else 0
        )
        for old in archived[: max(0, len(archived) - self._keep_versions)]:
            old.unlink()

    def versions(self, persona_id: str) -> builtins.list[int]:
        """Stored versions of a writable persona, oldest first (the current one last)."""
        current = self.get(persona_id)
        folder = self._writable / HISTORY_DIR / persona_id if self._writable else None
        archived = sorted(
            int(p.stem[1:]) for p in (folder.glob("v*.yaml") if folder and folder.is_dir() else [])
            if p.stem[1:].isdigit()
        )
        return sorted({*archived, current.version})

    def get_version(self, persona_id: str, version: int) -> Persona:
        """A stored version of a persona: the current one, or one archived by a write (for rollback)."""
        current = self.get(persona_id)
        if version == current.version:
            return current
        if self._writable is not None:
            folder = self._writable / HISTORY_DIR / persona_id
            path = folder / f"v{version}.yaml"
            if path.is_file():
                return load_persona_file(path, root=folder, max_bytes=self.max_file_bytes, expected_id=persona_id)
        raise PersonaNotFound(f"{persona_id}@v{version}")

    def import_card(
        self,
        data: bytes,
        *,
        persona_id: str | None = None,
        overwrite: bool = False,
        speech_level: str | None = None,
        response_set: str | None = None,
        id_hint: str | None = None,
    ) -> Persona:
        """Import a Character Card (JSON or PNG bytes) into the writable directory."""
        self._require_writable()
        card = read_card(data, max_bytes=self.max_card_bytes)
        persona = card_to_persona(
            card, persona_id=persona_id, speech_level=speech_level, response_set=response_set, id_hint=id_hint,
            kiwi=self._kiwi,
        )
        with self._lock:
            self.reload(force=True)
            if persona.id in self._by_id and not overwrite:
                raise PersonaConflict(f"persona '{persona.id}' already exists; pass overwrite to replace it")
            return self.put(persona.id, persona.document())
