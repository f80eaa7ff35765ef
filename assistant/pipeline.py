"""The turn pipeline: one user message in, one persisted, explained reply out.

Data flow (DESIGN.md, "One turn, as data"):
  lock the conversation -> load history + dialogue state -> dst: standalone rewrite -> retrieval: retrieve or
  generate -> (retrieve: the stored answer repaired to the persona's speech level, noted in the selection trace;
  generate: knowledge + persona prompt + controlled generation) -> dst: observe the reply ->
  store user turn, assistant turn and state in one transaction -> the reply with its trace.
The pipeline owns ordering, limits, timing and error translation; each stage's depth lives in its leaf package.
Leaf exceptions become `assistant.errors` here, so the API maps them to one error body.

The event loop only coordinates: the CPU-bound stage calls (context injection, response selection, knowledge search
and prompt, the speech-level repair of a retrieved answer, observing the reply, token counts) run on the turn's
worker threads (`assistant.workers`, `limits.turn_workers`), awaited while the conversation's lock is held, so
per-conversation order is unchanged. Those stage objects are safe to call from several threads: they keep no
per-call state, Kiwi is shared across threads by design, and their caches and lazy loads are locked.
Admission: a turn that generates takes one slot before its first event; dst's LM rewrite takes a slot only if one is
free at once (else the rule result is used) and gives it back before the turn asks for its own.
Deadline (`limits.request_timeout_s`) covers our work only: while a streamed turn waits for the client to read an
event, its clock is stopped (`stream` runs the turn in its own task, so the deadline is bound to that task).

A turn is never lost once its persona is known: when the reply fails with a server error (no LM loaded, LM error,
timeout; not a capacity refusal, which asks the client to resend), the user message, its rewrite and the dialogue
state update are stored as a failed user turn (`error_code`), still under the conversation's lock, and the error
carries the conversation id. Later turns resolve context from it; the LM prompt leaves failed turns out, since they
have no reply and their content already lives in the state. A retry is a new turn (there are no idempotency keys).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from typing import Any

from assistant.admission import Admission
from assistant.errors import AssistantError, Busy, NotFound, Timeout, Unavailable
from assistant.metrics import Metrics
from assistant.routing import ModelRouter, Route, ShadowRunner, pins
from assistant.settings import Settings
from assistant.store import ConversationStore, Exchange, FailedTurn, LockTimeout, StoreBusy, Turn
from assistant.wiring.generation import generation_error
from assistant.wiring.personas import to_api_error
from assistant.workers import StageWorkers
from dst import ContextInjector, DialogueState, HistoryTurn, Rewrite
from generation import GenerationError, GenerationRequest, Generator, InvalidGenerationRequest
from personas import Persona, PersonaNotFound, PersonaRegistry, PromptError, render_prompt
from retrieval import Retrieval, Selection

# Chat templates wrap each message in role markers (about 4-8 tokens in Llama-, Qwen- and EXAONE-style
# templates); budgeting the upper end keeps a trimmed prompt inside the context window.
TEMPLATE_TOKENS_PER_MESSAGE = 8
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class GenerationOverrides:
    """Per-request generation controls (OpenAI-compatible clients send these); None keeps the persona's."""

    max_new_tokens: int | None = None
    temperature: float | None = None
    top_p: float | None = None
    stop: list[str] | None = None


@dataclass(frozen=True)
class TurnRequest:
    message: str
    conversation_id: str | None = None
    persona: str | None = None
    owner: str | None = None
    request_id: str | None = None
    overrides: GenerationOverrides = GenerationOverrides()
    endpoint: str | None = None  # model endpoint (routing); None: the persona's, then the default one
    model_version: str | None = None  # pins a version of that endpoint, bypassing the A/B split
    # Operator instructions for the prompt (OpenAI system/developer messages), placed after the persona's rules.
    instructions: str | None = None


@dataclass
class TurnResult:
    conversation_id: str
    persona: str
    reply: str
    source: str
    rewrite: dict[str, Any]
    selection: dict[str, Any]
    state: dict[str, Any]
    latency_ms: dict[str, float]
    turn_index: int
    generation: dict[str, Any] | None = None
    usage: dict[str, int] = field(default_factory=dict)


