"""Builds the persona registry from Settings and reports its readiness.

Ready means the default persona can be served; invalid files elsewhere are reported in the detail (each
keeps serving its last valid version) without making the component unready.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import personas as personas_package
from assistant.readiness import ComponentStatus
from assistant.settings import Settings
from personas import PersonaRegistry

BUNDLED_LIBRARY = Path(personas_package.__file__).resolve().parent / "library"


def build_registry(settings: Settings, kiwi: Any = None) -> PersonaRegistry:
    """`kiwi`: the process's shared Kiwi, for card imports' speech-level guess (None: personas builds one)."""
    section = settings.personas
    directories = [section.library_dir or BUNDLED_LIBRARY, *section.extra_dirs]
    return PersonaRegistry(
        directories,
        settings.data_dir / "personas" if section.writable else None,
        section,
        lock_timeout_s=settings.limits.lock_timeout_s,
        kiwi=kiwi,
    )


def personas_status(registry: PersonaRegistry) -> ComponentStatus:
    loaded = registry.list()
    errors = registry.errors()
    ready = any(p.id == registry.default_id for p in loaded)
    detail = f"{len(loaded)} personas loaded (default '{registry.default_id}'"
    detail += ")" if ready else " is missing)"
    if errors:
        detail += "; invalid files (last valid version kept): " + "; ".join(errors.values())
    return ComponentStatus("personas", ready, detail)


def build_personas(settings: Settings, kiwi: Any = None) -> tuple[PersonaRegistry, ComponentStatus]:
    registry = build_registry(settings, kiwi)
    return registry, personas_status(registry)

