"""The turn pipeline: one user message in, one persisted, explained reply out.

Data flow (DESIGN.md, "One turn, as data"):
  lock the conversation -> load history + dialogue state -> dst: standalone rewrite -> retrieval: retrieve or
  generate -> (retrieve: the stored answer repaired to the persona's speech level, noted in the selection trace;
  generate: knowledge + persona prompt + controlled generation) -> dst: observe the reply ->
  store user turn, assistant turn and state in one transaction -> the reply with its trace.
The pipeline owns ordering, limits and timing; each stage's depth lives in its leaf package. A leaf exception
raised inside a turn becomes its `assistant.errors` error at the turn's boundary (`assistant.pipeline.failures`,
through the one table in `assistant.error_table`), so streamed and blocking turns fail with the same codes.

The event loop only coordinates: the CPU-bound stage calls (context injection, response selection, knowledge search
and prompt, the speech-level repair of a retrieved answer, observing the reply, token counts) run on the turn's
worker threads (`assistant.workers`, `limits.turn_workers`), awaited while the conversation's lock is held, so
per-conversation order is unchanged. Those stage objects are safe to call from several threads: they keep no
per-call state, Kiwi is shared across threads by design, and their caches and lazy loads are locked.
Admission: a turn that generates takes one slot before its first event; dst's LM rewrite takes a slot only if one is
free at once (else the rule result is used) and gives it back before the turn asks for its own.
Deadline (`limits.request_timeout_s`) covers our work only: while a streamed turn waits for the client to read an
event, its clock is stopped (`stream` runs the turn in its own task, so the deadline is bound to that task;
`assistant.pipeline.events`), and that wait is bounded by `limits.stream_idle_timeout_s` (504 `slow_reader`). The
`done` event is handed over after the lock is released: the turn is stored, so a slow reader then holds nothing.
A turn that fails with a server error is stored as a failed user turn (`assistant.pipeline.failures`).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import time
import uuid
from collections.abc import AsyncGenerator, Sequence
from typing import Any

from assistant.admission import Admission
from assistant.errors import NotFound
from assistant.metrics import Metrics
from assistant.pipeline.events import Put, handover, paused, put_within
from assistant.pipeline.failures import Attempt, turn_scope
from assistant.pipeline.request import generation_request, stream_usage
from assistant.pipeline.types import Prepared, TurnRequest, TurnResult, ms_since, result_to_dict, selection_dict
from assistant.routing import ModelRouter, Route, ShadowRunner, pins
from assistant.settings import Settings
from assistant.store import ConversationStore, Exchange
from assistant.workers import StageWorkers
from dst import ContextInjector, DialogueState, HistoryTurn, Rewrite
from dst.types import Role
from generation import GenerationRequest, Generator
from personas import Persona, PersonaRegistry
from retrieval import Retrieval, Selection

log = logging.getLogger(__name__)

class TurnPipeline:
    def __init__(
        self,
        settings: Settings,
        store: ConversationStore,
        dst: ContextInjector,
        retrieval: Retrieval,
        personas: PersonaRegistry,
        generation: Generator,
        *,
        router: ModelRouter | None = None,
        metrics: Metrics | None = None,
        shadow: ShadowRunner | None = None,
    ) -> None:
        self.settings = settings
        self.store = store
        self.dst = dst
        self.retrieval = retrieval
        self.personas = personas
        self.generation = generation
        self.admission = Admission.from_settings(settings.admission)
        self.router = router or ModelRouter.single(generation)
        self.metrics = metrics
        self.shadow = shadow
        self.workers = StageWorkers(settings.limits.turn_workers)

    def close(self) -> None:
        self.workers.close()

    async def rewrite(self, turns: list[HistoryTurn], utterance: str, state: DialogueState | None) -> Rewrite:
        """Context injection off the event loop; its LM (if any) only on a free generation slot."""
        return await self.dst.arewrite(turns, utterance, state, offload=self.workers.run,
                                       admit=functools.partial(self.admission.slot, wait=False))

    async def rewrite_context(self, history: Sequence[tuple[Role, str]], utterance: str,
                              state: dict[str, Any] | None) -> Rewrite:
        """Stateless context injection from plain data (`/v1/context/rewrite`); dst refuses malformed data."""
        parsed = DialogueState.from_dict(state) if state is not None else None
        return await self.rewrite([HistoryTurn(role, text) for role, text in history], utterance, parsed)

    async def run(self, req: TurnRequest) -> TurnResult:
        """Run one turn under the conversation's lock and return it once it is durably stored."""
        conversation_id = req.conversation_id or uuid.uuid4().hex
        async with self._turn(req, conversation_id) as (deadline, attempt):
            prep = await self._prepare(req, conversation_id, attempt)
            if prep.request is None:
                return await self._finish(deadline, req, prep, prep.reply, "retrieve", None)
            async with self.admission.slot():
                completion = await self._generate(prep.request, prep.route)
            gen_trace = {
                "finish_reason": completion.finish_reason,
                "prompt_tokens": completion.prompt_tokens,
                "completion_tokens": completion.completion_tokens,
                **completion.trace,
            }
            prep.timings["generate"] = completion.latency_ms
            result = await self._finish(deadline, req, prep, completion.text, "generate", gen_trace)
            self._launch_shadow(req, prep, result.reply, completion.latency_ms)
            return result
        raise AssertionError("unreachable")  # mypy: the block above always returns or raises

    def stream(self, req: TurnRequest) -> AsyncGenerator[dict[str, Any]]:
        """Run one turn as events: rewrite, selection, text deltas, then the stored turn (`done`).

        The turn runs in a task of its own (`assistant.pipeline.events.handover`): its deadline and cancellation
        never depend on which task reads, and the reader's pace is not counted against the deadline. Closing the
        iterator (a client hang-up) cancels the turn and waits until it has given back its lock and slot.
        """
        return handover(functools.partial(self._stream_events, req))

    async def _stream_events(self, req: TurnRequest, put: Put) -> None:
        conversation_id = req.conversation_id or uuid.uuid4().hex
        idle_s = self.settings.limits.stream_idle_timeout_s
        async with self._turn(req, conversation_id) as (deadline, attempt):

            async def emit(event: str, data: dict[str, Any]) -> None:
                with paused(deadline):  # waiting for the reader is not our work, but it is bounded
                    await put_within(put, {"event": event, "data": data}, idle_s)

            prep = await self._prepare(req, conversation_id, attempt)
            # Admitted before the first event, so a refusal is still a plain 503 with Retry-After.
            slot = self.admission.slot() if prep.request is not None else contextlib.nullcontext()
            gen_trace: dict[str, Any] | None = None
            async with slot:
                await emit("rewrite", prep.rewrite.to_dict())
                await emit("selection", selection_dict(prep))
                if prep.request is None:
                    reply, source = prep.reply, "retrieve"
                    await emit("delta", {"text": reply})
                else:
                    started = time.perf_counter()
                    parts: list[str] = []
                    async for delta in self._generator(prep).stream(prep.request):
                        parts.append(delta)
                        await emit("delta", {"text": delta})
                    prep.timings["generate"] = (time.perf_counter() - started) * 1000
                    reply, source = "".join(parts), "generate"
            # The slot is back before storing, as in `run`: the store is not generation.
            if source == "generate":
                gen_trace = await self.workers.run(self._stream_usage, prep, reply)
            result = await self._finish(deadline, req, prep, reply, source, gen_trace)
            if source == "generate":
                self._launch_shadow(req, prep, reply, prep.timings["generate"])
        # Stored and unlocked: a slow reader of `done` holds nothing, and must not turn a stored turn into a failure.
        await put({"event": "done", "data": result_to_dict(result)})

    def _turn(self, req: TurnRequest,
              conversation_id: str) -> contextlib.AbstractAsyncContextManager[tuple[asyncio.Timeout, Attempt]]:
        return turn_scope(self.store, self.settings.limits.request_timeout_s, req, conversation_id)

    # -- stages ----------------------------------------------------------------------------------------------
    async def _prepare(self, req: TurnRequest, conversation_id: str, attempt: Attempt) -> Prepared:
        started = attempt.started = time.perf_counter()
        timings = attempt.timings
        conversation = await self.store.get(conversation_id)
        if conversation is not None and req.owner is not None and conversation.owner != req.owner:
            # Another key's conversation is reported exactly like a missing one.
            raise NotFound(f"conversation {conversation_id!r} not found", param="conversation_id")
        persona_id = req.persona or (conversation.persona_id if conversation else self.personas.default_id)
        persona = attempt.persona = self._persona(persona_id)
        history = await self.store.history(conversation_id, self.settings.limits.max_history_turns)
        timings["load"] = ms_since(started)

        mark = time.perf_counter()
        state = DialogueState.from_dict(conversation.state) if conversation and conversation.state else None
        turns = [HistoryTurn(role=t.role, text=t.text) for t in history]  # type: ignore[arg-type]
        rewrite = attempt.rewrite = await self.rewrite(turns, req.message, state)
        timings["rewrite"] = ms_since(mark)

        mark = time.perf_counter()
        selection = await self.workers.run(self.retrieval.select, rewrite.standalone, persona.response_set)
        timings["select"] = ms_since(mark)

        prep = Prepared(conversation_id, persona, rewrite, selection, history, timings, started)
        prep.route = self._route(req, prep)  # on every turn, so a bad pinned endpoint/version is always a 404
        if selection.decision == "generate":
            prep.request = await self.workers.run(self._generation_request, req, prep)
        else:
            mark = time.perf_counter()
            prep.reply, prep.speech_level = await self.workers.run(self._retrieved_reply, persona, selection)
            timings["speech_level"] = ms_since(mark)
        return prep

    def _retrieved_reply(self, persona: Persona, selection: Selection) -> tuple[str, dict[str, Any] | None]:
        """The stored answer in the persona's speech level: response sets are shared between personas (the bundled
        one is written in 해요체), so a 반말 persona would otherwise answer in another persona's voice."""
        answer = _retrieved(selection)
        if not persona.speech_level:
            return answer, None
        try:
            reply = self.generation.speech.repair(answer, persona.speech_level)  # type: ignore[arg-type]
        except Exception as exc:  # a heuristic repair must not turn a good retrieval into a 500
            log.warning("speech-level repair to %s failed; answering the stored text", persona.speech_level,
                        exc_info=True)
            return answer, {"target": persona.speech_level, "converted": False, "error": type(exc).__name__}
        return reply, {"target": persona.speech_level, "converted": reply != answer}

    def _generation_request(self, req: TurnRequest, prep: Prepared) -> GenerationRequest:
        return generation_request(self.settings.limits, self.retrieval, self._generator(prep), req, prep)

    async def _generate(self, request: GenerationRequest, route: Route | None = None) -> Any:
        generator = route.generator if route is not None else self.generation
        if self.metrics is None or route is None:
            return await generator.generate(request)
        with self.metrics.in_queue(route.endpoint, route.version):
            return await generator.generate(request)

    async def _finish(
        self, deadline: asyncio.Timeout, req: TurnRequest, prep: Prepared, reply: str, source: str,
        gen_trace: dict[str, Any] | None,
    ) -> TurnResult:
        if gen_trace is not None and prep.route is not None:
            gen_trace = {**gen_trace, "route": prep.route.trace()}
        state = await self.workers.run(self.dst.observe_reply, prep.rewrite.state, reply)
        state_dict = state.to_dict()
        rewrite_dict = prep.rewrite.to_dict()
        selection = selection_dict(prep)
        mark = time.perf_counter()
        latency = {**prep.timings}
        # The reply exists: always finish storing it. A deadline firing mid-write would answer 504 for a turn
        # that the store then commits anyway, and the client's retry would duplicate it.
        deadline.reschedule(None)
        appended = await self.store.append_exchange(
            prep.conversation_id,
            Exchange(
                persona_id=prep.persona.id,
                user_text=req.message,
                reply=reply,
                rewrite=prep.rewrite.standalone,
                source=source,
                state=state_dict,
                scores=selection,
                trace={"rewrite": rewrite_dict, "generation": gen_trace, "latency_ms": latency,
                       # the conversation's A/B arm on every turn, retrieved ones included
                       "route": prep.route.trace() if prep.route is not None else None},
                latency_ms=ms_since(prep.started),
                request_id=req.request_id,
                owner=req.owner,
            ),
        )
        latency["store"] = ms_since(mark)
        latency["total"] = ms_since(prep.started)
        if self.metrics is not None:
            self._observe(prep, source, latency, gen_trace)
        usage = {}
        if gen_trace and "prompt_tokens" in gen_trace:
            usage = {"prompt_tokens": gen_trace["prompt_tokens"], "completion_tokens": gen_trace["completion_tokens"]}
        return TurnResult(
            conversation_id=prep.conversation_id,
            persona=prep.persona.id,
            reply=reply,
            source=source,
            rewrite=rewrite_dict,
            selection=selection,
            state=state_dict,
            latency_ms=latency,
            turn_index=appended.assistant_idx,
            generation=gen_trace,
            usage=usage,
        )

    def _stream_usage(self, prep: Prepared, reply: str) -> dict[str, Any]:
        assert prep.request is not None
        return stream_usage(self._generator(prep), prep.request, reply)

    # -- routing, shadow traffic and metrics (assistant.routing, assistant.metrics) ---------------------------
    def _route(self, req: TurnRequest, prep: Prepared) -> Route:
        pinned = pins.get()
        return self.router.route(
            prep.conversation_id,
            endpoint=req.endpoint or (pinned.endpoint if pinned else None),
            version=req.model_version or (pinned.version if pinned else None),
            persona=prep.persona.id,
        )

    def _generator(self, prep: Prepared) -> Generator:
        return prep.route.generator if prep.route is not None else self.generation

    def _launch_shadow(self, req: TurnRequest, prep: Prepared, reply: str, live_ms: float) -> None:
        # Only schedules a task: the shadow call can never reach the reply already computed.
        if self.shadow is not None and prep.route is not None and prep.request is not None:
            self.shadow.launch(prep.route, prep.request, live_reply=reply, live_ms=live_ms,
                               conversation_id=prep.conversation_id, request_id=req.request_id)

    def _observe(
        self, prep: Prepared, source: str, latency: dict[str, float], gen_trace: dict[str, Any] | None
    ) -> None:
        assert self.metrics is not None
        self.metrics.observe_turn(source, prep.selection.decision, latency)
        if source == "generate" and prep.route is not None:
            route = prep.route
            self.metrics.ab_assignments.labels(route.endpoint, route.version, route.assignment).inc()
            self.metrics.observe_generation(route.endpoint, route.version, gen_trace or {})

    def _persona(self, persona_id: str) -> Persona:
        return self.personas.get(persona_id)


def _retrieved(selection: Selection) -> str:
    if selection.hit is None:  # the selector's contract: "retrieve" always carries its hit
        raise RuntimeError(f"selection decided {selection.decision!r} without a hit")
    return selection.hit.answer