@dataclass
class _Prepared:
    """Everything decided before the reply text exists (shared by the blocking and the streaming turn)."""

    conversation_id: str
    persona: Persona
    rewrite: Any
    selection: Selection
    history: list[Turn]
    timings: dict[str, float]
    started: float
    request: GenerationRequest | None = None
    route: Route | None = None
    reply: str = ""  # a retrieved turn's reply, in the persona's speech level
    speech_level: dict[str, Any] | None = None  # how that reply was converted, for the selection trace


@dataclass
class _Attempt:
    """What a turn has decided so far: enough to store its user message if the reply then fails."""

    started: float = field(default_factory=time.perf_counter)
    persona: Persona | None = None
    rewrite: Any = None
    timings: dict[str, float] = field(default_factory=dict)


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

    async def stream(self, req: TurnRequest) -> AsyncIterator[dict[str, Any]]:
        """Run one turn as events: rewrite, selection, text deltas, then the stored turn (`done`).

        The turn runs in a task of its own and hands over one event at a time: its deadline and cancellation then
        never depend on which task reads (a web server reads the first event in the request's task and the rest
        in another), and the reader's pace is not counted against the deadline. Closing the iterator (a client
        hang-up) cancels the turn and waits until it has given back its lock and slot.
        """
        handover: asyncio.Queue[tuple[str, Any]] = asyncio.Queue(maxsize=1)
        turn = asyncio.get_running_loop().create_task(self._stream_turn(req, handover))
        try:
            while True:
                kind, item = await handover.get()
                if kind == "event":
                    yield item
                elif kind == "error":
                    raise item
                else:
                    return
        finally:
            turn.cancel()
            await asyncio.wait({turn})

    async def _stream_turn(self, req: TurnRequest, handover: asyncio.Queue[tuple[str, Any]]) -> None:
        try:
            await self._stream_events(req, handover)
        except Exception as exc:  # the reader raises it; cancellation (the reader left) ends the task quietly
            await handover.put(("error", exc))
        else:
            await handover.put(("end", None))

    async def _stream_events(self, req: TurnRequest, handover: asyncio.Queue[tuple[str, Any]]) -> None:
        conversation_id = req.conversation_id or uuid.uuid4().hex
        async with self._turn(req, conversation_id) as (deadline, attempt):

            async def emit(event: str, data: dict[str, Any]) -> None:
                with _paused(deadline):  # waiting for the reader is not our work
                    await handover.put(("event", {"event": event, "data": data}))

            prep = await self._prepare(req, conversation_id, attempt)
            # Admitted before the first event, so a refusal is still a plain 503 with Retry-After.
            slot = self.admission.slot() if prep.request is not None else contextlib.nullcontext()
            gen_trace: dict[str, Any] | None = None
            async with slot:
                await emit("rewrite", prep.rewrite.to_dict())
                await emit("selection", _selection_dict(prep))
                if prep.request is None:
                    reply, source = prep.reply, "retrieve"
                    await emit("delta", {"text": reply})
                else:
                    started = time.perf_counter()
                    parts: list[str] = []
                    try:
                        async for delta in self._generator(prep).stream(prep.request):
                            parts.append(delta)
                            await emit("delta", {"text": delta})
                    except (GenerationError, InvalidGenerationRequest) as exc:
                        raise generation_error(exc) from None
                    prep.timings["generate"] = (time.perf_counter() - started) * 1000
                    reply, source = "".join(parts), "generate"
            # The slot is back before storing, as in `run`: the store is not generation.
            if source == "generate":
                gen_trace = await self.workers.run(self._stream_usage, prep, reply)
            result = await self._finish(deadline, req, prep, reply, source, gen_trace)
            if source == "generate":
                self._launch_shadow(req, prep, reply, prep.timings["generate"])
            await emit("done", result_to_dict(result))

    # -- the turn's scope: deadline, lock, failed turns ---------------------------------------------------------
    @contextlib.asynccontextmanager
    async def _turn(self, req: TurnRequest, conversation_id: str) -> AsyncIterator[tuple[asyncio.Timeout, _Attempt]]:
        """Hold the conversation's lock under the request deadline; store a failed turn before the lock is released."""
        limit = self.settings.limits.request_timeout_s
        attempt = _Attempt()
        stored = False
        try:
            async with asyncio.timeout(limit) as deadline, self.store.lock(conversation_id):
                try:
                    yield deadline, attempt
                except BaseException as exc:
                    stored = await self._store_failure(req, conversation_id, attempt, _failure(exc, deadline, limit))
                    if stored and isinstance(exc, AssistantError):
                        exc.conversation_id = conversation_id
                    raise
        except (LockTimeout, StoreBusy) as exc:
            raise Busy(str(exc), retry_after=1.0, param="conversation_id", code="conversation_busy") from None
        except TimeoutError:
            timeout = Timeout(f"the turn took longer than {limit:g} s", code="turn_timeout")
            timeout.conversation_id = conversation_id if stored else None
            raise timeout from None

    async def _store_failure(self, req: TurnRequest, conversation_id: str, attempt: _Attempt,
                             error: dict[str, Any] | None) -> bool:
        """Store the user turn of a failed turn; False when the failure is not stored (or storing it failed)."""
        if error is None or attempt.persona is None:  # a client error, a refusal, or nothing resolved yet
            return False
        rewrite = attempt.rewrite
        failed = FailedTurn(
            persona_id=attempt.persona.id, user_text=req.message, error_code=error["code"],
            rewrite=rewrite.standalone if rewrite is not None else None,
            state=rewrite.state.to_dict() if rewrite is not None else None,
            trace={"error": error, "rewrite": rewrite.to_dict() if rewrite is not None else None,
                   "latency_ms": dict(attempt.timings)},
            latency_ms=_ms(attempt.started), request_id=req.request_id, owner=req.owner,
        )
        try:
            await self.store.append_failed(conversation_id, failed)
        except Exception:  # the client must still get the turn's own error, not the store's
            log.warning("could not store the failed turn of conversation %s", conversation_id, exc_info=True)
            return False
        return True

    # -- stages ----------------------------------------------------------------------------------------------
    async def _prepare(self, req: TurnRequest, conversation_id: str, attempt: _Attempt) -> _Prepared:
        started = attempt.started = time.perf_counter()
        timings = attempt.timings
        conversation = await self.store.get(conversation_id)
        if conversation is not None and req.owner is not None and conversation.owner != req.owner:
            # Another key's conversation is reported exactly like a missing one.
            raise NotFound(f"conversation {conversation_id!r} not found", param="conversation_id")
        persona_id = req.persona or (conversation.persona_id if conversation else self.personas.default_id)
        persona = attempt.persona = self._persona(persona_id)
        history = await self.store.history(conversation_id, self.settings.limits.max_history_turns)
        timings["load"] = _ms(started)

        mark = time.perf_counter()
        state = DialogueState.from_dict(conversation.state) if conversation and conversation.state else None
        turns = [HistoryTurn(role=t.role, text=t.text) for t in history]  # type: ignore[arg-type]
        rewrite = attempt.rewrite = await self.rewrite(turns, req.message, state)
        timings["rewrite"] = _ms(mark)

        mark = time.perf_counter()
        selection = await self.workers.run(self.retrieval.select, rewrite.standalone, persona.response_set)
        timings["select"] = _ms(mark)

        prep = _Prepared(conversation_id, persona, rewrite, selection, history, timings, started)
        prep.route = self._route(req, prep)  # on every turn, so a bad pinned endpoint/version is always a 404
        if selection.decision == "generate":
            prep.request = await self.workers.run(self._generation_request, req, prep)
        else:
            mark = time.perf_counter()
            prep.reply, prep.speech_level = await self.workers.run(self._retrieved_reply, persona, selection)
            timings["speech_level"] = _ms(mark)
        return prep

    def _retrieved_reply(self, persona: Persona, selection: Selection) -> tuple[str, dict[str, Any] | None]:
        """The stored answer in the persona's speech level: response sets are shared between personas (the bundled
        one is written in 해요체), so a 반말 persona would otherwise answer in another persona's voice."""
        answer = _retrieved(selection)
        if not persona.speech_level:
            return answer, None
        reply = self.generation.speech.repair(answer, persona.speech_level)  # type: ignore[arg-type]
        return reply, {"target": persona.speech_level, "converted": reply != answer}

    def _generation_request(self, req: TurnRequest, prep: _Prepared) -> GenerationRequest:
        generator = self._generator(prep)
        ready, reason = generator.status()
        if not ready:
            raise Unavailable(
                f"this message needs generation, but no language model is loaded: {reason}",
                code="generation_unavailable",
            )
        persona = prep.persona
        mark = time.perf_counter()
        passages = self.retrieval.knowledge(prep.rewrite.standalone, persona.knowledge) if persona.knowledge else []
        controls = persona.generation
        limits = self.settings.limits
        max_new = min(req.overrides.max_new_tokens or controls.max_new_tokens, limits.max_new_tokens)
        try:
            messages = render_prompt(
                persona,
                [(t.role, t.text) for t in prep.history if not t.failed],
                utterance=req.message,
                standalone=prep.rewrite.standalone,
                knowledge=[(p.source, p.text) for p in passages],
                budget_tokens=max(generator.context_window - max_new, 64),
                count_tokens=generator.count_tokens,
                message_overhead_tokens=TEMPLATE_TOKENS_PER_MESSAGE,
                instructions=req.instructions or "",
            )
        except PromptError as exc:
            raise to_api_error(exc) from None
        prep.timings["prompt"] = _ms(mark)
        return GenerationRequest(
            messages=messages,
            max_new_tokens=max_new,
            temperature=req.overrides.temperature if req.overrides.temperature is not None else controls.temperature,
            top_p=req.overrides.top_p if req.overrides.top_p is not None else controls.top_p,
            stop=list(req.overrides.stop if req.overrides.stop is not None else controls.stop),
            banned_phrases=list(controls.banned_phrases),
            max_reply_chars=persona.style.max_reply_chars,
            speech_level=persona.speech_level,
            refusal=persona.refusal,
            timeout_s=limits.request_timeout_s,
        )

    async def _generate(self, request: GenerationRequest, route: Route | None = None) -> Any:
        generator = route.generator if route is not None else self.generation
        try:
            if self.metrics is None or route is None:
                return await generator.generate(request)
            with self.metrics.in_queue(route.endpoint, route.version):
                return await generator.generate(request)
        except (GenerationError, InvalidGenerationRequest) as exc:
            raise generation_error(exc) from None

    async def _finish(
        self, deadline: asyncio.Timeout, req: TurnRequest, prep: _Prepared, reply: str, source: str,
        gen_trace: dict[str, Any] | None,
    ) -> TurnResult:
        if gen_trace is not None and prep.route is not None:
            gen_trace = {**gen_trace, "route": prep.route.trace()}
        state = await self.workers.run(self.dst.observe_reply, prep.rewrite.state, reply)
        state_dict = state.to_dict()
        rewrite_dict = prep.rewrite.to_dict()
        selection_dict = _selection_dict(prep)
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
                scores=selection_dict,
                trace={"rewrite": rewrite_dict, "generation": gen_trace, "latency_ms": latency,
                       # the conversation's A/B arm on every turn, retrieved ones included
                       "route": prep.route.trace() if prep.route is not None else None},
                latency_ms=_ms(prep.started),
                request_id=req.request_id,
                owner=req.owner,
            ),
        )
        latency["store"] = _ms(mark)
        latency["total"] = _ms(prep.started)
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
            selection=selection_dict,
            state=state_dict,
            latency_ms=latency,
            turn_index=appended.assistant_idx,
            generation=gen_trace,
            usage=usage,
        )

    def _stream_usage(self, prep: _Prepared, reply: str) -> dict[str, Any]:
        """Token counts of a streamed turn (the backend streams text only), for usage and quotas."""
        assert prep.request is not None
        count = self._generator(prep).count_tokens
        prompt = sum(count(m["content"]) + TEMPLATE_TOKENS_PER_MESSAGE for m in prep.request.messages)
        return {"streamed": True, "prompt_tokens": prompt, "completion_tokens": count(reply) if reply else 0}

    # -- routing, shadow traffic and metrics (assistant.routing, assistant.metrics) ---------------------------
    def _route(self, req: TurnRequest, prep: _Prepared) -> Route:
        pinned = pins.get()
        return self.router.route(
            prep.conversation_id,
            endpoint=req.endpoint or (pinned.endpoint if pinned else None),
            version=req.model_version or (pinned.version if pinned else None),
            persona=prep.persona.id,
        )

    def _generator(self, prep: _Prepared) -> Generator:
        return prep.route.generator if prep.route is not None else self.generation

    def _launch_shadow(self, req: TurnRequest, prep: _Prepared, reply: str, live_ms: float) -> None:
        # Only schedules a task: the shadow call can never reach the reply already computed.
        if self.shadow is not None and prep.route is not None and prep.request is not None:
            self.shadow.launch(prep.route, prep.request, live_reply=reply, live_ms=live_ms,
                               conversation_id=prep.conversation_id, request_id=req.request_id)

    def _observe(
        self, prep: _Prepared, source: str, latency: dict[str, float], gen_trace: dict[str, Any] | None
    ) -> None:
        assert self.metrics is not None
        self.metrics.observe_turn(source, prep.selection.decision, latency)
        if source == "generate" and prep.route is not None:
            route = prep.route
            self.metrics.ab_assignments.labels(route.endpoint, route.version, route.assignment).inc()
            self.metrics.observe_generation(route.endpoint, route.version, gen_trace or {})

    def _persona(self, persona_id: str) -> Persona:
        try:
            return self.personas.get(persona_id)
        except PersonaNotFound:
            raise NotFound(f"persona {persona_id!r} not found", param="persona", code="persona_not_found") from None


