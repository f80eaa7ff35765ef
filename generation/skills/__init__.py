"""Skills: LM tasks on one mechanism (typed chain + deterministic fallback + registry + limits + trace).

`default_registry(model, search_backends)` registers the bundled skills: `rewrite-null-query` and
`summarize-reviews`. A new skill is a prompt file in `prompts/`, a `Skill` subclass, one line here and a test.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from generation.skills.errors import SkillBackendError, SkillInputError, SkillNotFound, SkillUnavailable
from generation.skills.settings import SkillsSettings

if TYPE_CHECKING:
    from collections.abc import Mapping

    from langchain_core.language_models import BaseChatModel

    from generation.skills.base import Skill, SkillContext, SkillRegistry, SkillResult, TextFilter
    from generation.skills.search import HttpSearchBackend, SearchBackend

# Skills pull in Kiwi, scikit-learn and langchain: load them on first use, so that reading settings stays fast.
_LAZY = {
    "Skill": "generation.skills.base", "SkillContext": "generation.skills.base",
    "SkillRegistry": "generation.skills.base", "SkillResult": "generation.skills.base",
    "TextFilter": "generation.skills.base",
    "HttpSearchBackend": "generation.skills.search", "SearchBackend": "generation.skills.search",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'generation.skills' has no attribute {name!r}")

__all__ = [
    "HttpSearchBackend",
    "SearchBackend",
    "Skill",
    "SkillBackendError",
    "SkillContext",
    "SkillInputError",
    "SkillNotFound",
    "SkillRegistry",
    "SkillResult",
    "SkillUnavailable",
    "SkillsSettings",
    "default_registry",
]


def default_registry(
    model: BaseChatModel | None,
    search_backends: Mapping[str, SearchBackend] | None = None,
    *,
    settings: SkillsSettings | None = None,
    text_filter: TextFilter | None = None,
    level_control: Any | None = None,
) -> SkillRegistry:
    """The bundled skills. HTTP search backends from `settings.http_search` join `search_backends`.

    `level_control` is anything with `repair(text, level) -> str` (generation's SpeechLevelControl by default);
    `text_filter` is the output filter of the generation stage, applied to LM text. Skills analyse Korean with the
    process's plain Kiwi (`korean.kiwi.shared_kiwi`).
    """
    from generation.skills.base import SkillRegistry
    from generation.skills.reviews import SummarizeReviews
    from generation.skills.rewrite import RewriteNullQuery
    from generation.skills.search import http_backends

    settings = settings or SkillsSettings()
    backends = {**http_backends(settings.http_search), **(search_backends or {})}
    if level_control is None:
        from generation.speech_level import SpeechLevelControl

        level_control = SpeechLevelControl()
    registry = SkillRegistry(settings, model, text_filter=text_filter, level_control=level_control)
    registry.register(RewriteNullQuery(settings, backends))
    registry.register(SummarizeReviews(settings))
    return registry
