"""Lazy package exports for the leaves (PEP 562), so that importing a leaf's config does not load Kiwi, faiss or
scikit-learn.

`lazy_exports(package, {name: module})` returns the package's module-level `__getattr__`: the first access of
`package.Name` imports `module` and returns its `Name` (cached in the package's namespace afterwards). The package's
`__init__` lists the same names under `if TYPE_CHECKING:` for the type checker.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Mapping
from typing import Any


def lazy_exports(package: str, names: Mapping[str, str]) -> Callable[[str], Any]:
    def __getattr__(name: str) -> Any:
        module = names.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(module), name)
        setattr(sys.modules[package], name, value)
        return value

    return __getattr__
