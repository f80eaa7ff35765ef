"""Builds the ContextInjector from Settings, wires the generation backend in as its RewriteLM, and reports
readiness. The rule strategy always works, so dst is ready even without an LM; the detail says when an LM
strategy runs on rules alone.
"""

from __future__ import annotations

import logging
from typing import Any

from assistant.readiness import ComponentStatus
from assistant.settings import Settings
from dst import ContextInjector, DstConfig, RewriteLM

log = logging.getLogger(__name__)


class GenerationRewriteLM:
    """RewriteLM over a generation backend that has `generate(GenerationRequest)` (greedy, bounded)."""

    def __init__(self, backend: Any, timeout_s: float) -> None:
        self.backend = backend
        self.timeout_s = timeout_s

    async def complete(self, messages: list[dict[str, str]], *, max_new_tokens: int) -> str:
        from generation.types import GenerationRequest

        request = GenerationRequest(
            messages=messages, max_new_tokens=max_new_tokens, temperature=0.0, stop=["\n"], timeout_s=self.timeout_s
        )
        completion = await self.backend.generate(request)
        return str(completion.text)

    def ready(self) -> tuple[bool, str]:
        status = getattr(self.backend, "status", None)
        return status() if callable(status) else (True, "no status reported")


def as_rewrite_lm(lm: Any, timeout_s: float) -> RewriteLM | None:
    """The RewriteLM for `lm`: a generation backend (it has `generate(GenerationRequest)`) is wrapped so every rewrite
    is greedy, stops at the line end and honours the rewrite timeout; anything else must offer `complete` itself."""
    if lm is None:
        return None
    # `generate` is checked first: the Generator also has a `complete`, which a runtime-checkable Protocol would
    # accept, and calling it would skip the stop sequence and the rewrite timeout.
    if callable(getattr(lm, "generate", None)):
        return GenerationRewriteLM(lm, timeout_s)
    if isinstance(lm, RewriteLM):
        return lm
    log.warning("dst: %s offers neither complete() nor generate(); LM rewriting disabled", type(lm).__name__)
    return None


def learned_models(learned: bool) -> dict[str, Any]:
    """The bundled learned parts of context injection (each None when its file or the encoder cannot load)."""
    if not learned:
        return {}
    from dst.ranking import default_ranker
    from dst.sibling import default_sibling_matcher
    from dst.zero import default_zero_detector

    return {"ranker": default_ranker(), "zero": default_zero_detector(), "sibling": default_sibling_matcher()}


def build_dst(settings: Settings, lm: Any | None) -> tuple[ContextInjector, ComponentStatus]:
    section = settings.dst
    rewrite_lm = as_rewrite_lm(lm, section.lm_timeout_s) if section.strategy != "rules" else None
    # The conversation-wide history limit bounds dst's own window.
    window = min(section.max_history_turns, settings.limits.max_history_turns)
    config = DstConfig(**section.model_dump(include=set(DstConfig.model_fields)) | {"max_history_turns": window})
    injector = ContextInjector(config, lm=rewrite_lm, **learned_models(section.learned))
    detail = f"strategy {section.strategy}" + ("" if injector.rules.learned else ", rules without learned models")
    if section.strategy != "rules":
        if rewrite_lm is None:
            detail += "; no LM wired, rewriting with rules only"
        else:
            ready_fn = getattr(rewrite_lm, "ready", None) or getattr(rewrite_lm, "status", None)
            ok, reason = ready_fn() if callable(ready_fn) else (True, "")
            detail += "; LM ready" if ok else f"; LM not ready ({reason}), rules are used until it is"
    return injector, ComponentStatus("dst", True, detail)

