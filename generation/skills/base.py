"""The skill mechanism: a named skill = typed input, typed output, a langchain-core chain, a fallback, a trace.

Contract:
- `Skill` subclasses declare `name`, `description`, `input_model`, `output_model`, `lm_output_model` and the
  prompt file `prompts/<name>.yaml`. `check(data, ctx)` does every input check beyond the schema (limits,
  language; raising `SkillInputError`) and returns the job that `run(job, ctx)` works on; `run` calls
  `await ctx.lm(variables)` for the chain result (None when no LM is loaded or its output was unusable; the reason
  lands in the trace) and uses its deterministic fallback otherwise, and runs its CPU work (Kiwi, scikit-learn)
  through `await ctx.offload(fn, *args)`. A skill without a fallback raises `SkillUnavailable`.
- `SkillRegistry.run(name, payload, speech_level=...)` validates the payload (pydantic; errors become
  `SkillInputError` naming the field) and the skill's `check`, runs the skill and returns
  `SkillResult(output: dict, trace: dict)`.
- LM text shown to users passes the caller's output filter and is put in the requested speech level.
- `run(..., offload=...)`: an async `offload(fn, *args)` that runs a synchronous call elsewhere (the server's
  worker threads), so the caller's event loop keeps serving; validation and each skill's CPU stages go through it.
  Offloaded calls only compute and fill the request's own trace. Without it they run inline (the CLI).
- `run(..., admit=...)`: when the skill has an LM chain, the skill runs inside `admit()`, the caller's admission
  to its generation capacity, only after its input passed every check, so bad input is refused as bad input
  however full the gate is; what `admit()` raises (a refusal) reaches the caller.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from typing import Any, ClassVar

from langchain_core.exceptions import OutputParserException
from langchain_core.language_models import BaseChatModel
from langchain_core.runnables import Runnable
from pydantic import BaseModel, ValidationError

from generation.errors import GenerationError, InvalidGenerationRequest
from generation.skills.chain import build_chain, load_prompt, model_name
from generation.skills.errors import SkillInputError, SkillNotFound, SkillUnavailable
from generation.skills.settings import SkillsSettings
from generation.types import SpeechLevel

TextFilter = Callable[[str], str]
Offload = Callable[..., Awaitable[Any]]


async def run_inline(fn: Callable[..., Any], *args: Any) -> Any:
    return fn(*args)


_LEVEL_ALIASES: dict[str, SpeechLevel] = {
    "합쇼체": "합쇼체", "formal": "합쇼체", "hasipsio": "합쇼체", "hapsyo": "합쇼체",
    "해요체": "해요체", "polite": "해요체", "haeyo": "해요체",
    "반말": "반말", "해체": "반말", "casual": "반말", "banmal": "반말", "informal": "반말",
}


def normalize_speech_level(level: str | None) -> SpeechLevel | None:
    if level is None:
        return None
    key = level.strip().lower()
    if key not in _LEVEL_ALIASES:
        raise SkillInputError(
            f"unknown speech level {level!r}; use one of 합쇼체, 해요체, 반말", param="speech_level"
        )
    return _LEVEL_ALIASES[key]


@dataclass(frozen=True)
class SkillResult:
    output: dict[str, Any]
    trace: dict[str, Any]


@dataclass
class SkillContext:
    settings: SkillsSettings
    model: BaseChatModel | None
    chain: Runnable[Any, Any] | None
    speech_level: SpeechLevel | None
    text_filter: TextFilter | None
    level_control: Any | None
    trace: dict[str, Any] = field(default_factory=dict)
    offload: Offload = run_inline

    def timing(self, key: str, started: float) -> None:
        self.trace.setdefault("timings_ms", {})[key] = round(1000 * (time.perf_counter() - started), 2)

    async def lm(self, variables: dict[str, Any]) -> BaseModel | None:
        """One chain call; None (with the reason in the trace) when no LM, LM failure or unusable answer."""
        if self.chain is None:
            self.trace.setdefault("fallback_reason", "no LM loaded")
            return None
        started = time.perf_counter()
        calls = self.trace.setdefault("lm_calls", 0)
        self.trace["lm_calls"] = calls + 1
        try:
            return await asyncio.wait_for(self.chain.ainvoke(variables), self.settings.lm_timeout_s)
        except (OutputParserException, ValidationError) as exc:
            self.trace["fallback_reason"] = f"LM output invalid: {str(exc).splitlines()[0][:200]}"
        except TimeoutError:
            self.trace["fallback_reason"] = f"LM timed out after {self.settings.lm_timeout_s} s"
        except (GenerationError, InvalidGenerationRequest) as exc:
            # no model loaded, queue full, prompt over the context window: the skill still answers
            self.trace["fallback_reason"] = f"LM unavailable: {type(exc).__name__}: {str(exc)[:200]}"
        finally:
            self.timing(f"lm_{calls + 1}", started)
        return None

    def finish_text(self, text: str) -> str:
        """LM text to users: output filter, then the requested speech level, then the length cap."""
        if self.text_filter is not None:
            text = self.text_filter(text)
        if self.speech_level is not None and self.level_control is not None:
            text = self.level_control.repair(text, self.speech_level)
        return text[: self.settings.max_lm_output_chars]


class Skill(ABC):
    name: ClassVar[str]
    description: ClassVar[str]
    input_model: ClassVar[type[BaseModel]]
    output_model: ClassVar[type[BaseModel]]
    lm_output_model: ClassVar[type[BaseModel]]

    def __init__(self, settings: SkillsSettings) -> None:
        self.settings = settings
        self.prompt = load_prompt(self.name)

    def parse_input(self, payload: dict[str, Any]) -> BaseModel:
        try:
            return self.input_model.model_validate(payload)
        except ValidationError as exc:
            err = exc.errors()[0]
            where = ".".join(str(p) for p in err["loc"]) or None
            raise SkillInputError(f"{self.name}: {where}: {err['msg']}", param=where) from exc

    def check(self, data: Any, ctx: SkillContext) -> Any:
        """Input checks beyond the schema; returns the job `run` receives (here the parsed input itself)."""
        return data

    def build_chain(self, model: BaseChatModel) -> Runnable[Any, Any]:
        return build_chain(self.prompt, model, self.lm_output_model)

    @abstractmethod
    async def run(self, job: Any, ctx: SkillContext) -> BaseModel: ...


class SkillRegistry:
    """Named skills sharing one optional chat model, output filter and settings."""

    def __init__(
        self,
        settings: SkillsSettings | None = None,
        model: BaseChatModel | None = None,
        *,
        text_filter: TextFilter | None = None,
        level_control: Any | None = None,
    ) -> None:
        self.settings = settings or SkillsSettings()
        self.model = model
        self.text_filter = text_filter
        self.level_control = level_control
        self._skills: dict[str, Skill] = {}
        self._chains: dict[str, Runnable[Any, Any]] = {}

    def register(self, skill: Skill) -> None:
        if skill.name in self._skills:
            raise ValueError(f"skill {skill.name!r} is already registered")
        self._skills[skill.name] = skill
        if self.model is not None:
            self._chains[skill.name] = skill.build_chain(self.model)

    def names(self) -> list[str]:
        return sorted(self._skills)

    def get(self, name: str) -> Skill:
        if name not in self._skills:
            raise SkillNotFound(name, list(self._skills))
        return self._skills[name]

    def describe(self) -> list[dict[str, Any]]:
        return [
            {
                "name": s.name,
                "description": s.description,
                "lm": self.model is not None,
                "input_schema": s.input_model.model_json_schema(),
                "output_schema": s.output_model.model_json_schema(),
            }
            for s in (self._skills[n] for n in self.names())
        ]

    async def run(self, name: str, payload: dict[str, Any], *, speech_level: str | None = None,
                  admit: Callable[[], AbstractAsyncContextManager[Any]] | None = None,
                  offload: Offload | None = None) -> SkillResult:
        if not self.settings.enabled:
            raise SkillUnavailable("skills are switched off (skills.enabled = false)")
        skill = self.get(name)
        if not isinstance(payload, dict):
            raise SkillInputError(f"{name}: the payload must be a JSON object", param="input")
        level = normalize_speech_level(speech_level)
        started = time.perf_counter()
        ctx = SkillContext(
            settings=self.settings,
            model=self.model,
            chain=self._chains.get(name),
            speech_level=level,
            text_filter=self.text_filter,
            level_control=self.level_control,
            trace={"skill": name, "lm": model_name(self.model), "speech_level": level},
            offload=offload or run_inline,
        )
        job = await ctx.offload(_checked, skill, payload, ctx)
        ctx.timing("checks", started)
        gate = admit() if admit is not None and ctx.chain is not None else contextlib.nullcontext()
        async with gate:
            output = await skill.run(job, ctx)
        ctx.trace.setdefault("strategy", "fallback" if "fallback_reason" in ctx.trace else "lm")
        ctx.timing("total", started)
        return SkillResult(output=output.model_dump(mode="json", exclude_none=True), trace=ctx.trace)


def _checked(skill: Skill, payload: dict[str, Any], ctx: SkillContext) -> Any:
    return skill.check(skill.parse_input(payload), ctx)
