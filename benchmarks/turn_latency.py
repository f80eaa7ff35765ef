"""Whole-turn latency through the real pipeline (retrieval path), per stage, on SQLite or PostgreSQL.

    .venv/bin/python benchmarks/turn_latency.py [--turns 300] [--database-url URL]

Writes benchmarks/out/turn_latency.json and prints a table of p50/p99 per stage (ms).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import tempfile
import time
from pathlib import Path

from assistant.pipeline import TurnRequest
from assistant.services import assemble, build_components
from assistant.settings import load_settings
from assistant.store import open_store

MESSAGES = ["안녕하세요", "고마워요", "반가워요", "잘 자요", "너는 누구야?", "좋은 아침이에요", "오늘 기분이 좋아요"]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def run(turns: int, database_url: str | None, data_dir: Path) -> dict:
    settings = load_settings(data_dir=data_dir)
    components = build_components(settings)
    store = open_store(database_url or settings.sqlalchemy_url)
    services = assemble(settings, store, components)
    stages: dict[str, list[float]] = {}
    wall: list[float] = []
    errors = 0
    for n in range(turns):
        started = time.perf_counter()
        try:
            result = await services.pipeline.run(
                TurnRequest(MESSAGES[n % len(MESSAGES)], conversation_id=f"bench-{n % 10}")
            )
        except Exception:  # a benchmark counts failures instead of stopping
            errors += 1
            continue
        wall.append((time.perf_counter() - started) * 1000)
        for stage, ms in result.latency_ms.items():
            stages.setdefault(stage, []).append(ms)
    store.close()
    return {
        "turns": turns,
        "errors": errors,
        "store": store.dialect,
        "wall_ms": {"p50": statistics.median(wall), "p99": percentile(wall, 0.99)},
        "stages_ms": {k: {"p50": statistics.median(v), "p99": percentile(v, 0.99)} for k, v in stages.items()},
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--turns", type=int, default=300)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        report = asyncio.run(run(args.turns, args.database_url, Path(tmp)))
    out = Path(__file__).parent / "out"
    out.mkdir(exist_ok=True)
    name = f"turn_latency_{report['store']}.json"
    (out / name).write_text(json.dumps(report, indent=2))
    print(f"{report['turns']} turns on {report['store']}, {report['errors']} errors")
    print(f"{'stage':<10} {'p50 ms':>9} {'p99 ms':>9}")
    for stage, v in {**report["stages_ms"], "wall": report["wall_ms"]}.items():
        print(f"{stage:<10} {v['p50']:>9.2f} {v['p99']:>9.2f}")


if __name__ == "__main__":
    main()
