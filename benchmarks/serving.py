"""Serving overheads on the request path: routing, metrics, shadow launch, and live latency under shadow traffic.

    .venv/bin/python benchmarks/serving.py [--turns 60] [--conversations 100000]

Live latency is measured end to end through the product's OpenAI backend + Generator against a local
OpenAI-compatible server (benchmarks/support/chat_server.py) that echoes at once; the shadow candidate either fails
(HTTP 500) or answers after 2 s. Writes benchmarks/results/serving.json and prints a table.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from assistant.metrics import Metrics  # noqa: E402
from assistant.routing import RoutingSettings, ShadowRunner, ShadowSettings, build_router  # noqa: E402
from benchmarks.support.chat_server import ChatServer  # noqa: E402
from generation import GenerationConfig, GenerationRequest, build_generator  # noqa: E402

OUT = ROOT / "benchmarks" / "results" / "serving.json"


def per_call_us(fn: Callable[[int], object], n: int) -> float:
    started = time.perf_counter()
    for i in range(n):
        fn(i)
    return (time.perf_counter() - started) / n * 1e6


def pct(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--turns", type=int, default=60)
    parser.add_argument("--conversations", type=int, default=100_000)
    args = parser.parse_args()
    server = ChatServer().start()
    try:
        results = asyncio.run(run(server, args.turns, args.conversations))
    finally:
        server.stop()
    OUT.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    print(f"{'measure':58} {'value':>12}")
    for key, value in flatten(results):
        print(f"{key:58} {value:>12}")
    print(f"wrote {OUT.relative_to(ROOT)}")


def flatten(tree: dict, prefix: str = "") -> list[tuple[str, object]]:
    rows: list[tuple[str, object]] = []
    for key, value in tree.items():
        name = f"{prefix}.{key}" if prefix else key
        rows += flatten(value, name) if isinstance(value, dict) else [(name, value)]
    return rows


def version(server: ChatServer, model: str) -> dict:
    return {"backend": "openai", "openai": {"base_url": server.base_url, "model": model, "max_retries": 0,
                                            "breaker_failures": 1_000_000}}


async def run(server: ChatServer, turns: int, conversations: int) -> dict:
    section = build_generator(GenerationConfig.model_validate(version(server, "echo-section")))
    single = build_router(RoutingSettings(), section)
    routing = RoutingSettings.model_validate({"default_endpoint": "chat", "endpoints": {"chat": {
        "versions": {"a": version(server, "echo-a"), "b": version(server, "echo-b"),
                     "broken": version(server, "fail"), "slow": version(server, "slow-2")},
        "weights": {"a": 70, "b": 30}}}})
    router = build_router(routing, section)
    ids = [uuid.uuid4().hex for _ in range(conversations)]
    results: dict = {"route_us": {
        "single_endpoint": round(per_call_us(lambda i: single.route(ids[i]), conversations), 2),
        "weighted_2_of_4_versions": round(per_call_us(lambda i: router.route(ids[i]), conversations), 2),
        "pinned": round(per_call_us(lambda i: router.route(ids[i], version="b"), conversations), 2)}}
    share = sum(router.route(c).version == "a" for c in ids) / conversations
    results["ab_70_30"] = {f"share_a_over_{conversations}": round(share, 4),
                           "share_a_over_first_1000": round(sum(router.route(c).version == "a"
                                                                for c in ids[:1000]) / 1000, 4)}
    metrics = Metrics()
    latency = {"load": 0.4, "rewrite": 0.6, "select": 1.1, "prompt": 0.3, "generate": 250.0, "store": 3.2,
               "total": 256.0}
    trace = {"prompt_tokens": 120, "completion_tokens": 40, "input_pii": ["전화번호"], "input_abuse": [],
             "filter_hits": [], "reply_pii": []}

    def observe(_: int) -> None:
        metrics.observe_stages(latency)
        metrics.turns.labels("generate", "ok").inc()
        metrics.selector_decisions.labels("generate").inc()
        metrics.observe_generation("chat", "a", trace)
        metrics.ab_assignments.labels("chat", "a", "weighted").inc()

    results["metrics_us_per_turn"] = round(per_call_us(observe, 20_000), 2)
    render_started = time.perf_counter()
    size = len(metrics.render())
    results["metrics_render"] = {"ms": round((time.perf_counter() - render_started) * 1000, 3), "bytes": size}

    request = GenerationRequest(messages=[{"role": "user", "content": "부산 날씨 어때?"}], max_new_tokens=32,
                                temperature=0.0)
    chat = router.get("chat")
    latency_ms: dict[str, dict[str, float]] = {}
    for label, candidate in (("no_shadow", None), ("failing_shadow", "broken"), ("slow_2s_shadow", "slow")):
        chat.set_shadow(candidate)
        shadow = ShadowRunner(ShadowSettings(timeout_s=5, max_concurrent=64, write_jsonl=False), None, metrics)
        samples, launch_us = [], []
        for i in range(turns):
            started = time.perf_counter()
            route = router.route(f"c{i}", version="a")
            completion = await route.generator.generate(request)
            mark = time.perf_counter()
            shadow.launch(route, request, live_reply=completion.text, live_ms=completion.latency_ms,
                          conversation_id=f"c{i}")
            launch_us.append((time.perf_counter() - mark) * 1e6)
            samples.append((time.perf_counter() - started) * 1000)
        await shadow.drain(timeout_s=10)
        latency_ms[label] = {"p50_ms": round(statistics.median(samples), 2), "p95_ms": round(pct(samples, 0.95), 2),
                             "launch_p50_us": round(statistics.median(launch_us), 1)}
    chat.set_shadow(None)
    results["live_turn_lm_part"] = latency_ms
    return results


if __name__ == "__main__":
    main()
