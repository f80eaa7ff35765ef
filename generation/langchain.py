"""langchain-core adapter: a `Generator` as a `BaseChatModel`, so chains compose it as `prompt | model | parser`.

All four call styles are supported (invoke, ainvoke, stream, astream) and go through the controlled
`Generator`, so speech level, filters and refusals apply inside chains too. Sync calls run the async
generator on a private event loop in a helper thread, which is safe from inside a running loop as well.
Per-call keyword arguments (`model.invoke(x, max_new_tokens=32)`, `.bind(speech_level="합쇼체")`) override
the model's fields, whose decoding defaults are `generation.config`'s (those of `GenerationRequest`).
"""

from __future__ import annotations

import asyncio
import queue
import threading
from collections.abc import AsyncIterator, Iterator
from typing import Any

from langchain_core.callbacks import AsyncCallbackManagerForLLMRun, CallbackManagerForLLMRun
from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage, HumanMessage, SystemMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from pydantic import ConfigDict, Field

from generation.config import (
    DEFAULT_MAX_NEW_TOKENS,
    DEFAULT_REPETITION_PENALTY,
    DEFAULT_TEMPERATURE,
    DEFAULT_TOP_P,
)
from generation.generator import Generator
from generation.types import GenerationRequest

_REQUEST_FIELDS = ("max_new_tokens", "temperature", "top_p", "top_k", "repetition_penalty", "do_sample",
                   "banned_phrases", "max_reply_chars", "speech_level", "refusal", "timeout_s", "seed")
_DONE = object()


def to_chat_messages(messages: list[BaseMessage]) -> list[dict[str, str]]:
    out = []
    for message in messages:
        if isinstance(message, SystemMessage):
            role = "system"
        elif isinstance(message, HumanMessage):
            role = "user"
        elif isinstance(message, AIMessage):
            role = "assistant"
        else:
            raise ValueError(f"unsupported message type {type(message).__name__}; use system, human or ai messages")
        content = message.content if isinstance(message.content, str) else message.text
        out.append({"role": role, "content": content})
    return out


class ChatAssistantModel(BaseChatModel):
    """The project's LM (any backend) with its controls, as a langchain chat model."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    generator: Generator
    max_new_tokens: int = DEFAULT_MAX_NEW_TOKENS
    temperature: float = DEFAULT_TEMPERATURE
    top_p: float = DEFAULT_TOP_P
    top_k: int | None = None
    repetition_penalty: float = DEFAULT_REPETITION_PENALTY
    do_sample: bool | None = None
    banned_phrases: list[str] = Field(default_factory=list)
    max_reply_chars: int | None = None
    speech_level: str | None = None
    refusal: str | None = None
    timeout_s: float | None = None
    seed: int | None = None

    @property
    def _llm_type(self) -> str:
        return f"assistant-{self.generator.backend.name}"

    @property
    def _identifying_params(self) -> dict[str, Any]:
        return {"backend": self.generator.backend.name, "temperature": self.temperature,
                "max_new_tokens": self.max_new_tokens, "speech_level": self.speech_level}

    def _request(self, messages: list[BaseMessage], stop: list[str] | None,
                 kwargs: dict[str, Any]) -> GenerationRequest:
        fields = {name: kwargs.get(name, getattr(self, name)) for name in _REQUEST_FIELDS}
        return GenerationRequest(messages=to_chat_messages(messages), stop=list(stop or kwargs.get("stop") or []),
                                 **fields)

    async def _agenerate(self, messages: list[BaseMessage], stop: list[str] | None = None,
                         run_manager: AsyncCallbackManagerForLLMRun | None = None, **kwargs: Any) -> ChatResult:
        done = await self.generator.generate(self._request(messages, stop, kwargs))
        message = AIMessage(
            content=done.text,
            response_metadata={"finish_reason": done.finish_reason, "latency_ms": done.latency_ms,
                               "trace": done.trace},
            usage_metadata={"input_tokens": done.prompt_tokens, "output_tokens": done.completion_tokens,
                            "total_tokens": done.prompt_tokens + done.completion_tokens})
        return ChatResult(generations=[ChatGeneration(message=message)])

    def _generate(self, messages: list[BaseMessage], stop: list[str] | None = None,
                  run_manager: CallbackManagerForLLMRun | None = None, **kwargs: Any) -> ChatResult:
        return _run_sync(self._agenerate(messages, stop, **kwargs))

    async def _astream(self, messages: list[BaseMessage], stop: list[str] | None = None,
                       run_manager: AsyncCallbackManagerForLLMRun | None = None,
                       **kwargs: Any) -> AsyncIterator[ChatGenerationChunk]:
        async for delta in self.generator.stream(self._request(messages, stop, kwargs)):
            chunk = ChatGenerationChunk(message=AIMessageChunk(content=delta))
            if run_manager is not None:
                await run_manager.on_llm_new_token(delta, chunk=chunk)
            yield chunk

    def _stream(self, messages: list[BaseMessage], stop: list[str] | None = None,
                run_manager: CallbackManagerForLLMRun | None = None, **kwargs: Any) -> Iterator[ChatGenerationChunk]:
        items: queue.Queue[Any] = queue.Queue()

        async def pump() -> None:
            try:
                async for chunk in self._astream(messages, stop, **kwargs):
                    items.put(chunk)
            except BaseException as exc:
                items.put(exc)
            finally:
                items.put(_DONE)

        thread = threading.Thread(target=lambda: asyncio.run(pump()), daemon=True)
        thread.start()
        while (item := items.get()) is not _DONE:
            if isinstance(item, BaseException):
                raise item
            if run_manager is not None:
                run_manager.on_llm_new_token(item.text, chunk=item)
            yield item
        thread.join()


def _run_sync(coro: Any) -> Any:
    """Run a coroutine to completion from sync code, even when this thread already runs an event loop."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coro)
    result: dict[str, Any] = {}

    def target() -> None:
        try:
            result["value"] = asyncio.run(coro)
        except BaseException as exc:
            result["error"] = exc

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join()
    if "error" in result:
        raise result["error"]
    return result["value"]
