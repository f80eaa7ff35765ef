"""transformers backend: one model on one device, with continuous batching, prefix reuse and streaming.

The prompt is the tokenizer's own chat template. Requests go through `ContinuousBatcher`
(`generation.batching`): they join the running batch at the next decoding step and leave it when they finish,
each with its own sampling parameters, stop strings, token limit, deadline and cancellation
(`generation.decode_engine`, which also says why transformers' own continuous-batching manager is not used).
The KV of a prompt prefix that recurs (a persona's system prompt and examples) is kept in a bounded LRU
`PrefixCache` and reused, so a persona's turns only prefill what follows it.

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
from typing import Any

from generation.backend import LMBackend
from generation.batching import ContinuousBatcher, Job
from generation.config import GenerationConfig
from generation.decode_engine import DecodeEngine
from generation.errors import GenerationTimeout, GenerationUnavailable, InvalidGenerationRequest
from generation.kv_batch import ModelRunner
from generation.prefix_cache import PrefixCache
from generation.sampling import Sampling
from generation.types import GenerationRequest, StreamEvent

log = logging.getLogger(__name__)
# transformers resolves its names lazily, and two threads resolving them at once can fail with an ImportError
# (two backends loading in the background, as routing does): one import at a time.
_IMPORT_LOCK = threading.Lock()


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


class TransformersBackend(LMBackend):
    name = "transformers"
    supports_prefill = True
    supports_raw_prompt = True

    def __init__(self, config: GenerationConfig) -> None:
        """`config`'s model, device, dtype, local_files_only, trust_remote_code, context_window (None: the
        model's), batching (max_batch_size, batch_wait_ms, max_queue, prefill_chunk_tokens) and prefix cache
        (prefix_cache_mb, prefix_cache_min_tokens); nothing is loaded until `load` or `load_in_background`."""
        self.config = config
        self.model_id = config.model
        self.device = config.device
        self.dtype = config.dtype
        self.local_files_only = config.local_files_only
        self.trust_remote_code = config.trust_remote_code
        self.max_batch_size = config.max_batch_size
        self.batch_wait_ms = config.batch_wait_ms
        self.max_queue = config.max_queue
        self.prefill_chunk_tokens = config.prefill_chunk_tokens
        self.prefix_cache = PrefixCache(max_bytes=int(config.prefix_cache_mb * 2**20),
                                        min_tokens=config.prefix_cache_min_tokens)
        self._context_override = config.context_window
        self.model: Any = None
        self.tokenizer: Any = None
        self.engine: DecodeEngine | None = None
        self.batcher: ContinuousBatcher | None = None
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
        with _IMPORT_LOCK:
            from transformers import AutoModelForCausalLM, AutoTokenizer

        device = pick_device(self.device)
        dtype = pick_dtype(self.dtype, device)
        kwargs = {"local_files_only": self.local_files_only, "trust_remote_code": self.trust_remote_code}
        tokenizer = AutoTokenizer.from_pretrained(self.model_id, **kwargs)
        if not getattr(tokenizer, "chat_template", None):
            raise InvalidGenerationRequest(f"tokenizer of {self.model_id!r} has no chat template")
        pad_id = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else tokenizer.eos_token_id
        model: Any = AutoModelForCausalLM.from_pretrained(self.model_id, dtype=dtype, **kwargs)
        model = model.to(device)  # (typed apart: transformers' @wraps(Module.to) hides the binding from checkers)
        model.eval()
        model.register_forward_hook(self._count_forward)
        self.tokenizer, self.model, self.resolved_device, self.resolved_dtype = tokenizer, model, device, dtype
        self._eos_ids = self._eos_token_ids()
        self.prefix_cache.clear()
        self.engine = DecodeEngine(ModelRunner(model, pad_id or 0), tokenizer, self._eos_ids,
                                   prefill_chunk_tokens=self.prefill_chunk_tokens, prefix_cache=self.prefix_cache)
        self.batcher = ContinuousBatcher(self.engine, max_batch_size=self.max_batch_size,
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
                          f"({str(self.resolved_dtype).removeprefix('torch.')}), continuous batching of up to "
                          f"{self.max_batch_size}, prefix cache {self.prefix_cache.max_bytes / 2**20:g} MB")
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

    def encode_prompt(self, messages: list[dict[str, str]], prefill: str = "", raw: str | None = None) -> list[int]:
        """The chat template's prompt (with the generation prompt), then the reply's prefilled start, if any; or a
        raw text prompt as written."""
        text = raw if raw is not None else self.render_prompt(messages) + prefill
        return list(self.tokenizer(text, add_special_tokens=False)["input_ids"])

    async def aclose(self) -> None:
        if self.batcher is not None:
            await asyncio.to_thread(self.batcher.close)

    def _require(self) -> None:
        if self.model is None:
            raise GenerationUnavailable(self.status()[1])

    async def events(self, request: GenerationRequest) -> AsyncIterator[StreamEvent]:
        self._require()
        ids = self.encode_prompt(request.messages, request.prefill, request.raw_prompt)
        async for event in self.events_for_ids(ids, request):
            yield event

    async def completion_events(self, request: GenerationRequest) -> AsyncIterator[StreamEvent]:
        # Without a listener for deltas the worker neither decodes every step nor wakes this loop per token.
        self._require()
        ids = self.encode_prompt(request.messages, request.prefill, request.raw_prompt)
        async for event in self.events_for_ids(ids, request, streaming=False):
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
        sampled = request.sampling and request.temperature > 0  # temperature 0 is greedy on every backend
        sampling = Sampling(do_sample=sampled, temperature=request.temperature if sampled else 1.0,
                            top_p=request.top_p if sampled else 1.0, top_k=request.top_k if sampled else None,
                            repetition_penalty=request.repetition_penalty, seed=request.seed if sampled else None)
        loop = asyncio.get_running_loop()
        deadline = time.monotonic() + request.timeout_s if request.timeout_s else None
        job = Job(prompt_ids=ids, sampling=sampling, max_new_tokens=min(request.max_new_tokens, room),
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

