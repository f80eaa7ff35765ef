"""A local OpenAI-compatible chat server for tests, backed by the tiny transformers model.

It serves `POST /v1/chat/completions` (streaming SSE and plain JSON) from a real `TransformersBackend` on
127.0.0.1, so the remote backend is tested over real HTTP. `fail_next(n, status)` makes the next n calls
answer with an error status, to exercise retries and the circuit breaker.
"""

from __future__ import annotations

import asyncio
import json
import socket
import threading
import time
import uuid
from typing import Any

import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, StreamingResponse

from generation.transformers_backend import TransformersBackend
from generation.types import GenerationRequest


def build_app(backend: TransformersBackend, state: dict[str, Any]) -> FastAPI:
    app = FastAPI()

    @app.post("/v1/chat/completions")
    async def chat(http: Request) -> Any:
        state["calls"] += 1
        if state["failures"] > 0:
            state["failures"] -= 1
            return JSONResponse({"error": {"message": "overloaded"}}, status_code=state["failure_status"])
        body = await http.json()
        state["bodies"].append(body)
        request = GenerationRequest(
            messages=body["messages"], max_new_tokens=body.get("max_tokens") or 64,
            temperature=body.get("temperature", 1.0), top_p=body.get("top_p", 1.0), top_k=body.get("top_k"),
            repetition_penalty=body.get("repetition_penalty", 1.0), stop=list(body.get("stop") or []),
            seed=body.get("seed"))
        ident, created = f"chatcmpl-{uuid.uuid4().hex[:8]}", int(time.time())
        if not body.get("stream"):
            done = await backend.generate(request)
            return {"id": ident, "object": "chat.completion", "created": created, "model": body["model"],
                    "choices": [{"index": 0, "message": {"role": "assistant", "content": done.text},
                                 "finish_reason": done.finish_reason}],
                    "usage": {"prompt_tokens": done.prompt_tokens, "completion_tokens": done.completion_tokens}}

        async def sse() -> Any:
            async for event in backend.events(request):
                chunk: dict[str, Any] = {"id": ident, "object": "chat.completion.chunk", "created": created,
                                         "model": body["model"], "choices": [{
                                             "index": 0, "delta": {"content": event.text},
                                             "finish_reason": event.finish_reason}]}
                if event.finish_reason:
                    chunk["usage"] = {"prompt_tokens": event.prompt_tokens,
                                      "completion_tokens": event.completion_tokens}
                yield f"data: {json.dumps(chunk, ensure_ascii=False)}\n\n"
            yield "data: [DONE]\n\n"

        return StreamingResponse(sse(), media_type="text/event-stream")

    return app


class LocalOpenAIServer:
    def __init__(self, backend: TransformersBackend) -> None:
        self.state: dict[str, Any] = {"calls": 0, "failures": 0, "failure_status": 503, "bodies": []}
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        config = uvicorn.Config(build_app(backend, self.state), log_level="warning", lifespan="off")
        self.server = uvicorn.Server(config)
        self._thread = threading.Thread(target=lambda: asyncio.run(self.server.serve(sockets=[self.sock])),
                                        daemon=True, name="openai-test-server")

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def fail_next(self, count: int, status: int = 503) -> None:
        self.state["failures"], self.state["failure_status"] = count, status

    def start(self) -> LocalOpenAIServer:
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started and time.monotonic() < deadline:
            time.sleep(0.02)
        return self

    def stop(self) -> None:
        self.server.should_exit = True
        self._thread.join(5)
