"""DeepSpeed-MII backend: in-process `mii.pipeline` or a persistent deployment reached with `mii.client`.

MII's FastGen engine (DeepSpeed inference v2) runs only these architectures (config.json `model_type`, as
listed by deepspeed.inference.v2.engine_factory): llama, mistral, mixtral, falcon, opt, phi, phi3, qwen,
qwen2, qwen2_moe, exaone4, exaone4_5. Any other model is refused at start with a clear reason. FastGen needs
CUDA: on a machine without it `mii.pipeline` fails (NCCL missing), which becomes a "no GPU" readiness reason.

Prompts are rendered with the model's own chat template (the tokenizer is loaded from the same path) and
sent as text. Request parameters map onto `mii.config.GenerateParamsConfig` (max_new_tokens, do_sample,
temperature, top_p, top_k, stop) and are validated by MII's own model before they leave the process. MII has
no repetition penalty (recorded in the trace), and its gRPC client can carry only scalar values, so over gRPC
one stop string goes to the server and the others are enforced here. `mii` is imported lazily: the rest of
the package works without it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from typing import Any

from generation.backend import LMBackend, StopStream
from generation.config import GenerationConfig
from generation.errors import GenerationTimeout, GenerationUnavailable, InvalidGenerationRequest, UnsupportedModel
from generation.types import GenerationRequest, StreamEvent

log = logging.getLogger(__name__)
FASTGEN_ARCHITECTURES = frozenset({"llama", "mistral", "mixtral", "falcon", "opt", "phi", "phi3", "qwen", "qwen2",
                                   "qwen2_moe", "exaone4", "exaone4_5"})


def check_architecture(model: str, *, local_files_only: bool) -> str:
    """The model's `model_type` if FastGen can run it; `UnsupportedModel` otherwise."""
    from transformers import AutoConfig

    try:
        model_type = AutoConfig.from_pretrained(model, local_files_only=local_files_only).model_type
    except Exception as exc:
        raise GenerationUnavailable(f"cannot read the config of {model!r}: {type(exc).__name__}: {exc}") from exc
    if model_type not in FASTGEN_ARCHITECTURES:
        raise UnsupportedModel(
            f"model {model!r} has architecture {model_type!r}, which DeepSpeed-MII FastGen does not support "
            f"(supported: {', '.join(sorted(FASTGEN_ARCHITECTURES))}); use the transformers or openai backend")
    return model_type


def mii_generate_kwargs(request: GenerationRequest, *, prompt_length: int, max_length: int,
                        scalar_only: bool) -> dict[str, Any]:
    """Map a request onto MII generation keyword arguments, validated by MII's GenerateParamsConfig."""
    room = max_length - prompt_length
    if room < 1:
        raise InvalidGenerationRequest(
            f"prompt has {prompt_length} tokens; the deployment's max_length is {max_length}", param="messages")
    kwargs: dict[str, Any] = {"max_length": max_length, "max_new_tokens": min(request.max_new_tokens, room),
                              "do_sample": request.sampling}
    if request.sampling:
        kwargs["temperature"] = request.temperature if request.temperature > 0 else 1.0
        kwargs["top_p"] = request.top_p
        if request.top_k:
            kwargs["top_k"] = request.top_k
    if request.stop:
        kwargs["stop"] = request.stop[0] if scalar_only else list(request.stop)
    try:
        from mii.config import GenerateParamsConfig
    except ImportError:
        return kwargs
    try:
        GenerateParamsConfig(prompt_length=prompt_length, **kwargs)
    except Exception as exc:
        raise InvalidGenerationRequest(f"DeepSpeed-MII rejects these parameters: {exc}") from exc
    return kwargs


def _finish(reason: Any) -> str:
    value = str(getattr(reason, "value", reason) or "").lower()
    return "length" if value == "length" else "stop"


