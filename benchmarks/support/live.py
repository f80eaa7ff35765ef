"""Serving helpers that benchmarks and the public-API tests share: Services with changed settings or another LM
backend, and the app served by a real uvicorn on a free 127.0.0.1 port in a background thread (so real clients and
real disconnects work). They live under benchmarks/ because benchmarks never import tests/."""

from __future__ import annotations

import dataclasses
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import uvicorn
from fastapi import FastAPI

from assistant.services import Components, Services, assemble
from assistant.settings import Settings
from assistant.store import open_store
from generation import build_generator
from generation.config import GenerationConfig, OpenAIBackendConfig

# Messages that no persona's response set answers: they always take the generation path.
GENERATE = ["양자역학에서 불확정성 원리가 무엇인지 자세히 설명해 줄래?",
            "중세 유럽의 길드 제도가 경제에 끼친 영향을 알려줘"]


def settings_with(settings: Settings, **sections: Any) -> Settings:
    """A copy of `settings` with whole sections (or fields) replaced, validated like at start."""
    data = settings.model_dump()
    for name, value in sections.items():
        data[name] = value.model_dump() if hasattr(value, "model_dump") else value
    return Settings.model_validate(data)


_shared: dict[str, Any] = {}


def remote_generator(base_url: str, model: str) -> Any:
    """The product's OpenAI-compatible backend + Generator, pointed at `benchmarks.support.chat_server`.

    Every generator built here shares one speech-level control (one Kiwi), as one server process would."""
    config = GenerationConfig(backend="openai", model=model,
                              openai=OpenAIBackendConfig(base_url=base_url, max_retries=0, timeout_s=60))
    generator = build_generator(config)
    generator.speech = _shared.setdefault("speech", generator.speech)
    return generator


@contextmanager
def services_for(settings: Settings, components: Components, database_url: str,
                 generation: Any = None) -> Iterator[Services]:
    parts = dataclasses.replace(components, generation=generation, router=None) if generation else components
    store = open_store(database_url, lock_timeout_s=settings.limits.lock_timeout_s)
    try:
        yield assemble(settings, store, parts)
    finally:
        store.close()


class LiveServer:
    def __init__(self, app: FastAPI) -> None:
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.bind(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self._sock.getsockname()[1]}"
        self._server = uvicorn.Server(uvicorn.Config(app, log_level="warning", timeout_graceful_shutdown=2,
                                                     backlog=512))
        self._thread = threading.Thread(target=self._server.run, kwargs={"sockets": [self._sock]}, daemon=True)

    def __enter__(self) -> LiveServer:
        self._thread.start()
        deadline = time.monotonic() + 15
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("the API server did not start")
            time.sleep(0.01)
        return self

    def __exit__(self, *_: object) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=15)
        self._sock.close()
