"""The turn pipeline: one user message in, one persisted, explained reply out.

Data flow (docs/architecture.md, "One turn, as data"), each stage a frozen result (`assistant.pipeline.stages`):
  lock the conversation -> Loaded (history + dialogue state) -> Rewritten (dst: standalone rewrite) -> Selected
  (retrieval: retrieve or generate, and the model route) -> RetrievedReply (the stored answer repaired to the
  persona's speech level, noted in the selection trace) or GenerationRequest (knowledge + persona prompt) ->
  Reply (controlled generation) -> dst: observe the reply -> store user turn, assistant turn and state in one
  transaction -> TurnResult, the reply with its trace. One `StageClock` per turn times the stages.
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
Shutdown (`assistant.shutdown`): every turn is admitted by the pipeline's `drain`; once the server begins to shut
down new turns are refused (503 `shutting_down`), and turns still running after `server.shutdown_grace_s` are
cancelled and fail like any server error (their failed turn stored, an `error` event for a streamed one).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import uuid
from collections.abc import AsyncGenerator, Awaitable, Callable, Sequence
from typing import Any

from assistant.admission import Admission
from assistant.errors import NotFound, Unavailable
from assistant.metrics import Metrics
from assistant.pipeline.events import Put, handover, paused, put_within
from assistant.pipeline.failures import turn_scope
from assistant.pipeline.outcomes import client_turns, count_turn, direct_reply
from assistant.pipeline.request import generation_request
from assistant.pipeline.stages import (
    FallbackReply,
    Loaded,
    Plan,
    Reply,
    RetrievedReply,
    Rewritten,
    Selected,
    StageClock,
    TurnProgress,
    selection_trace,
)
from assistant.pipeline.types import Source, TurnRequest, TurnResult, result_to_dict
from assistant.routing import ModelRouter, Route, ShadowRunner, pins
from assistant.settings import Settings
from assistant.shutdown import TurnDrain
from assistant.store import ConversationStore, Exchange, served_from_selection
from assistant.workers import StageWorkers
from dst import ContextInjector, DialogueState, HistoryTurn, Rewrite
from dst.types import Role
from generation import Completion, GenerationRequest, GenerationUnavailable, Generator
from personas import Persona, PersonaRegistry
from retrieval import Retrieval, Selection

log = logging.getLogger(__name__)
Emit = Callable[[str, dict[str, Any]], Awaitable[None]]  # hands one event of a streamed turn to its reader


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
        self.admission = Admission(settings.admission)
        self.router = router or ModelRouter.single(generation)
        self.metrics = metrics
        self.shadow = shadow
        self.workers = StageWorkers(settings.limits.turn_workers)
        self.drain = TurnDrain()  # graceful shutdown: `assistant.shutdown`

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
        with count_turn(self.metrics) as counted:
            async with self._turn(req, conversation_id) as (deadline, progress):
                selected, plan = await self._prepare(req, conversation_id, progress)
                if not isinstance(plan, GenerationRequest):
                    reply = direct_reply(plan)
                else:
                    try:
                        async with self.admission.slot():
                            completion = await self._generate(plan, selected.route)
                    except GenerationUnavailable as exc:  # the LM failed before answering: the fallback, if allowed
                        plan = self._fallback(req, exc)
                        reply = Reply.fallback(plan)
                    else:
                        progress.clock.record("generate", completion.latency_ms)
                        reply = Reply.generated(completion, req.prefill)
                result = counted.result = await self._finish(deadline, req, selected, plan, reply, progress.clock)
                if isinstance(plan, GenerationRequest):
                    self._launch_shadow(req, selected, plan, result.reply, completion.latency_ms)
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
        with count_turn(self.metrics) as counted:
            result = counted.result = await self._streamed_turn(req, put)
        # Stored and unlocked: a slow reader of `done` holds nothing, and must not turn a stored turn into a failure.
        await put({"event": "done", "data": result_to_dict(result)})

    async def _streamed_turn(self, req: TurnRequest, put: Put) -> TurnResult:
        conversation_id = req.conversation_id or uuid.uuid4().hex
        idle_s = self.settings.limits.stream_idle_timeout_s
        async with self._turn(req, conversation_id) as (deadline, progress):

            async def emit(event: str, data: dict[str, Any]) -> None:
                with paused(deadline):  # waiting for the reader is not our work, but it is bounded
                    await put_within(put, {"event": event, "data": data}, idle_s)

            selected, plan = await self._prepare(req, conversation_id, progress)
            # Admitted before the first event, so a refusal is still a plain 503 with Retry-After.
            slot = self.admission.slot() if isinstance(plan, GenerationRequest) else contextlib.nullcontext()
            async with slot:
                await emit("rewrite", selected.rewrite.to_dict())
                await emit("selection", selection_trace(selected.selection, plan))
                if not isinstance(plan, GenerationRequest):
                    reply = direct_reply(plan)
                    await emit("delta", {"text": reply.text})
                else:
                    reply = await self._stream_text(req, plan, selected.route, emit, progress.clock)
            # The slot is back before storing, as in `run`: the store is not generation.
            result = await self._finish(deadline, req, selected, plan, reply, progress.clock)
            if isinstance(plan, GenerationRequest):
                self._launch_shadow(req, selected, plan, reply.text, progress.clock.timings().get("generate", 0.0))
            return result
        raise AssertionError("unreachable")

    def _turn(self, req: TurnRequest, conversation_id: str
              ) -> contextlib.AbstractAsyncContextManager[tuple[asyncio.Timeout, TurnProgress]]:
        return turn_scope(self.store, self.settings.limits.request_timeout_s, req, conversation_id, self.drain)

    # -- stages ----------------------------------------------------------------------------------------------
    async def _prepare(self, req: TurnRequest, conversation_id: str,
                       progress: TurnProgress) -> tuple[Selected, Plan]:
        """Load -> rewrite -> select -> plan; each result is recorded in `progress` once a failed turn can use it."""
        clock = progress.clock
        loaded = progress.reached = await self._load(req, conversation_id, clock)
        with clock.stage("rewrite"):
            # ignore: a stored or client-sent role is a plain str; HistoryTurn validates it (DstInputError)
            turns = [HistoryTurn(role=t.role, text=t.text) for t in loaded.history]  # type: ignore[arg-type]
            rewritten = progress.reached = Rewritten(loaded, await self.rewrite(turns, req.message, loaded.state))
        with clock.stage("select"):
            selection = await self.workers.run(self._select, req, rewritten)
        if self.metrics is not None:  # counted when made, whatever becomes of the turn
            self.metrics.selector_decisions.labels(selection.decision).inc()
        selected = Selected(rewritten, selection, self._route(req, conversation_id, loaded.persona.id))
        if selection.decision == "generate":
            try:
                return selected, await self.workers.run(self._generation_request, req, selected, clock)
            except Unavailable as exc:  # no LM loaded: the persona's fallback reply, unless the client is strict
                return selected, self._fallback(req, exc, loaded.persona)
        with clock.stage("speech_level"):
            text, speech_level = await self.workers.run(self._retrieved_reply, loaded.persona, selection)
        return selected, RetrievedReply(text, speech_level)

    def _select(self, req: TurnRequest, rewritten: Rewritten) -> Selection:
        """Retrieve or generate, from the persona's own response sets; a prefill or a JSON reply always generates."""
        if req.prefill or req.overrides.response_format is not None:
            why = "a prefilled reply" if req.prefill else "a JSON reply (response_format)"
            return Selection("generate", None, 0.0, f"{why} needs the LM", [], "", 0.0)
        return self.retrieval.select_from(rewritten.rewrite.standalone, rewritten.loaded.persona.answer_sets)

    def _fallback(self, req: TurnRequest, exc: Exception, persona: Persona | None = None) -> FallbackReply:
        """The persona's fallback reply when no LM can answer; the error itself for strict clients and JSON."""
        section = self.settings.personas.fallback
        strict = not section.enabled if req.strict is None else req.strict
        if strict or req.overrides.response_format is not None:
            raise exc
        persona = persona or self.personas.get(req.persona or self.personas.default_id)
        text = persona.fallback or section.replies[persona.speech_level]
        return FallbackReply(text, str(getattr(exc, "message", exc)))

    async def _load(self, req: TurnRequest, conversation_id: str, clock: StageClock) -> Loaded:
        with clock.stage("load"):
            conversation = await self.store.get(conversation_id)
            if conversation is not None and req.owner is not None and conversation.owner != req.owner:
                # Another key's conversation is reported exactly like a missing one.
                raise NotFound(f"conversation {conversation_id!r} not found", param="conversation_id")
            persona_id = req.persona or (conversation.persona_id if conversation else self.personas.default_id)
            persona = self.personas.get(persona_id)
            limit = self.settings.limits.max_history_turns
            if req.history is not None:  # client-held: the client's copy is the history, the state is rebuilt from it
                return Loaded(conversation_id, persona, client_turns(req.history, limit), None)
            history = await self.store.history(conversation_id, limit)
        state = DialogueState.from_dict(conversation.state) if conversation and conversation.state else None
        return Loaded(conversation_id, persona, tuple(history), state)

    def _retrieved_reply(self, persona: Persona, selection: Selection) -> tuple[str, dict[str, Any] | None]:
        """The stored answer in the persona's speech level: response sets are shared between personas (the bundled
        one is written in 해요체), so a 반말 persona would otherwise answer in another persona's voice."""
        answer = _retrieved(selection)
        if not persona.speech_level:
            return answer, None
        try:
            reply = self.generation.speech.repair(answer, persona.speech_level)
        except Exception as exc:  # a heuristic repair must not turn a good retrieval into a 500
            log.warning("speech-level repair to %s failed; answering the stored text", persona.speech_level,
                        exc_info=True)
            return answer, {"target": persona.speech_level, "converted": False, "error": type(exc).__name__}
        return reply, {"target": persona.speech_level, "converted": reply != answer}

    def _generation_request(self, req: TurnRequest, selected: Selected, clock: StageClock) -> GenerationRequest:
        return generation_request(self.settings.limits, self.settings.generation.defaults, self.retrieval,
                                  selected.route.generator, req, selected, clock)

    async def _generate(self, request: GenerationRequest, route: Route) -> Completion:
        if self.metrics is None:
            return await route.generator.generate(request)
        with self.metrics.in_queue(route.endpoint, route.version):
            return await route.generator.generate(request)

    async def _stream_text(self, req: TurnRequest, request: GenerationRequest, route: Route, emit: Emit,
                           clock: StageClock) -> Reply:
        """Token-level deltas through the generator's hold-back; the reply with the backend's exact counts. An LM
        that fails before its first delta gets the fallback reply (if allowed), sent as the one delta."""
        stream, sent = route.generator.stream(request), False
        try:
            with clock.stage("generate"):
                async for delta in stream:
                    sent = True
                    await emit("delta", {"text": delta})
        except GenerationUnavailable as exc:
            if sent:
                raise
            reply = Reply.fallback(self._fallback(req, exc))
            await emit("delta", {"text": reply.text})
            return reply
        finally:
            await stream.aclose()
        assert stream.completion is not None
        return Reply.generated(stream.completion, req.prefill)

    async def _finish(self, deadline: asyncio.Timeout, req: TurnRequest, selected: Selected, plan: Plan,
                      reply: Reply, clock: StageClock) -> TurnResult:
        """Observe the reply, store the exchange in one transaction, and return the turn with its trace."""
        route = selected.route
        generation = {**reply.generation, "route": route.trace()} if reply.generation is not None else None
        observed = await self.workers.run(self.dst.observe_reply, selected.rewrite.state, reply.text)
        state, rewrite = observed.to_dict(), selected.rewrite.to_dict()
        selection = selection_trace(selected.selection, plan)
        stages_ms = clock.timings()
        # The reply exists: always finish storing it. A deadline firing mid-write would answer 504 for a turn
        # that the store then commits anyway, and the client's retry would duplicate it.
        deadline.reschedule(None)
        with clock.stage("store"):
            appended = await self.store.append_exchange(selected.loaded.conversation_id, Exchange(
                persona_id=selected.loaded.persona.id, user_text=req.message, reply=reply.text,
                rewrite=selected.rewrite.standalone, source=reply.source, state=state, scores=selection,
                # the conversation's A/B arm on every turn, retrieved ones included
                trace={"rewrite": rewrite, "generation": generation, "latency_ms": stages_ms, "route": route.trace()},
                latency_ms=clock.total_ms(), request_id=req.request_id, owner=req.owner,
                reuse_user=req.reuse_user_turn,
                served=served_from_selection(selection, selected.rewrite.standalone, selected.loaded.persona.id),
            ))
        latency = {**clock.timings(), "total": clock.total_ms()}
        if self.metrics is not None:
            self._observe(selected, reply.source, latency, generation)
        usage = {}
        if generation and "prompt_tokens" in generation:
            usage = {"prompt_tokens": generation["prompt_tokens"], "completion_tokens": generation["completion_tokens"]}
        return TurnResult(
            conversation_id=selected.loaded.conversation_id, persona=selected.loaded.persona.id, reply=reply.text,
            source=reply.source, rewrite=rewrite, selection=selection, state=state, latency_ms=latency,
            turn_index=appended.assistant_idx, generation=generation, usage=usage,
        )

    # -- routing, shadow traffic and metrics (assistant.routing, assistant.metrics) ---------------------------
    def _route(self, req: TurnRequest, conversation_id: str, persona_id: str) -> Route:
        pinned = pins.get()
        return self.router.route(
            conversation_id,
            endpoint=req.endpoint or (pinned.endpoint if pinned else None),
            version=req.model_version or (pinned.version if pinned else None),
            persona=persona_id,
        )

    def _launch_shadow(self, req: TurnRequest, selected: Selected, request: GenerationRequest, reply: str,
                       live_ms: float) -> None:
        # Only schedules a task: the shadow call can never reach the reply already computed.
        if self.shadow is not None:
            self.shadow.launch(selected.route, request, live_reply=reply, live_ms=live_ms,
                               conversation_id=selected.loaded.conversation_id, request_id=req.request_id)

    def _observe(self, selected: Selected, source: Source, latency: dict[str, float],
                 generation: dict[str, Any] | None) -> None:
        assert self.metrics is not None
        self.metrics.observe_stages(latency)
        if source == "generate":
            route = selected.route
            self.metrics.ab_assignments.labels(route.endpoint, route.version, route.assignment).inc()
            self.metrics.observe_generation(route.endpoint, route.version, generation or {})


def _retrieved(selection: Selection) -> str:
    if selection.hit is None:  # the selector's contract: "retrieve" always carries its hit
        raise RuntimeError(f"selection decided {selection.decision!r} without a hit")
    return selection.hit.answer
