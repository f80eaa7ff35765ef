"""ContextInjector: one user utterance plus the conversation so far -> a standalone query and the new state.

Contract: `rewrite` never raises on a string utterance (noise, emoji, no Hangul, empty history turns) and
never returns a rewrite longer than `max_rewrite_chars`: an over-long result falls back to the utterance, and
an utterance over the bound is cut at a word boundary (`truncated`). Only the last `max_history_turns`
history turns are read, each up to `max_turn_chars`. With `state=None` the state is rebuilt by replaying
that window; with a stored state the history is not re-read (the state already holds it).
Strategies: "rules" (Kiwi morphology + rules), "lm" (the wired `RewriteLM`, validated, rule result when
invalid or failing), "rules+lm" (the LM only when the rules are not confident). The synchronous `rewrite`
is always the rule path; `arewrite` applies the configured strategy. Callers of `arewrite` may pass `offload`
(runs the synchronous analysis elsewhere, e.g. on a worker thread: the injector keeps no per-call state, so
calls may run on several threads at once) and `admit` (an async context manager entered around each LM call;
an exception from it counts as an LM failure, so the rule result is used).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from typing import Any, TypeVar

from dst.analysis import Analyzer, default_analyzer
from dst.config import DstConfig
from dst.lm import RewriteLM, build_messages, clean_output, validate
from dst.ranking import AntecedentRanker
from dst.rules import RuleResolver, RuleResult
from dst.sibling import SiblingMatcher
from dst.tracker import Tracker
from dst.types import DialogueState, DstInputError, HistoryTurn, Resolution, Rewrite
from dst.zero import ZeroDetector

log = logging.getLogger(__name__)
T = TypeVar("T")
Offload = Callable[..., Awaitable[Any]]
Admit = Callable[[], AbstractAsyncContextManager[Any]]


async def _inline(fn: Callable[..., T], *args: Any) -> T:
    return fn(*args)


class ContextInjector:
    def __init__(
        self,
        config: DstConfig | None = None,
        *,
        lm: RewriteLM | None = None,
        analyzer: Analyzer | None = None,
        ranker: AntecedentRanker | None = None,
        zero: ZeroDetector | None = None,
        sibling: SiblingMatcher | None = None,
    ) -> None:
        """`config` (validated when it was built; None: the defaults) sets the strategy and bounds. Its `learned`
        flag is for whoever loads `ranker`, `zero` and `sibling`: the injector uses what it is given."""
        config = config if config is not None else DstConfig()
        self.config = config
        self.lm = lm
        self.analyzer = analyzer if analyzer is not None else default_analyzer()
        self.tracker = Tracker(self.analyzer)
        self.rules = RuleResolver(self.analyzer, ranker, zero, sibling)

    # -- public API ------------------------------------------------------------------------------------------
    def rewrite(
        self, history: Sequence[HistoryTurn | Mapping[str, Any]], utterance: str, state: DialogueState | None = None
    ) -> Rewrite:
        _, text, base = self._prepare(history, utterance, state)
        return self._finish(text, base, self._rules(text, base), "rules", utterance)

    async def arewrite(
        self, history: Sequence[HistoryTurn | Mapping[str, Any]], utterance: str, state: DialogueState | None = None,
        *, offload: Offload | None = None, admit: Admit | None = None,
    ) -> Rewrite:
        run = offload or _inline
        turns, text, base, ruled = await run(self._prepare_and_resolve, history, utterance, state)
        unsure = self.config.strategy == "rules+lm" and not ruled.confident
        use_lm = self.lm is not None and (self.config.strategy == "lm" or unsure)
        if not use_lm:
            label = "rules" if self.config.strategy == "rules" or ruled.confident else "rules(no-lm)"
            return await run(self._finish, text, base, ruled, label, utterance)
        raw, reason = await self._ask_lm(turns, text, admit)
        output = ""
        if reason is None:
            output, reason = await run(self._check_lm, raw, text, turns)
        if reason is not None:
            log.info("LM rewrite rejected (%s); keeping the rule result", reason)
            ruled.resolutions.append(Resolution(text, ruled.text, "fallback", f"lm-rejected: {reason}"))
            return await run(self._finish, text, base, ruled, "rules(lm-fallback)", utterance)
        lm_result = RuleResult(output, [Resolution(text, output, "rewrite", "lm")], True)
        return await run(self._finish, text, base, lm_result, "lm", utterance)

    def observe_reply(self, state: DialogueState, reply_text: str) -> DialogueState:
        if not isinstance(reply_text, str):
            raise DstInputError("reply_text must be a string")
        return self.tracker.observe(state, reply_text[: self.config.max_turn_chars], "assistant")

    # -- internals -------------------------------------------------------------------------------------------
    def _prepare(
        self, history: Sequence[HistoryTurn | Mapping[str, Any]], utterance: str, state: DialogueState | None
    ) -> tuple[list[HistoryTurn], str, DialogueState]:
        if not isinstance(utterance, str):
            raise DstInputError("utterance must be a string")
        turns = [_turn(t) for t in history][-self.config.max_history_turns :] if self.config.max_history_turns else []
        turns = [HistoryTurn(t.role, t.text[: self.config.max_turn_chars]) for t in turns]
        base = state if state is not None else self.replay(turns)
        return turns, _bound(utterance, self.config.max_rewrite_chars), base

    def _prepare_and_resolve(
        self, history: Sequence[HistoryTurn | Mapping[str, Any]], utterance: str, state: DialogueState | None
    ) -> tuple[list[HistoryTurn], str, DialogueState, RuleResult]:
        turns, text, base = self._prepare(history, utterance, state)
        return turns, text, base, self._rules(text, base)

    def replay(self, turns: list[HistoryTurn]) -> DialogueState:
        """The state after `turns` (each user turn rewritten by the rules first, as it was when it was said)."""
        state = DialogueState()
        for t in turns:
            if not t.text.strip():
                continue
            if t.role == "user":
                standalone = self._rules(t.text, state).text
                state = self.tracker.observe(state, t.text, "user", standalone=standalone)
            else:
                state = self.tracker.observe(state, t.text, "assistant")
        return state

    def _rules(self, text: str, state: DialogueState) -> RuleResult:
        try:
            return self.rules.resolve(text, state)
        except Exception:  # the contract is "never raise on a string": log the bug, pass the text through
            log.exception("rule resolution failed; passing the utterance through")
            return RuleResult(text, [], False)

    async def _ask_lm(self, turns: list[HistoryTurn], text: str, admit: Admit | None) -> tuple[Any, str | None]:
        """The LM's raw answer, or ("", why not)."""
        assert self.lm is not None
        messages = build_messages(turns, text)
        try:
            async with admit() if admit is not None else contextlib.nullcontext():
                raw = await asyncio.wait_for(
                    self.lm.complete(messages, max_new_tokens=self.config.lm_max_new_tokens),
                    timeout=self.config.lm_timeout_s,
                )
        except TimeoutError:
            return "", f"no answer within {self.config.lm_timeout_s:g} s"
        except Exception as exc:  # any backend failure (or no admission) means "use the rules", never a failed turn
            return "", f"LM error: {type(exc).__name__}: {exc}"
        return raw, None

    def _check_lm(self, raw: Any, text: str, turns: list[HistoryTurn]) -> tuple[str, str | None]:
        output = clean_output(raw if isinstance(raw, str) else "")
        return output, validate(output, text, turns, max_chars=self.config.max_rewrite_chars, analyzer=self.analyzer)

    def _finish(self, text: str, base: DialogueState, result: RuleResult, strategy: str, original: str) -> Rewrite:
        standalone = result.text if len(result.text) <= self.config.max_rewrite_chars else text
        resolutions = result.resolutions if standalone == result.text else []
        try:
            state = self.tracker.observe(base, text, "user", standalone=standalone)
        except Exception:
            log.exception("state update failed; keeping the previous state")
            state = base
        return Rewrite(
            standalone=standalone,
            state=state,
            resolutions=list(resolutions),
            strategy=strategy,
            original=original,
            confident=result.confident,
            truncated=len(original) > self.config.max_rewrite_chars,
        )


def _turn(t: HistoryTurn | Mapping[str, Any]) -> HistoryTurn:
    if isinstance(t, HistoryTurn):
        return t
    if isinstance(t, Mapping):
        role: Any = t.get("role")  # unchecked here: HistoryTurn validates role and text
        text: Any = t.get("text")
        return HistoryTurn(role, text)
    raise DstInputError("history turns must be HistoryTurn or {'role', 'text'} objects")


def _bound(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    cut = text[:limit]
    space = cut.rfind(" ")
    return cut[:space] if space > limit // 2 else cut
