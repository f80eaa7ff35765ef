"""Latency of the rule strategy of context injection, per user turn, with a 10-turn history.

The rule strategy runs as the server runs it: with the bundled learned models (antecedent ranker, zero-anaphora
detector, with its sentence encoder (multilingual-e5-small), unless `--rules-only`.

Two ways of calling, both measured cold (Kiwi analysis cache and the encoder's cache emptied before every turn, so
every text is analysed and embedded again) and warm (only the history and the last standalone query are in the
Kiwi cache, as in a running server that read them on earlier turns; the new utterance and the reply are always
analysed; the follow-up gate's cache holds the history's turns in the warm stateless mode, never the new one). In
the warm pipeline the encoder also holds the last standalone query: with the default retrieval settings the selector
embedded it on that turn, and the zero-anaphora detector compares the next utterance with it.
  - pipeline: the stored state is passed (what the chat pipeline does); one turn = rewrite + observe_reply.
  - stateless: only the 10-turn history is passed (POST /v1/context/rewrite); the state is rebuilt by replay.
Histories are built from the dev and own case files (5 cases' histories = 10 turns, then a case's utterance).
Process CPU time per turn is reported next to wall-clock time: on a shared, loaded machine the wall-clock tail
is mostly time spent preempted, which CPU time leaves out.
Writes benchmarks/out/dst_latency.json and prints a table.

    .venv/bin/python benchmarks/dst_latency.py [--turns 400] [--rules-only]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from pathlib import Path
from typing import Any

from dst import ContextInjector, DstConfig, HistoryTurn
from dst.evaluation import load_cases
from dst.ranking import default_encoder, default_ranker
from dst.sibling import default_sibling_matcher
from dst.zero import default_zero_detector

ROOT = Path(__file__).resolve().parents[1]
CASE_FILES = [
    ROOT.parent / "shared" / "data" / "context_injection_dev.jsonl",
    ROOT / "benchmarks" / "data" / "context_cases.jsonl",
]


def scenarios(n: int) -> list[tuple[list[HistoryTurn], str]]:
    cases = [c for path in CASE_FILES if path.exists() for c in load_cases(path) if len(c["history"]) == 2]
    out = []
    for k in range(n):
        picked = [cases[(k * 7 + j * 3) % len(cases)] for j in range(5)]
        history = [HistoryTurn(t["role"], t["text"]) for c in picked for t in c["history"]]
        out.append((history, picked[-1]["utterance"]))
    return out


def percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {
        "p50_ms": statistics.median(ordered),
        "p90_ms": ordered[int(0.90 * (len(ordered) - 1))],
        "p99_ms": ordered[int(0.99 * (len(ordered) - 1))],
        "mean_ms": statistics.fmean(ordered),
    }


def run(
    injector: ContextInjector, cases: list[tuple[list[HistoryTurn], str]], *, stateless: bool, cold: bool,
    encoder: Any = None,
) -> tuple[list[float], list[float]]:
    samples: list[float] = []
    cpu: list[float] = []
    for history, utterance in cases:
        state = None if stateless else injector.rewrite(history[:-1], history[-2].text).state
        if not stateless:
            state = injector.observe_reply(state, history[-1].text)
        if not cold and encoder is not None and state is not None and state.last_query:
            encoder.encode([state.last_query])  # the selector embedded the last standalone query on its turn
        injector.analyzer.cache_clear()
        gate = injector.rules.zero.gate if injector.rules.zero is not None else None
        if gate is not None:
            gate.clear_cache()  # the follow-up gate has never read the new turn
        if cold and encoder is not None:
            encoder.clear_cache()  # cold: the encoder computes every noun and sentence it is asked again
        if not cold:
            # warm: what a running server has already read (history, the last standalone query), never the new turn
            for turn in history:
                injector.analyzer.analyze(turn.text)
            if state is not None and state.last_query:
                injector.analyzer.analyze(state.last_query)
            if stateless and gate is not None:
                injector.replay(history)  # the history's own turns, which the previous request read
        start, start_cpu = time.perf_counter(), time.process_time()
        rw = injector.rewrite(history, utterance, state)
        if not stateless:
            injector.observe_reply(rw.state, "네, 알려드릴게요.")
        samples.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
    return samples, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--turns", type=int, default=400)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "out" / "dst_latency.json")
    parser.add_argument("--rules-only", action="store_true", help="without the learned models and the encoder")
    args = parser.parse_args()
    started = time.perf_counter()
    learned = not args.rules_only
    models = {"ranker": default_ranker(), "zero": default_zero_detector(),
              "sibling": default_sibling_matcher()} \
        if learned else {}
    encoder = default_encoder() if learned else None
    injector = ContextInjector(DstConfig(strategy="rules", max_history_turns=10), **models)
    load_s = time.perf_counter() - started
    cases = scenarios(args.turns)
    run(injector, cases[:20], stateless=False, cold=False)  # warm-up
    results = {}
    for mode in ("pipeline", "stateless"):
        for cache in ("warm", "cold"):
            samples, cpu = run(injector, cases, stateless=mode == "stateless", cold=cache == "cold",
                               encoder=encoder)
            cpu_stats = {f"cpu_{k}": v for k, v in percentiles(cpu).items()}
            results[f"{mode}/{cache}"] = {"turns": len(samples), **percentiles(samples), **cpu_stats}
    report = {"benchmark": "dst_latency", "strategy": "rules", "learned_models": learned, "history_turns": 10,
              "load_s": load_s, "load_average": os.getloadavg(), "goal": "p50 <= 5 ms, p99 <= 20 ms",
              "results": results}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")
    loaded = "Kiwi, lexicon, models and encoder" if learned else "Kiwi and lexicon"
    print(f"{loaded} load: {load_s:.2f} s; {args.turns} turns per row, 10-turn history")
    print(f"load average {os.getloadavg()[0]:.1f}; wall-clock, then process CPU time per turn")
    print(f"{'mode/cache':<18}{'p50 ms':>9}{'p90 ms':>9}{'p99 ms':>9}{'mean ms':>9}{'cpu p50':>9}{'cpu p99':>9}")
    for name, r in results.items():
        print(f"{name:<18}{r['p50_ms']:>9.3f}{r['p90_ms']:>9.3f}{r['p99_ms']:>9.3f}{r['mean_ms']:>9.3f}"
              f"{r['cpu_p50_ms']:>9.3f}{r['cpu_p99_ms']:>9.3f}")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
