"""The studio's playground: one turn of a persona as it is in the editor (saved or not), explained stage by stage.

Contract: `trace_turn` runs the turn pipeline's own stages on a client-held conversation (the page keeps the
history) and stores no conversation: context injection (`TurnPipeline.rewrite`), response selection over the
persona's response sets, the speech-level repair of a stored answer, or, for a generated reply, the pipeline's own
generation request (`assistant.pipeline.request.generation_request`: knowledge, the prompt control unit, controls)
and controlled generation. Without a loaded LM it still renders the prompt it would send (token counts estimated)
and says why nothing was generated. Served answers and near-misses go to the served-answer log with channel
"studio". The result is a plain JSON-ready dict; every stage's milliseconds are under `latency_ms`.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Callable, Sequence
from typing import Any

from assistant.decoding import decoding
from assistant.errors import Unavailable
from assistant.pipeline import TurnPipeline
from assistant.pipeline.outcomes import client_turns
from assistant.pipeline.request import TEMPLATE_TOKENS_PER_MESSAGE, generation_request
from assistant.pipeline.stages import Loaded, Rewritten, Selected, StageClock
from assistant.pipeline.types import TurnRequest
from assistant.store import ServedLog, served_from_selection
from dst import HistoryTurn
from generation import GenerationRequest, Generator
from personas import Persona, render_prompt

STUDIO_CONVERSATION = "studio-playground"


def estimate_tokens(text: str) -> int:
    """Korean runs about 1.5 characters per token in common vocabularies (used while no LM is loaded)."""
    return max(1, round(len(text) / 1.5)) if text else 0


# The context window assumed while no model is loaded (an unloaded backend reports 0): a common small-model size.
ASSUMED_CONTEXT_WINDOW = 4096


def context_window(generator: Generator) -> int:
    try:
        return generator.context_window or ASSUMED_CONTEXT_WINDOW
    except Exception:  # a backend that cannot tell before loading
        return ASSUMED_CONTEXT_WINDOW


async def trace_turn(pipeline: TurnPipeline, served: ServedLog | None, persona: Persona,
                     history: Sequence[tuple[str, str]], message: str) -> dict[str, Any]:
    """One explained turn (see the module contract)."""
    clock = StageClock()
    turns = [HistoryTurn(role, text) for role, text in history]  # type: ignore[arg-type]
    with clock.stage("rewrite"):
        rewrite = await pipeline.rewrite(turns, message, None)
    with clock.stage("select"):
        selection = await pipeline.workers.run(pipeline.retrieval.select_from, rewrite.standalone,
                                               persona.answer_sets)
    trace: dict[str, Any] = {"rewrite": rewrite.to_dict(), "selection": selection.to_dict(), "persona": persona.id}
    if selection.decision == "retrieve" and selection.hit is not None:
        with clock.stage("speech_level"):
            text, level = await pipeline.workers.run(pipeline._retrieved_reply, persona, selection)
        trace.update(reply=text, source="retrieve", speech_level=level, lm={"ready": True, "detail": ""})
    else:
        await _generate(pipeline, persona, history, message, Rewritten(
            Loaded(STUDIO_CONVERSATION, persona, (), None), rewrite), selection, clock, trace)
    trace["latency_ms"] = {**clock.timings(), "total": clock.total_ms()}
    logged = served_from_selection(trace["selection"], rewrite.standalone, persona.id, channel="studio")
    if served is not None and logged is not None:
        await served.record(logged)
    return trace


async def _generate(pipeline: TurnPipeline, persona: Persona, history: Sequence[tuple[str, str]], message: str,
                    rewritten: Rewritten, selection: Any, clock: StageClock, trace: dict[str, Any]) -> None:
    route = pipeline.router.route(STUDIO_CONVERSATION, persona=persona.id)
    req = TurnRequest(message=message, persona=persona.id, history=tuple(history))
    loaded = dataclasses.replace(rewritten.loaded, history=_turns(history))
    selected = Selected(Rewritten(loaded, rewritten.rewrite), selection, route)
    ready, detail = route.generator.status()
    trace["lm"] = {"ready": ready, "detail": detail}
    # The passages the prompt unit injects (the request below searches the same way; a search is cheap beside it).
    trace["knowledge"] = [p.to_dict() for p in await pipeline.workers.run(
        pipeline.retrieval.knowledge, rewritten.rewrite.standalone, persona.knowledge)] if persona.knowledge else []
    try:
        request = await pipeline.workers.run(generation_request, pipeline.settings.limits,
                                             pipeline.settings.generation.defaults, pipeline.retrieval,
                                             route.generator, req, selected, clock)
    except Unavailable:
        with clock.stage("prompt"):
            messages = await pipeline.workers.run(_prompt_without_lm, pipeline, persona, history, message,
                                                  rewritten.rewrite.standalone)
        trace.update(reply=None, source="generate", prompt=_prompt_view(messages, estimate_tokens, True),
                     params=None, generation=None)
        return
    trace["prompt"] = _prompt_view(request.messages, route.generator.count_tokens, False)
    trace["params"] = _params(request)
    async with pipeline.admission.slot():
        completion = await route.generator.generate(request)
    clock.record("generate", completion.latency_ms)
    trace.update(reply=completion.text, source="generate", generation={
        **completion.trace, "finish_reason": completion.finish_reason, "prompt_tokens": completion.prompt_tokens,
        "completion_tokens": completion.completion_tokens})


def _turns(history: Sequence[tuple[str, str]]) -> tuple[Any, ...]:
    return client_turns(tuple(history), 10_000)


def _prompt_without_lm(pipeline: TurnPipeline, persona: Persona, history: Sequence[tuple[str, str]], message: str,
                       standalone: str) -> list[dict[str, str]]:
    passages = pipeline.retrieval.knowledge(standalone, persona.knowledge) if persona.knowledge else []
    window = context_window(pipeline.generation)
    return render_prompt(persona, list(history), message, standalone, [(p.source, p.text) for p in passages],
                         max(window - decoding(persona, pipeline.settings.generation.defaults).max_new_tokens, 64),
                         estimate_tokens,
                         message_overhead_tokens=TEMPLATE_TOKENS_PER_MESSAGE)


def _prompt_view(messages: list[dict[str, str]], count: Callable[[str], int], estimated: bool) -> dict[str, Any]:
    rows = [{"role": m["role"], "content": m["content"], "tokens": count(m["content"])} for m in messages]
    return {"messages": rows, "total_tokens": sum(r["tokens"] for r in rows), "estimated": estimated}


def _params(request: GenerationRequest) -> dict[str, Any]:
    return {"max_new_tokens": request.max_new_tokens, "temperature": request.temperature, "top_p": request.top_p,
            "stop": request.stop, "banned_phrases": request.banned_phrases,
            "max_reply_chars": request.max_reply_chars, "speech_level": request.speech_level}


async def run_script(pipeline: TurnPipeline, served: ServedLog | None, persona: Persona,
                     messages: Sequence[str]) -> list[dict[str, Any]]:
    """The turns of a script, one after another, each with the previous replies as its history."""
    history: list[tuple[str, str]] = []
    results = []
    for message in messages:
        trace = await trace_turn(pipeline, served, persona, history, message)
        results.append(trace)
        history.append(("user", message))
        if trace.get("reply"):
            history.append(("assistant", trace["reply"]))
        await asyncio.sleep(0)
    return results