class MIIBackend(LMBackend):
    name = "mii"

    def __init__(self, config: GenerationConfig, *, client_factory: Callable[[], Any] | None = None) -> None:
        """`config`'s model, local_files_only and `mii` section (mode, deployment_name, host, max_length; a set
        `context_window` replaces max_length). `client_factory` (None: `mii.client(deployment_name)`) makes the
        client in client mode. Nothing happens until `start`."""
        self.config = config
        self.model = config.model
        self.mode = config.mii.mode
        self.deployment_name = config.mii.deployment_name
        self.host = config.mii.host
        self.max_length = config.context_window or config.mii.max_length
        self.local_files_only = config.local_files_only
        self._client_factory = client_factory
        self._clients: dict[int, Any] = {}
        self._pipe: Any = None
        self.tokenizer: Any = None
        self._ready = False
        self._reason = "not started"

    @property
    def context_window(self) -> int:
        return self.max_length

    def status(self) -> tuple[bool, str]:
        return self._ready, self._reason

    def start(self) -> None:
        """Check the architecture, load the tokenizer and reach MII; never raises, see `status()`."""
        try:
            model_type = check_architecture(self.model, local_files_only=self.local_files_only)
            from transformers import AutoTokenizer

            self.tokenizer = AutoTokenizer.from_pretrained(self.model, local_files_only=self.local_files_only)
            if self.mode == "pipeline":
                self._start_pipeline()
            elif self._client_factory is None:
                import mii

                mii.config.get_mii_config(self.deployment_name)  # raises when no deployment was started
                self._client_factory = lambda: mii.client(self.deployment_name)
        except Exception as exc:
            self._ready, self._reason = False, self._explain(exc)
            log.error("DeepSpeed-MII backend not ready: %s", self._reason)
            return
        where = "in-process pipeline" if self.mode == "pipeline" else f"deployment {self.deployment_name!r}"
        self._ready, self._reason = True, f"DeepSpeed-MII {where}, model {self.model!r} ({model_type})"

    def _start_pipeline(self) -> None:
        import torch

        # Without CUDA, mii.pipeline spends minutes setting DeepSpeed up before failing on NCCL: fail fast.
        if not torch.cuda.is_available():
            raise RuntimeError("torch.cuda.is_available() is False")
        import mii

        self._pipe = mii.pipeline(self.model)

    def _explain(self, exc: Exception) -> str:
        if isinstance(exc, GenerationUnavailable):
            return str(exc)
        if isinstance(exc, ImportError):
            return f"DeepSpeed-MII is not installed (pip install 'korean-assistant[mii]'): {exc}"
        text = f"{type(exc).__name__}: {exc}"
        try:
            import torch

            has_cuda = torch.cuda.is_available()
        except ImportError:
            has_cuda = False
        if "NCCL" in text or not has_cuda:
            return f"DeepSpeed-MII needs a CUDA GPU and this machine has none ({text})"
        if self.mode == "client":
            return (f"no DeepSpeed-MII deployment named {self.deployment_name!r} is reachable "
                    f"(start one with `assistant mii serve`): {text}")
        return f"DeepSpeed-MII pipeline failed to start: {text}"

    def count_tokens(self, text: str) -> int:
        if self.tokenizer is None:
            raise GenerationUnavailable(self._reason)
        return len(self.tokenizer(text, add_special_tokens=False)["input_ids"])

    def _client(self) -> Any:
        key = id(asyncio.get_running_loop())  # the gRPC channel belongs to one event loop
        if key not in self._clients:
            assert self._client_factory is not None
            self._clients[key] = self._client_factory()
        return self._clients[key]

    async def events(self, request: GenerationRequest) -> AsyncIterator[StreamEvent]:
        if not self._ready:
            raise GenerationUnavailable(self._reason)
        prompt = self.tokenizer.apply_chat_template(request.messages, add_generation_prompt=True, tokenize=False)
        prompt_length = len(self.tokenizer(prompt, add_special_tokens=False)["input_ids"])
        kwargs = mii_generate_kwargs(request, prompt_length=prompt_length, max_length=self.max_length,
                                     scalar_only=self.mode == "client")
        try:
            async with asyncio.timeout(request.timeout_s):
                async for event in self._decode(prompt, prompt_length, kwargs, request.stop):
                    yield event
        except TimeoutError:
            raise GenerationTimeout(f"generation exceeded its {request.timeout_s}s timeout") from None

    async def _decode(self, prompt: str, prompt_length: int, kwargs: dict[str, Any],
                      stops: list[str]) -> AsyncIterator[StreamEvent]:
        stream, generated, finish = StopStream(stops), 0, "stop"
        if self.mode == "pipeline":
            responses = await asyncio.to_thread(self._pipe, [prompt], **kwargs)
            parts = [(r.generated_text, r.generated_length, r.finish_reason) for r in responses]
        else:
            parts = []
            async for batch in self._client()._request_async_response_stream([prompt], stream=True, **kwargs):
                for r in batch:
                    parts.append((r.generated_text, r.generated_length, r.finish_reason))
                    piece = stream.feed(r.generated_text)
                    if piece:
                        yield StreamEvent(text=piece)
                    generated = max(generated, r.generated_length)
                    finish = _finish(r.finish_reason)
                if stream.stopped:
                    finish = "stop"
                    break
        if self.mode == "pipeline":
            for piece, length, reason in parts:
                stream.text += piece
                generated, finish = length, _finish(reason)
        rest = stream.rest()
        if rest:
            yield StreamEvent(text=rest)
        yield StreamEvent(text="", finish_reason="stop" if stream.stopped else finish, prompt_tokens=prompt_length,
                          completion_tokens=generated)
