"""transformers backend: one model on one device, with dynamic batching and streaming.

The prompt is the tokenizer's own chat template. Concurrent requests go through `DynamicBatcher` and are
decoded by one `model.generate` call on a left-padded batch. Per-row control (each request's own
max_new_tokens, stop sequences, deadline and cancellation) is a `StoppingCriteria` that returns one flag per
row, so a finished or abandoned request stops consuming compute without stopping its batch mates; it also
turns each row's new tokens into text deltas for that request's stream.

Loading uses `from_pretrained(hub id or local path)`; with `local_files_only` a model missing from disk
fails in milliseconds instead of blocking start-up on the network.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

from generation.backend import LMBackend, apply_stops, stop_holdback
from generation.batching import DynamicBatcher, Job
from generation.errors import GenerationTimeout, GenerationUnavailable, InvalidGenerationRequest
from generation.types import GenerationRequest, StreamEvent

log = logging.getLogger(__name__)


def pick_device(device: str) -> str:
    import torch

    if device != "auto":
        return device
    if torch.cuda.is_available():
        return "cuda"
    if getattr(torch.backends, "mps", None) is not None and torch.backends.mps.is_available():
        return "mps"
    return "cpu"


def pick_dtype(dtype: str, device: str) -> Any:
    import torch

    if dtype != "auto":
        return getattr(torch, dtype)
    if device.startswith("cuda"):
        return torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16
    if device == "mps":
        return torch.float16
    return torch.float32  # half precision on CPU is slower than float32 for these kernels


@dataclass(frozen=True)
class DecodeKey:
    """Requests decode together only when these agree (they are batch-wide arguments of `generate`)."""

    do_sample: bool
    temperature: float
    top_p: float
    top_k: int | None
    repetition_penalty: float
    seed: int | None


class TransformersBackend(LMBackend):
    name = "transformers"

    def __init__(self, model: str, *, device: str = "auto", dtype: str = "auto", local_files_only: bool = True,
                 trust_remote_code: bool = False, max_batch_size: int = 8, batch_wait_ms: float = 5.0,
                 max_queue: int = 64, context_window: int | None = None) -> None:
        self.model_id = model
        self.device = device
        self.dtype = dtype
        self.local_files_only = local_files_only
        self.trust_remote_code = trust_remote_code
        self.max_batch_size = max_batch_size
        self.batch_wait_ms = batch_wait_ms
        self.max_queue = max_queue
        self._context_override = context_window
        self.model: Any = None
        self.tokenizer: Any = None
        self.batcher: DynamicBatcher | None = None
        self.forward_passes = 0
        self._state = "not loaded"
        self._error: str | None = None
        self._lock = threading.Lock()

    # -- loading -------------------------------------------------------------------------------------
    def load(self) -> None:
        """Load tokenizer and model synchronously; failures are recorded in `status()` and re-raised."""
        with self._lock:
            if self.model is not None:
                return
            self._state = "loading"
            try:
                self._load()
            except Exception as exc:
                self._state = "failed"
                self._error = f"cannot load model {self.model_id!r}: {type(exc).__name__}: {exc}"
                log.error("%s", self._error)
                raise GenerationUnavailable(self._error) from exc
            self._state = "ready"

    def load_in_background(self) -> threading.Thread:
        def run() -> None:
            with contextlib.suppress(GenerationUnavailable):  # recorded in status()
                self.load()

        thread = threading.Thread(target=run, name="generation-model-load", daemon=True)
        self._state = "loading"
        thread.start()
        return thread

    def _load(self) -> None:
        from transformers import AutoModelForCausalLM, AutoTokenizer

        device = pick_device(self.device)
        dtype = pick_dtype(self.dtype, device)
        kwargs = {"local_files_only": self.local_files_only, "trust_remote_code": self.trust_remote_code}
        tokenizer = AutoTokenizer.from_pretrained(self.model_id, **kwargs)
        if not getattr(tokenizer, "chat_template", None):
            raise InvalidGenerationRequest(f"tokenizer of {self.model_id!r} has no chat template")
        tokenizer.padding_side = "left"  # decoder-only: new tokens must follow the prompt directly
        if tokenizer.pad_token_id is None:
            tokenizer.pad_token = tokenizer.eos_token
        model = AutoModelForCausalLM.from_pretrained(self.model_id, dtype=dtype, **kwargs).to(device)
        model.eval()
        model.register_forward_hook(self._count_forward)
        self.tokenizer, self.model, self.resolved_device, self.resolved_dtype = tokenizer, model, device, dtype
        self._eos_ids = self._eos_token_ids()
        self.batcher = DynamicBatcher(self._run_batch, max_batch_size=self.max_batch_size,
                                      wait_s=self.batch_wait_ms / 1000, max_queue=self.max_queue)

    def _count_forward(self, *_: Any) -> None:
        self.forward_passes += 1

    def _eos_token_ids(self) -> set[int]:
        ids = self.model.generation_config.eos_token_id
        ids = set(ids if isinstance(ids, list) else [ids] if ids is not None else [])
        if self.tokenizer.eos_token_id is not None:
            ids.add(self.tokenizer.eos_token_id)
        return ids

    # -- contract ------------------------------------------------------------------------------------
    @property
    def context_window(self) -> int:
        if self._context_override:
            return self._context_override
        if self.model is None:
            return 0
        return int(getattr(self.model.config, "max_position_embeddings", 2048))

    def status(self) -> tuple[bool, str]:
        if self._state == "ready":
            return True, (f"transformers model {self.model_id!r} on {self.resolved_device} "
                          f"({str(self.resolved_dtype).removeprefix('torch.')}), batch<={self.max_batch_size}")
        if self._state == "failed":
            return False, self._error or "model failed to load"
        if self._state == "loading":
            return False, f"model {self.model_id!r} is loading"
        return False, f"model {self.model_id!r} is not loaded"

    def count_tokens(self, text: str) -> int:
        self._require()
        return len(self.tokenizer(text, add_special_tokens=False)["input_ids"])

    def render_prompt(self, messages: list[dict[str, str]]) -> str:
        self._require()
        return self.tokenizer.apply_chat_template(messages, add_generation_prompt=True, tokenize=False)

    def encode_prompt(self, messages: list[dict[str, str]]) -> list[int]:
        return list(self.tokenizer(self.render_prompt(messages), add_special_tokens=False)["input_ids"])

    async def aclose(self) -> None:
        if self.batcher is not None:
            await asyncio.to_thread(self.batcher.close)

    def _require(self) -> None:
        if self.model is None:
            raise GenerationUnavailable(self.status()[1])

    async def events(self, request: GenerationRequest) -> AsyncIterator[StreamEvent]:
        self._require()
        async for event in self.events_for_ids(self.encode_prompt(request.messages), request):
            yield event

    async def completion_events(self, request: GenerationRequest) -> AsyncIterator[StreamEvent]:
        # Without a listener for deltas the worker neither decodes every step nor wakes this loop per token.
        self._require()
        async for event in self.events_for_ids(self.encode_prompt(request.messages), request, streaming=False):
            yield event

    async def events_for_ids(self, ids: list[int], request: GenerationRequest,
                             streaming: bool = True) -> AsyncIterator[StreamEvent]:
        self._require()
        assert self.batcher is not None
        room = self.context_window - len(ids)
        if room < 1:
            raise InvalidGenerationRequest(
                f"prompt has {len(ids)} tokens; the model's context window is {self.context_window}",
                param="messages")
        sampling = request.sampling
        key = DecodeKey(sampling, request.temperature if sampling else 1.0, request.top_p if sampling else 1.0,
                        request.top_k if sampling else None, request.repetition_penalty,
                        request.seed if sampling else None)
        loop = asyncio.get_running_loop()
        deadline = time.monotonic() + request.timeout_s if request.timeout_s else None
        job = Job(prompt_ids=ids, key=key, max_new_tokens=min(request.max_new_tokens, room),
                  stop=tuple(request.stop), loop=loop, events=asyncio.Queue(), deadline=deadline,
                  streaming=streaming)
        self.batcher.submit(job)
        try:
            while True:
                remaining = None if deadline is None else deadline - time.monotonic()
                if remaining is not None and remaining <= 0:
                    raise GenerationTimeout(f"generation exceeded its {request.timeout_s}s timeout")
                try:
                    item = await asyncio.wait_for(job.events.get(), remaining)
                except TimeoutError:
                    raise GenerationTimeout(f"generation exceeded its {request.timeout_s}s timeout") from None
                if isinstance(item, BaseException):
                    raise item
                yield item
                if item.finish_reason is not None:
                    return
        finally:
            job.cancelled = True  # no-op when finished; otherwise the worker drops the row at its next step

    # -- worker thread -------------------------------------------------------------------------------
    def _run_batch(self, jobs: list[Job]) -> None:
        import torch
        from transformers import StoppingCriteriaList

        key: DecodeKey = jobs[0].key  # type: ignore[assignment]
        width = max(len(job.prompt_ids) for job in jobs)
        pad = self.tokenizer.pad_token_id
        input_ids = torch.tensor([[pad] * (width - len(j.prompt_ids)) + j.prompt_ids for j in jobs])
        mask = torch.tensor([[0] * (width - len(j.prompt_ids)) + [1] * len(j.prompt_ids) for j in jobs])
        rows = _RowControl(jobs, self.tokenizer, self._eos_ids, width)
        params: dict[str, Any] = {"do_sample": key.do_sample, "repetition_penalty": key.repetition_penalty}
        if key.do_sample:
            params.update(temperature=key.temperature, top_p=key.top_p, top_k=key.top_k or 0)
            if key.seed is not None:
                torch.manual_seed(key.seed)
        else:
            params.update(temperature=None, top_p=None, top_k=None)
        with torch.inference_mode():
            self.model.generate(
                input_ids=input_ids.to(self.model.device), attention_mask=mask.to(self.model.device),
                max_new_tokens=min(max(j.max_new_tokens for j in jobs), self.context_window - width),
                stopping_criteria=StoppingCriteriaList([rows]), pad_token_id=pad,
                eos_token_id=sorted(self._eos_ids) or None, **params)
        rows.finish_all()


class _RowControl:
    """StoppingCriteria with one verdict per row; it also streams each row's new text to its job."""

    def __init__(self, jobs: list[Job], tokenizer: Any, eos_ids: set[int], prompt_width: int) -> None:
        self.jobs, self.tokenizer, self.eos_ids, self.width = jobs, tokenizer, eos_ids, prompt_width

    def __call__(self, input_ids: Any, scores: Any, **_: Any) -> Any:
        import torch

        last = input_ids[:, -1].tolist()
        now = time.monotonic()
        for job, token in zip(self.jobs, last, strict=True):
            if job.done:
                continue
            if job.deadline is not None and now >= job.deadline:
                job.cancelled = True
                continue
            if token in self.eos_ids:
                self._finish(job, "stop")
                continue
            job.tokens.append(token)
            if job.streaming or job.stop:
                self._emit(job)
            if job.finish_reason is None and len(job.tokens) >= job.max_new_tokens:
                self._finish(job, "length")
        return torch.tensor([job.done for job in self.jobs], dtype=torch.bool, device=input_ids.device)

    def _emit(self, job: Job, final: bool = False) -> bool:
        text, stopped = apply_stops(self.tokenizer.decode(job.tokens, skip_special_tokens=True), job.stop)
        end = len(text.rstrip("\ufffd"))
        if not (stopped or final):
            # Hold back what may be the start of a stop sequence or of an incomplete multi-byte character.
            end -= stop_holdback(job.stop)
        if end > job.emitted_chars and (job.streaming or final or stopped):
            job.push(StreamEvent(text=text[job.emitted_chars:end]))
            job.emitted_chars = end
        if stopped and not final:
            self._finish(job, "stop")
        return stopped

    def _finish(self, job: Job, reason: str) -> None:
        job.finish_reason = reason
        self._emit(job, final=True)
        job.push(StreamEvent(text="", finish_reason=reason, prompt_tokens=len(job.prompt_ids),
                             completion_tokens=len(job.tokens)))

    def finish_all(self) -> None:
        """Rows still open when `generate` returned hit the batch-wide length limit."""
        for job in self.jobs:
            if not job.done:
                self._finish(job, "length")
