"""Builds the skill registry: the LM as a langchain-core chat model, and retrieval collections as search backends.

Skills live in `generation.skills` and cannot import retrieval (dependency direction); this module adapts each
knowledge collection to their `SearchBackend` Protocol (hit count = passages scoring above the collection's floor).
"""

from __future__ import annotations

from typing import Any

from assistant.readiness import ComponentStatus
from assistant.settings import Settings
from generation import Generator
from generation.langchain import ChatAssistantModel
from generation.skills import SkillRegistry, default_registry
from retrieval import Retrieval


class CollectionSearch:
    """A knowledge collection as a skills search backend."""

    def __init__(self, retrieval: Retrieval, collection: str, max_hits: int) -> None:
        self.retrieval = retrieval
        self.collection = collection
        self.max_hits = max_hits

    def count(self, query: str) -> int:
        return len(self.retrieval.knowledge(query, self.collection, k=self.max_hits))


def build_skills(
    settings: Settings, generator: Generator, retrieval: Retrieval, kiwi: Any = None
) -> tuple[SkillRegistry, ComponentStatus]:
    """`kiwi`: the process's shared Kiwi (None: skills build their own); the generator's speech-level control
    repairs skill output, so skills and turns share it too."""
    backends = {
        name: CollectionSearch(retrieval, name, settings.retrieval.knowledge_k_max) for name in retrieval.collections
    }
    model = ChatAssistantModel(generator=generator, max_new_tokens=min(256, settings.limits.max_new_tokens))
    registry = default_registry(model, backends, settings=settings.skills,
                                level_control=generator.speech)
    searches = ", ".join(sorted(backends)) or "none (HTTP only)"
    detail = f"skills: {', '.join(sorted(registry.names()))}; search backends: {searches}"
    return registry, ComponentStatus("skills", settings.skills.enabled, detail)
