"""Persona costs on the request path: prompt rendering, registry lookups with hot reload, card import.

    .venv/bin/python benchmarks/personas_prompt.py [--repeat 200]

Writes benchmarks/results/personas.json and prints a table (median and p99 in ms).
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from personas import PersonaRegistry, PersonasConfig, persona_to_card, render_prompt

ROOT = Path(__file__).resolve().parents[1]
LIBRARY = ROOT / "personas" / "library"
CARD = ROOT / "tests" / "personas" / "data" / "seoyun_v2.json"


def timed(fn: Callable[[], object], repeat: int) -> dict[str, float]:
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    ordered = sorted(samples)
    return {"p50": statistics.median(samples), "p99": ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=200)
    args = parser.parse_args()
    results: dict[str, dict[str, float]] = {}
    registry = PersonaRegistry([LIBRARY], None)
    persona = registry.get("scholar")
    knowledge = [("위키", "한양은 조선의 도읍이다. " * 20)] * 3
    for turns in (10, 100, 1000):
        history = [("user" if i % 2 == 0 else "assistant", f"{i}번째 한양 이야기 " * 8) for i in range(turns)]
        results[f"render_prompt, {turns} turns, budget 2048 chars"] = timed(
            lambda h=history: render_prompt(persona, h, "거기는?", "한양은?", knowledge, 2048, len), args.repeat
        )
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "lib"
        shutil.copytree(LIBRARY, copy)
        hot = PersonaRegistry([copy], Path(tmp) / "w", PersonasConfig(reload_interval_s=0.0))
        results["registry.get, re-stat every call"] = timed(lambda: hot.get("scholar"), args.repeat)
        cached = PersonaRegistry([copy], None, PersonasConfig(reload_interval_s=1.0))
        results["registry.get, within reload interval"] = timed(lambda: cached.get("scholar"), args.repeat)
        target = copy / "friend.yaml"
        text = target.read_text(encoding="utf-8")

        def edit_and_get() -> None:
            target.write_text(text + f"\n# {time.perf_counter_ns()}\n", encoding="utf-8")
            hot.get("friend")

        results["edit file + registry.get (re-parse)"] = timed(edit_and_get, args.repeat)
        data = CARD.read_bytes()
        # The first import builds Kiwi (speech-level guess); it is reported on its own, once.
        results["first card import (builds Kiwi)"] = timed(
            lambda: hot.import_card(data, persona_id="seoyun", overwrite=True), 1
        )
        results["import V2 card (parse, validate, write)"] = timed(
            lambda: hot.import_card(data, persona_id="seoyun", overwrite=True), min(args.repeat, 50)
        )
        imported = hot.get("seoyun")
        results["export V2 card"] = timed(lambda: persona_to_card(imported), args.repeat)
    out = ROOT / "benchmarks" / "results" / "personas.json"
    out.write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    width = max(len(k) for k in results)
    print(f"{'operation':<{width}}  {'p50 ms':>8}  {'p99 ms':>8}")
    for name, row in results.items():
        print(f"{name:<{width}}  {row['p50']:8.3f}  {row['p99']:8.3f}")


if __name__ == "__main__":
    main()
