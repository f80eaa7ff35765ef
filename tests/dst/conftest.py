"""Session fixtures: one Kiwi-backed analyzer (about 3 s to load) shared by every dst test, and the injectors."""

from __future__ import annotations

import pytest

from assistant.wiring.dst import learned_models
from dst import ContextInjector, DstConfig
from dst.analysis import Analyzer, default_analyzer


@pytest.fixture(scope="session")
def analyzer() -> Analyzer:
    # the process's one Kiwi, with a cache that holds every text of the case file (about 20,000): the learned and
    # the rules-alone runs over it read the same turns, and the second then reads none of them afresh (25 s -> 6 s)
    return Analyzer(default_analyzer().kiwi, cache_size=1 << 15)


@pytest.fixture(scope="session")
def injector(analyzer: Analyzer) -> ContextInjector:
    """The rule strategy as the server runs it: with the bundled antecedent ranker and zero-anaphora detector."""
    return ContextInjector(DstConfig(strategy="rules"), analyzer=analyzer, **learned_models(True))


@pytest.fixture(scope="session")
def rules_injector(analyzer: Analyzer) -> ContextInjector:
    """The rules alone (`dst.learned: false`)."""
    return ContextInjector(DstConfig(strategy="rules"), analyzer=analyzer)
