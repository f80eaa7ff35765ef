"""A DeepSpeed-MII-protocol gRPC server for CPU tests, backed by the tiny transformers model.

It speaks MII's own wire protocol (MII's generated protobuf stubs and `TextGenerationMethods`), validates
generation parameters with MII's `GenerateParamsConfig` as MII's server does, and answers with MII `Response`
objects, so `MIIBackend` is exercised through MII's real `MIIClient` over a real gRPC channel. Only the engine
behind the protocol differs: FastGen needs a CUDA GPU, which this machine lacks.
"""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import grpc
from mii.batching.data_classes import Response
from mii.config import GenerateParamsConfig
from mii.constants import GenerationFinishReason
from mii.grpc_related.proto import modelresponse_pb2_grpc
from mii.grpc_related.task_methods import TextGenerationMethods

from generation.transformers_backend import TransformersBackend
from generation.types import GenerationRequest

_METHODS = TextGenerationMethods()


class _Servicer(modelresponse_pb2_grpc.ModelResponseServicer):
    def __init__(self, backend: TransformersBackend) -> None:
        self.backend = backend
        self.received: list[dict[str, Any]] = []

    def _ids(self, prompt: str) -> list[int]:
        # MII sends the prompt already formatted, so it is tokenised as is (no chat template).
        return list(self.backend.tokenizer(prompt, add_special_tokens=False)["input_ids"])

    def _request(self, prompt: str, kwargs: dict[str, Any]) -> tuple[GenerationRequest, Any]:
        params = GenerateParamsConfig(prompt_length=len(self._ids(prompt)), **kwargs)
        self.received.append(dict(kwargs))
        request = GenerationRequest(messages=[{"role": "user", "content": prompt}],
                                    max_new_tokens=params.max_new_tokens, do_sample=params.do_sample,
                                    temperature=params.temperature or 1.0, top_p=params.top_p,
                                    top_k=params.top_k, repetition_penalty=1.0, stop=list(params.stop))
        return request, params

    async def GeneratorReply(self, request: Any, context: Any) -> Any:
        prompts, kwargs = _METHODS.unpack_request_from_proto(request)
        responses = []
        for prompt in prompts:
            req, _ = self._request(prompt, kwargs)
            text, last = "", None
            async for event in self.backend.events_for_ids(self._ids(prompt), req):
                text, last = text + event.text, event
            responses.append(Response(text, last.prompt_tokens, last.completion_tokens,
                                      GenerationFinishReason(last.finish_reason)))
        return _METHODS.pack_response_to_proto(responses)

    async def GeneratorReplyStream(self, request: Any, context: Any) -> Any:
        prompts, kwargs = _METHODS.unpack_request_from_proto(request)
        req, _ = self._request(prompts[0], kwargs)
        count = 0
        async for event in self.backend.events_for_ids(self._ids(prompts[0]), req):
            count += 1 if event.text else 0
            reason = GenerationFinishReason(event.finish_reason) if event.finish_reason else GenerationFinishReason.NONE
            yield _METHODS.pack_response_to_proto([Response(event.text, event.prompt_tokens or 0,
                                                            event.completion_tokens or count, reason)])

    async def Terminate(self, request: Any, context: Any) -> Any:
        from google.protobuf import empty_pb2

        return empty_pb2.Empty()


class MIIProtocolServer:
    """Runs the servicer on its own event loop thread at 127.0.0.1:<port>."""

    def __init__(self, backend: TransformersBackend) -> None:
        self.servicer = _Servicer(backend)
        self.loop = asyncio.new_event_loop()
        self.port = 0
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True, name="mii-test-server")

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        self.loop.run_until_complete(self._start())
        self._ready.set()
        self.loop.run_forever()

    async def _start(self) -> None:
        self.server = grpc.aio.server()
        modelresponse_pb2_grpc.add_ModelResponseServicer_to_server(self.servicer, self.server)
        self.port = self.server.add_insecure_port("127.0.0.1:0")
        await self.server.start()

    def start(self) -> MIIProtocolServer:
        self._thread.start()
        self._ready.wait(10)
        return self

    def stop(self) -> None:
        asyncio.run_coroutine_threadsafe(self.server.stop(0), self.loop).result(5)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(5)
