"""Public-API costs: refusal latency under overload, /health under load, key admission, OpenAI-surface overhead.

    .venv/bin/python benchmarks/apis_backpressure.py [--clients 100] [--slots 4] [--queue 16]

Refusal latency is client-observed: it includes the turn's work before the admission point (context injection
and response selection run before it is known that the turn needs generation), queued behind the other requests.
A real uvicorn server (127.0.0.1, background thread) runs the app on the embedded defaults; its LM is the product's
OpenAI-compatible backend on a local server (benchmarks/support/chat_server.py) that takes 30 s per reply, so the
slots stay held. `clients` concurrent streaming /v1/chat/completions requests hit `slots` generation slots and a
queue of `queue`; refused ones are timed from send to the 503. /health is probed while all slots are held.
Key admission (`KeyStore.admit`, one SQLite writer transaction) and a retrieval turn through /v1/chat/completions
vs /v1/chat are timed sequentially. Writes benchmarks/results/apis.json and prints a table (ms).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402

from api.app import create_app  # noqa: E402
from assistant.admission import AdmissionSettings  # noqa: E402
from assistant.keys import KeyStore  # noqa: E402
from assistant.services import build_components  # noqa: E402
from assistant.settings import load_settings  # noqa: E402
from benchmarks.support.chat_server import ChatServer  # noqa: E402
from benchmarks.support.live import GENERATE, LiveServer, remote_generator, services_for, settings_with  # noqa: E402

OUT = ROOT / "benchmarks" / "results" / "apis.json"


def summary(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {"n": len(samples), "p50": round(statistics.median(samples), 2),
            "p99": round(ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))], 2),
            "max": round(ordered[-1], 2)}


async def overload(url: str, clients: int, admission: object) -> dict[str, object]:
    refusals: list[float] = []
    release = asyncio.Event()

    async def one(http: httpx.AsyncClient, n: int) -> int:
        body = {"model": "assistant", "stream": True,
                "messages": [{"role": "user", "content": f"{GENERATE[n % 2]} ({n})"}]}
        sent = time.perf_counter()
        async with http.stream("POST", "/v1/chat/completions", json=body) as response:
            if response.status_code != 200:
                await response.aread()
                refusals.append((time.perf_counter() - sent) * 1000)
                return response.status_code
            await release.wait()
            return 200

    limits = httpx.Limits(max_connections=clients + 10, max_keepalive_connections=0)
    async with httpx.AsyncClient(base_url=url, timeout=120, limits=limits) as http:
        # Warm-up: the first turn loads Kiwi; what is measured is the steady state.
        assert (await http.post("/v1/chat", json={"message": "안녕하세요"})).status_code == 200
        tasks = [asyncio.create_task(one(http, n)) for n in range(clients)]
        while admission.in_flight + admission.queued + admission.refused < clients:  # type: ignore[attr-defined]
            await asyncio.sleep(0.01)
        health = []
        for _ in range(20):
            started = time.perf_counter()
            assert (await http.get("/health")).status_code == 200
            health.append((time.perf_counter() - started) * 1000)
        release.set()
        statuses = await asyncio.gather(*tasks)
    return {"admitted": statuses.count(200), "refused": statuses.count(503),
            "other": len(statuses) - statuses.count(200) - statuses.count(503),
            "refusal_ms": summary(refusals), "health_under_load_ms": summary(health)}


async def sequential(url: str, repeat: int) -> dict[str, object]:
    async with httpx.AsyncClient(base_url=url, timeout=60) as http:
        timings: dict[str, list[float]] = {"openai_completion_retrieve": [], "native_chat_retrieve": []}
        for _ in range(repeat):
            started = time.perf_counter()
            r = await http.post("/v1/chat/completions",
                                json={"model": "assistant", "messages": [{"role": "user", "content": "안녕하세요"}]})
            assert r.status_code == 200, r.text
            timings["openai_completion_retrieve"].append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            assert (await http.post("/v1/chat", json={"message": "안녕하세요"})).status_code == 200
            timings["native_chat_retrieve"].append((time.perf_counter() - started) * 1000)
    return {k: summary(v) for k, v in timings.items()}


async def admission_decision(repeat: int) -> dict[str, float]:
    """Server-side cost of a refusal: `Admission.slot()` on a full gate, without any HTTP or turn work."""
    from assistant.admission import Admission
    from assistant.errors import Busy

    gate, hold = Admission(AdmissionSettings(max_in_flight=1, max_queue=0)), asyncio.Event()

    async def holder() -> None:
        async with gate.slot():
            await hold.wait()

    task = asyncio.create_task(holder())
    await asyncio.sleep(0)
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        try:
            async with gate.slot():
                pass
        except Busy:
            samples.append((time.perf_counter() - started) * 1000)
    hold.set()
    await task
    return summary(samples)


def key_admission(engine: object, repeat: int) -> dict[str, float]:
    keys = KeyStore(engine)  # type: ignore[arg-type]
    _, plain = keys.create("bench", requests_per_minute=10**6, tokens_per_day=10**9)
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        keys.admit(plain, "bench")
        samples.append((time.perf_counter() - started) * 1000)
    return summary(samples)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=100)
    parser.add_argument("--slots", type=int, default=4)
    parser.add_argument("--queue", type=int, default=16)
    parser.add_argument("--repeat", type=int, default=50)
    args = parser.parse_args()
    data_dir = Path(tempfile.mkdtemp(prefix="apis-bench-"))
    base = load_settings(data_dir=data_dir)
    settings = settings_with(base, admission=AdmissionSettings(max_in_flight=args.slots, max_queue=args.queue,
                                                               queue_timeout_s=120))
    components = build_components(settings)
    chat = ChatServer().start()
    results: dict[str, object] = {"clients": args.clients, "slots": args.slots, "queue": args.queue}
    try:
        with services_for(settings, components, f"sqlite:///{data_dir / 'store.db'}",
                          remote_generator(chat.base_url, "slow-30")) as services, \
                LiveServer(create_app(services=services)) as server:
            results["overload"] = asyncio.run(overload(server.url, args.clients, services.pipeline.admission))
            results["sequential"] = asyncio.run(sequential(server.url, args.repeat))
            results["key_admit_ms"] = key_admission(services.store.engine, args.repeat * 4)
            results["admission_refusal_ms"] = asyncio.run(admission_decision(1000))
    finally:
        chat.stop()
    OUT.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    o = results["overload"]
    print(f"{'measure':40} {'n':>5} {'p50':>9} {'p99':>9} {'max':>9}")
    rows = {"refusal (503) latency": o["refusal_ms"], "/health under load": o["health_under_load_ms"],
            **{k: v for k, v in results["sequential"].items()}, "KeyStore.admit (SQLite)": results["key_admit_ms"],
            "Admission refusal decision": results["admission_refusal_ms"]}
    for name, s in rows.items():
        print(f"{name:40} {s['n']:>5} {s['p50']:>9.2f} {s['p99']:>9.2f} {s['max']:>9.2f}")
    print(f"admitted {o['admitted']}, refused {o['refused']}, other {o['other']} "
          f"({args.clients} clients, {args.slots} slots, queue {args.queue})")


if __name__ == "__main__":
    main()
