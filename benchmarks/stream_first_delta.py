"""First-delta overhead of a streamed Chat Completion over the backend's own token stream (tiny model, real uvicorn).

The app runs on a real uvicorn (benchmarks.support.live.LiveServer) in this process, its LM the product's transformers
backend on the tiny model (trained on a few replies; with a persona's prompt it writes Korean words until
max_tokens). The backend is wrapped to timestamp every event it yields, on the same clock as the client, which
reads the stream with httpx. Per request:
  first_token_ms     the backend's first text event, from the request being sent (prompt, queue, prefill, decode)
  first_delta_ms     the client's first content chunk, from the request being sent
  over_first_token   first_delta - first_token: everything the surface adds after the backend's first token,
                     the bounded hold-back's wait for whole eojeols included
  over_release       first_delta - the backend event just before it: the processing cost alone (hold-back judges,
                     pipeline hand-over, SSE encoding, HTTP)
Usage: python -m benchmarks.stream_first_delta [--runs 20] [--out benchmarks/results/stream_first_delta.json]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from api.app import create_app
from assistant.services import build_components
from assistant.settings import load_settings
from benchmarks.support.live import GENERATE, LiveServer, services_for
from benchmarks.support.tiny_lm import build_tiny_lm
from generation import GenerationConfig, build_generator


class Stamped:
    """The backend, with the time of every event it yields."""

    def __init__(self, backend: Any) -> None:
        self.backend, self.stamps = backend, []

    def __getattr__(self, name: str) -> Any:
        return getattr(self.backend, name)

    async def events(self, request: Any) -> Any:
        async for event in self.backend.events(request):
            if event.text:
                self.stamps.append(time.perf_counter())
            yield event


async def one(url: str, stamped: Stamped, persona: str) -> dict[str, float]:
    stamped.stamps = []
    body = {"model": persona, "stream": True, "max_tokens": 48, "temperature": 0,
            "messages": [{"role": "user", "content": GENERATE[0]}]}
    async with httpx.AsyncClient(base_url=url, timeout=120) as http:
        sent = time.perf_counter()
        async with http.stream("POST", "/v1/chat/completions", json=body) as response:
            first, lines = None, []
            async for line in response.aiter_lines():
                lines.append(line)
                if first is None and line.startswith("data: {") and any(
                        c.get("delta", {}).get("content") for c in json.loads(line[6:]).get("choices", [])):
                    first = time.perf_counter()
    if first is None or not stamped.stamps:
        raise RuntimeError(f"no content delta (backend events: {len(stamped.stamps)}): {lines[-12:]}")
    before = max(s for s in stamped.stamps if s <= first)
    return {"first_token_ms": (stamped.stamps[0] - sent) * 1000, "first_delta_ms": (first - sent) * 1000,
            "over_first_token_ms": (first - stamped.stamps[0]) * 1000, "over_release_ms": (first - before) * 1000}


def summary(rows: list[dict[str, float]]) -> dict[str, dict[str, float]]:
    return {key: {"median": round(statistics.median(r[key] for r in rows), 2),
                  "p90": round(sorted(r[key] for r in rows)[int(0.9 * (len(rows) - 1))], 2)} for key in rows[0]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--out", type=Path, default=Path("benchmarks/results/stream_first_delta.json"))
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="first-delta-"))
    model = build_tiny_lm(Path(os.environ.get("TINY_LM_DIR", work / "lm")))  # trained: it writes Korean words
    settings = load_settings(data_dir=work / "data")
    components = build_components(settings)
    generator = build_generator(GenerationConfig(model=str(model), device="cpu", load_in_background=False,
                                                 batch_wait_ms=1.0, context_window=2048))
    stamped = Stamped(generator.backend)
    generator.backend = stamped  # type: ignore[assignment]
    results: dict[str, Any] = {"runs": args.runs, "uptime": os.popen("uptime").read().strip()}
    with services_for(settings, components, f"sqlite:///{work / 'store.db'}", generator) as services, \
            LiveServer(create_app(services=services)) as server:
        for persona in ("assistant", "friend"):
            asyncio.run(one(server.url, stamped, persona))  # warm-up: first Kiwi and decode calls
            rows = [asyncio.run(one(server.url, stamped, persona)) for _ in range(args.runs)]
            results[persona] = summary(rows)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, ensure_ascii=False, indent=2))
    print(json.dumps(results, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