def result_to_dict(result: TurnResult) -> dict[str, Any]:
    return {
        "conversation_id": result.conversation_id,
        "persona": result.persona,
        "turn_index": result.turn_index,
        "reply": result.reply,
        "source": result.source,
        "rewrite": result.rewrite,
        "selection": result.selection,
        "state": result.state,
        "generation": result.generation,
        "latency_ms": result.latency_ms,
    }


@contextlib.contextmanager
def _paused(deadline: asyncio.Timeout) -> Iterator[None]:
    """Stop the turn's clock while the caller holds a yielded event: a slow reader is not our work."""
    when = deadline.when()
    if when is None:  # already stopped: the reply is being stored
        yield
        return
    loop = asyncio.get_running_loop()
    left = when - loop.time()
    deadline.reschedule(None)
    try:
        yield
    finally:
        deadline.reschedule(loop.time() + left)


def _ms(since: float) -> float:
    return round((time.perf_counter() - since) * 1000, 3)


def _failure(exc: BaseException, deadline: asyncio.Timeout, limit_s: float) -> dict[str, Any] | None:
    """The error to store with a failed turn, or None when this exception does not make one."""
    if isinstance(exc, asyncio.CancelledError) and deadline.expired():
        return {"status": Timeout.status_code, "type": Timeout.error_type, "code": "turn_timeout",
                "message": f"the turn took longer than {limit_s:g} s"}
    # Client errors (4xx) refuse the request itself; Busy asks the client to resend, which would store it twice.
    if isinstance(exc, AssistantError) and exc.status_code >= 500 and not isinstance(exc, Busy):
        return {"status": exc.status_code, "type": exc.error_type, "code": exc.code or exc.error_type,
                "message": exc.message}
    return None


def _selection_dict(prep: _Prepared) -> dict[str, Any]:
    selection = prep.selection.to_dict()
    if prep.speech_level is not None:
        selection["speech_level"] = prep.speech_level  # the reply is the hit's answer converted to this level
    return selection


def _retrieved(selection: Selection) -> str:
    if selection.hit is None:  # the selector's contract: "retrieve" always carries its hit
        raise RuntimeError(f"selection decided {selection.decision!r} without a hit")
    return selection.hit.answer
