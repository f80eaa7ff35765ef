"""A real OpenAI-compatible HTTP server for tests and benchmarks, run by uvicorn on a free local port in a background
thread (under benchmarks/ because benchmarks never import tests/).

It speaks `/v1/chat/completions` with server-sent events, as DeepSpeed-MII's, vLLM's and TGI's servers do, so the
product's `OpenAIBackend` is exercised end to end over a socket. The requested `model` chooses the behaviour:
  echo-<tag>       replies "<tag>: <last user message>" at once (deterministic, so replies can be compared)
  slow-<seconds>   waits that long, then replies like echo
  fail             answers HTTP 500 to every call
Every call is counted per model in `calls`, the request id header it carried is kept in `request_ids`, and its
JSON body (the prompt the LM receives) in `bodies`.
"""

from __future__ import annotations

import asyncio
import json
import socket
import threading
import time
from collections import Counter
from collections.abc import AsyncIterator
from typing import Any

import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, StreamingResponse


class ChatServer:
    def __init__(self) -> None:
        self.calls: Counter[str] = Counter()
        self.request_ids: list[str | None] = []
        self.bodies: list[dict[str, Any]] = []
        self.app = FastAPI()
        self.app.post("/v1/chat/completions")(self._complete)
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.bind(("127.0.0.1", 0))
        self.port = self._sock.getsockname()[1]
        self._server = uvicorn.Server(uvicorn.Config(self.app, log_level="warning", lifespan="off",
                                                    timeout_graceful_shutdown=1))
        self._thread = threading.Thread(target=self._server.run, kwargs={"sockets": [self._sock]}, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def start(self) -> ChatServer:
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("test chat server did not start")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)

    async def _complete(self, request: Request) -> Any:
        body = await request.json()
        model = str(body.get("model", ""))
        self.calls[model] += 1
        self.bodies.append(body)
        self.request_ids.append(request.headers.get("x-request-id"))
        if model == "fail":
            return JSONResponse({"error": {"message": "model crashed", "type": "server_error"}}, status_code=500)
        tag = model
        if model.startswith("slow-"):
            await asyncio.sleep(float(model.split("-", 1)[1]))
            tag = "slow"
        elif model.startswith("echo-"):
            tag = model.split("-", 1)[1]
        last_user = next((m["content"] for m in reversed(body["messages"]) if m["role"] == "user"), "")
        text = f"{tag}: {last_user}"
        return StreamingResponse(_sse(model, text, len(body["messages"])), media_type="text/event-stream")


async def _sse(model: str, text: str, prompt_tokens: int) -> AsyncIterator[str]:
    words = text.split(" ")
    for i, word in enumerate(words):
        piece = word if i == 0 else " " + word
        yield _chunk({"model": model, "choices": [{"index": 0, "delta": {"content": piece}, "finish_reason": None}]})
    yield _chunk({"model": model, "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]})
    yield _chunk({"model": model, "choices": [],
                  "usage": {"prompt_tokens": prompt_tokens, "completion_tokens": len(words)}})
    yield "data: [DONE]\n\n"


def _chunk(data: dict[str, Any]) -> str:
    return f"data: {json.dumps(data, ensure_ascii=False)}\n\n"
