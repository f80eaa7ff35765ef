"""OpenAI-compatible remote backend (DeepSpeed-MII's OpenAI server, vLLM, TGI) over httpx.

Every request streams (`stream: true`, server-sent events), so `generate` and `stream` share one code path
and cancellation closes the HTTP response. Connect errors and 502-504 answers are retried with exponential
backoff before the first byte arrives; consecutive failures open a circuit breaker that makes `status()`
report not-ready and refuses calls until the reset time has passed. top_k and repetition_penalty are sent as
extra body fields (vLLM and TGI's OpenAI layer accept them) unless `send_extra_params` is off.

The stream is read by a real SSE parser (`httpx_sse`): only CR, LF and CR LF end a line, so a chunk whose JSON
carries U+0085, U+2028 or U+2029 unescaped stays whole, and a UTF-8 sequence split across network reads is decoded
once complete (benchmarks/openai_stream.py measured it against httpx's `aiter_lines` and the openai SDK). Anything
that cannot be read once the answer has started (not an event stream, malformed JSON, a chunk of the wrong shape,
an error object in the stream, a connection cut mid-stream) is `GenerationFailed` (503 `generation_failed`), and
counts as a failure for the breaker.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import AsyncIterator
from typing import Any

import httpx
import httpx_sse

from generation.backend import LMBackend, StopStream
from generation.circuit import CircuitBreaker
from generation.config import OpenAIBackendConfig
from generation.errors import (
    GenerationBusy,
    GenerationFailed,
    GenerationTimeout,
    GenerationUnavailable,
    InvalidGenerationRequest,
)
from generation.types import GenerationRequest, StreamEvent

log = logging.getLogger(__name__)
_RETRY_STATUS = {502, 503, 504}
_UNKNOWN_CONTEXT_WINDOW = 4096  # what prompts are budgeted against when the server's window is not configured


class OpenAIBackend(LMBackend):
    name = "openai"

    def __init__(self, config: OpenAIBackendConfig, *, model: str, context_window: int | None = None) -> None:
        """`config` gives the server (base_url, api_key, timeout_s), the retries (max_retries, backoff_s), the
        breaker (breaker_failures, breaker_reset_s) and `send_extra_params`. `model` is the name sent to the
        server (the factory passes `config.model`, or the generation section's model when that is empty);
        `context_window` None: the server's is not known, and prompts are budgeted against `_UNKNOWN_CONTEXT_WINDOW`
        tokens."""
        self.config = config
        self.base_url = config.base_url.rstrip("/")
        self.model = model
        self.api_key = config.api_key.get_secret_value()
        self.timeout_s = config.timeout_s
        self.max_retries = config.max_retries
        self.backoff_s = config.backoff_s
        self.send_extra_params = config.send_extra_params
        self.breaker = CircuitBreaker(config.breaker_failures, config.breaker_reset_s)
        self._context_window = context_window or _UNKNOWN_CONTEXT_WINDOW
        self._clients: dict[int, httpx.AsyncClient] = {}
        self.attempts = 0

    @property
    def context_window(self) -> int:
        return self._context_window

    def status(self) -> tuple[bool, str]:
        if not self.breaker.allow():
            return False, (f"OpenAI-compatible server {self.base_url} failed {self.breaker.failures} times in a row "
                           f"(last: {self.breaker.last_error}); retrying in {self.breaker.retry_in():.0f}s")
        return True, f"OpenAI-compatible server {self.base_url}, model {self.model!r} ({self.breaker.state})"

    def count_tokens(self, text: str) -> int:
        # The remote tokenizer is not reachable; Korean runs about 1.5 characters per token in common vocabularies.
        return max(1, round(len(text) / 1.5)) if text else 0

    def _client(self) -> httpx.AsyncClient:
        # httpx clients are bound to the event loop they were first used on.
        key = id(asyncio.get_running_loop())
        if key not in self._clients:
            headers = {"Authorization": f"Bearer {self.api_key}"} if self.api_key else {}
            self._clients[key] = httpx.AsyncClient(base_url=self.base_url, headers=headers,
                                                   timeout=httpx.Timeout(self.timeout_s, connect=5.0))
        return self._clients[key]

    async def aclose(self) -> None:
        clients, self._clients = list(self._clients.values()), {}
        for client in clients:
            with contextlib.suppress(RuntimeError):  # its loop is gone
                await client.aclose()

    def body(self, request: GenerationRequest) -> dict[str, Any]:
        sampling = request.sampling
        body: dict[str, Any] = {
            "model": self.model, "messages": request.messages, "max_tokens": request.max_new_tokens,
            "temperature": request.temperature if sampling else 0.0, "top_p": request.top_p if sampling else 1.0,
            "stream": True, "stream_options": {"include_usage": True},
        }
        if request.stop:
            body["stop"] = request.stop[:4]  # the OpenAI API accepts at most four
        if request.seed is not None:
            body["seed"] = request.seed
        if self.send_extra_params:
            body["repetition_penalty"] = request.repetition_penalty
            if sampling and request.top_k:
                body["top_k"] = request.top_k
        return body

    async def _open(self, body: dict[str, Any]) -> httpx.Response:
        if not self.breaker.allow():
            raise GenerationUnavailable(self.status()[1])
        client = self._client()
        for attempt in range(self.max_retries + 1):
            self.attempts += 1
            try:
                response = await client.send(client.build_request("POST", "/chat/completions", json=body),
                                             stream=True)
            except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
                error = f"{type(exc).__name__}: {exc}"
            else:
                if response.status_code < 400:
                    return response
                await response.aread()
                await response.aclose()
                error = f"HTTP {response.status_code}: {response.text[:200]}"
                if response.status_code not in _RETRY_STATUS:
                    self._raise_for(response)
            self.breaker.record_failure(error)
            log.warning("OpenAI-compatible call failed (attempt %d): %s", attempt + 1, error)
            if attempt < self.max_retries and self.breaker.allow():
                await asyncio.sleep(self.backoff_s * (2 ** attempt))
            else:
                break
        raise GenerationUnavailable(f"OpenAI-compatible server {self.base_url} is unavailable: {error}")

    def _raise_for(self, response: httpx.Response) -> None:
        try:
            message = response.json().get("error", {}).get("message") or response.text
        except (ValueError, AttributeError):
            message = response.text
        if response.status_code == 429:
            raise GenerationBusy(f"remote LM is busy: {message}", retry_after=float(
                response.headers.get("retry-after", 1) or 1))
        if response.status_code in {401, 403, 404}:
            raise GenerationUnavailable(f"remote LM refused the call (HTTP {response.status_code}): {message}")
        if response.status_code >= 500:  # the LM failed, not the request: a 503 to our client, not a 422
            raise GenerationUnavailable(f"remote LM failed (HTTP {response.status_code}): {message}")
        raise InvalidGenerationRequest(f"remote LM rejected the request (HTTP {response.status_code}): {message}")

    async def events(self, request: GenerationRequest) -> AsyncIterator[StreamEvent]:
        try:
            async with asyncio.timeout(request.timeout_s):
                async for event in self._events(request):
                    yield event
        except TimeoutError:
            raise GenerationTimeout(f"generation exceeded its {request.timeout_s}s timeout") from None
        except httpx.TimeoutException as exc:
            self.breaker.record_failure(f"read timeout: {exc}")
            raise GenerationTimeout(f"remote LM did not answer within {self.timeout_s}s") from exc
        except InvalidGenerationRequest:  # a ValueError too, but the server's verdict on our request
            raise
        except (httpx.TransportError, ValueError, TypeError, AttributeError) as exc:
            # SSEError (not an event stream) is an httpx.TransportError; JSONDecodeError a ValueError.
            error = f"{type(exc).__name__}: {str(exc)[:200]}"
            self.breaker.record_failure(error)
            raise GenerationFailed(f"the stream of {self.base_url} could not be read: {error}") from exc

    async def _events(self, request: GenerationRequest) -> AsyncIterator[StreamEvent]:
        response = await self._open(self.body(request))
        usage: dict[str, Any]
        stream, finish, usage = StopStream(request.stop), None, {}
        try:
            async for sse in httpx_sse.EventSource(response).aiter_sse():
                if sse.data == "[DONE]":
                    break
                if not sse.data:  # a comment or an event without data (a keep-alive)
                    continue
                pieces, finished, usage = read_chunk(sse.data, usage)
                for piece in pieces:
                    if kept := stream.feed(piece):
                        yield StreamEvent(text=kept)
                finish = finished or finish
                if stream.stopped:
                    finish = "stop"
                    break
        finally:
            await response.aclose()
        self.breaker.record_success()
        rest = stream.rest()
        if rest:
            yield StreamEvent(text=rest)
        yield StreamEvent(text="", finish_reason=finish or "stop",
                          prompt_tokens=int(usage.get("prompt_tokens", 0)),
                          completion_tokens=int(usage.get("completion_tokens", 0)))


def read_chunk(data: str, usage: dict[str, Any]) -> tuple[list[str], str | None, dict[str, Any]]:
    """One `chat.completion.chunk`: its content deltas, its finish reason and the usage so far (ValueError or
    TypeError when it is not one)."""
    chunk = json.loads(data)
    if not isinstance(chunk, dict):
        raise TypeError(f"a chunk must be a JSON object, not {type(chunk).__name__}")
    if chunk.get("error"):
        error = chunk["error"]
        raise ValueError(f"the server reported an error: {error.get('message') if isinstance(error, dict) else error}")
    usage = chunk.get("usage") or usage
    if not isinstance(usage, dict):
        raise TypeError("usage must be an object")
    pieces: list[str] = []
    finish: str | None = None
    for choice in chunk.get("choices") or []:
        content = (choice.get("delta") or {}).get("content") or ""
        if not isinstance(content, str):
            raise TypeError(f"delta.content must be a string, not {type(content).__name__}")
        pieces.append(content)
        finish = choice.get("finish_reason") or finish
    return pieces, finish, usage
