"""Reading an OpenAI-compatible SSE stream, and retrying a failing server: the choices behind
`generation/openai_backend.py`, measured.

    .venv/bin/python benchmarks/openai_stream.py [--chunks 3000] [--callers 40]

A local uvicorn server streams `chat.completion.chunk` events. Three readers consume them:
  lines    httpx `aiter_lines()` + `json.loads` (the backend before issue 19)
  httpx-sse  `httpx_sse.EventSource.aiter_sse()` + `json.loads` (the backend now)
  sdk      the `openai` SDK's `AsyncOpenAI.chat.completions.create(stream=True)`
Correctness: a stream whose deltas carry U+0085, U+2028 and U+2029 unescaped (valid JSON) and whose bytes are sent
split inside a 3-byte UTF-8 sequence must come back as the text sent. Speed: median seconds (and process CPU) to read
`--chunks` chunks, of 5 rounds. Import: seconds to import each reader in a fresh interpreter.
Retries: `--callers` concurrent calls against a server answering 503 for its first 1 s; `fixed` is the old
backoff (0.05 s x 2^n), `jitter` tenacity's `wait_random_exponential` (full jitter, same base): the most calls that
retries reaching the recovering server within one 50 ms window (a thundering herd) and the time until all succeeded.
Writes benchmarks/results/openai_stream.json and prints a table.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
import httpx_sse  # noqa: E402
from fastapi import FastAPI, Request  # noqa: E402
from fastapi.responses import JSONResponse, StreamingResponse  # noqa: E402
from tenacity import (  # noqa: E402
    AsyncRetrying,
    retry_if_exception_type,
    stop_after_attempt,
    wait_exponential,
    wait_random_exponential,
)

from benchmarks.support.live import LiveServer  # noqa: E402

TRICKY = ["첫째\u0085줄", "둘째\u2028줄", "셋째\u2029줄", "끝"]


def _chunk(text: str) -> bytes:
    body = {"object": "chat.completion.chunk", "choices": [{"index": 0, "delta": {"content": text}}]}
    return f"data: {json.dumps(body, ensure_ascii=False)}\n\n".encode()


def build_app(chunks: int, state: dict[str, Any]) -> FastAPI:
    app = FastAPI()

    @app.post("/v1/chat/completions")
    async def complete(request: Request) -> Any:
        body = await request.json()
        if body["model"] == "flaky":
            if body.get("attempt", 1) > 1:  # retries only: the first wave is the callers' own burst
                state["arrivals"].append(time.monotonic())
            if time.monotonic() < state["fail_until"]:
                return JSONResponse({"error": {"message": "warming up"}}, status_code=503)

        async def stream() -> Any:
            if body["model"] == "tricky":
                for text in TRICKY:
                    raw = _chunk(text)
                    cut = raw.index(text[-1].encode()) + 1  # inside the 3-byte UTF-8 sequence of a syllable
                    yield raw[:cut]
                    await asyncio.sleep(0.005)
                    yield raw[cut:]
            else:
                for i in range(chunks if body["model"] == "plain" else 1):
                    yield _chunk(f"토큰{i} ")
            yield b"data: [DONE]\n\n"

        return StreamingResponse(stream(), media_type="text/event-stream")

    return app


async def read_lines(url: str, model: str) -> str:
    async with httpx.AsyncClient() as client, client.stream("POST", f"{url}/v1/chat/completions",
                                                            json={"model": model, "stream": True}) as response:
        parts = []
        async for line in response.aiter_lines():
            if line.startswith("data:") and (data := line[5:].strip()) != "[DONE]":
                parts.append(json.loads(data)["choices"][0]["delta"]["content"])
        return "".join(parts)


async def read_sse(url: str, model: str) -> str:
    async with httpx.AsyncClient() as client, httpx_sse.aconnect_sse(
            client, "POST", f"{url}/v1/chat/completions", json={"model": model, "stream": True}) as source:
        parts = []
        async for event in source.aiter_sse():
            if event.data != "[DONE]":
                parts.append(json.loads(event.data)["choices"][0]["delta"]["content"])
        return "".join(parts)


async def read_sdk(url: str, model: str) -> str:
    from openai import AsyncOpenAI

    client = AsyncOpenAI(base_url=f"{url}/v1", api_key="x", max_retries=0)
    stream = await client.chat.completions.create(model=model, messages=[], stream=True)
    parts = [chunk.choices[0].delta.content or "" async for chunk in stream if chunk.choices]
    await client.close()
    return "".join(parts)


READERS = {"lines": read_lines, "httpx-sse": read_sse, "sdk": read_sdk}
IMPORTS = {"lines": "import httpx", "httpx-sse": "import httpx, httpx_sse", "sdk": "import openai"}


async def correctness(url: str) -> dict[str, Any]:
    out = {}
    for name, reader in READERS.items():
        try:
            out[name] = {"exact": await reader(url, "tricky") == "".join(TRICKY)}
        except Exception as exc:
            out[name] = {"exact": False, "error": f"{type(exc).__name__}: {str(exc)[:80]}"}
    return out


async def speed(url: str, rounds: int = 5) -> dict[str, Any]:
    times: dict[str, list[tuple[float, float]]] = {name: [] for name in READERS}
    for _ in range(rounds):
        for name, reader in READERS.items():
            wall, cpu = time.perf_counter(), time.process_time()
            await reader(url, "plain")
            times[name].append((time.perf_counter() - wall, time.process_time() - cpu))
    return {name: {"wall_s": round(statistics.median(w for w, _ in runs), 4),
                   "cpu_s": round(statistics.median(c for _, c in runs), 4)} for name, runs in times.items()}


def import_seconds(statement: str) -> float:
    code = f"import time; t = time.perf_counter(); {statement}; print(time.perf_counter() - t)"
    runs = [float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout)
            for _ in range(3)]
    return round(statistics.median(runs), 3)


class Unready(Exception):
    pass


async def herd(url: str, state: dict[str, Any], callers: int, wait: Any) -> dict[str, Any]:
    go = asyncio.Event()

    async def call(client: httpx.AsyncClient) -> None:
        await client.post(f"{url}/v1/chat/completions", json={"model": "plain-warm"})  # a pooled connection each
        await go.wait()  # then every caller fails at once, as when a server restarts under load
        async for attempt in AsyncRetrying(stop=stop_after_attempt(12), wait=wait, reraise=True,
                                           retry=retry_if_exception_type(Unready)):
            with attempt:
                number = attempt.retry_state.attempt_number
                response = await client.post(f"{url}/v1/chat/completions",
                                             json={"model": "flaky", "attempt": number})
                if response.status_code == 503:
                    raise Unready

    async with httpx.AsyncClient(limits=httpx.Limits(max_connections=callers * 2)) as client:
        calls = asyncio.gather(*(call(client) for _ in range(callers)))
        await asyncio.sleep(1.0)
        state["arrivals"] = []
        started = time.monotonic()
        state["fail_until"] = started + 1.0
        go.set()
        await calls
    arrivals = sorted(state["arrivals"])
    peak = max((sum(1 for b in arrivals if a <= b < a + 0.05) for a in arrivals), default=0)
    return {"retries": len(arrivals), "peak_per_50ms": peak, "all_done_s": round(time.monotonic() - started, 3)}


async def main(args: argparse.Namespace) -> dict[str, Any]:
    state: dict[str, Any] = {"arrivals": [], "fail_until": 0.0}
    with LiveServer(build_app(args.chunks, state)) as server:
        result = {"correctness": await correctness(server.url), "speed": await speed(server.url),
                  "chunks": args.chunks}
        result["retries"] = {
            "fixed": await herd(server.url, state, args.callers, wait_exponential(multiplier=0.05)),
            "jitter": await herd(server.url, state, args.callers, wait_random_exponential(multiplier=0.05)),
        }
    result["import_s"] = {name: import_seconds(statement) for name, statement in IMPORTS.items()}
    return result


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--chunks", type=int, default=3000)
    parser.add_argument("--callers", type=int, default=40)
    out = asyncio.run(main(parser.parse_args()))
    path = ROOT / "benchmarks" / "results" / "openai_stream.json"
    path.write_text(json.dumps(out, indent=2, ensure_ascii=False) + "\n")
    print(json.dumps(out, indent=2, ensure_ascii=False))
