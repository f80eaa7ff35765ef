"""Session fixtures: one Kiwi-backed analyzer (about 3 s to load) shared by every dst test."""

from __future__ import annotations

import pytest

from dst import ContextInjector
from dst.analysis import Analyzer, default_analyzer


@pytest.fixture(scope="session")
def analyzer() -> Analyzer:
    return default_analyzer()  # the same instance the wiring and CLI tests get


@pytest.fixture(scope="session")
def injector(analyzer: Analyzer) -> ContextInjector:
    return ContextInjector(strategy="rules", analyzer=analyzer)
