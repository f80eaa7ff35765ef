"""Time and peak memory of summarize-reviews at its limits (no LM): 10,000 NSMC reviews, 10,000 reviews at
the per-review length limit, 10,000 NSMC reviews without ratings (the learned sentiment model and the
e5-embedded aspect clauses), reviews of 50,000 characters (truncated), and the refused 10,001-review request.

Each case runs in a fresh process so that its peak RSS is its own; CPU seconds are reported next to wall time
because the build machine is shared. Writes JSON and prints a table.

    .venv/bin/python benchmarks/skills_reviews_bench.py
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing as mp
import resource
import time
from pathlib import Path


def _reviews(folder: Path, n: int, length: int | None, rated: bool = True) -> list[dict]:
    rows = []
    for path in sorted(folder.glob("*.json")):
        for r in json.loads(path.read_text(encoding="utf-8")):
            text = r["review"]
            if length is not None:
                text = (text + " ") * (length // max(1, len(text) + 1) + 1)
                text = text[:length]
            rows.append({"id": r["review_id"], "text": text, **({"rating": int(r["rating"])} if rated else {})})
            if len(rows) == n:
                return rows
    while len(rows) < n:  # more than the corpus holds: cycle it
        rows.append({**rows[len(rows) % 50_000], "id": f"c{len(rows)}"})
    return rows


def _case(args: tuple[str, str, int, int | None, bool, str], queue: mp.Queue) -> None:
    from generation.skills import SkillInputError, SkillsSettings, default_registry
    from korean.kiwi import shared_kiwi

    name, folder, n, length, rated, sentiment = args
    shared_kiwi()
    registry = default_registry(None, {}, settings=SkillsSettings.model_validate(
        {"reviews": {"sentiment_model": sentiment}}))
    reviews = _reviews(Path(folder), n, length, rated)
    base = resource.getrusage(resource.RUSAGE_SELF)
    base_rss, base_cpu = base.ru_maxrss, base.ru_utime + base.ru_stime
    started = time.perf_counter()
    try:
        result = asyncio.run(registry.run("summarize-reviews", {"reviews": reviews}))
        outcome = f"ok: {result.output['sentiment']}, truncated {result.trace['truncated']}"
        timings = result.trace["timings_ms"]
    except SkillInputError as exc:
        outcome, timings = f"refused: {exc}", {}
    seconds = time.perf_counter() - started
    usage = resource.getrusage(resource.RUSAGE_SELF)
    peak, cpu = usage.ru_maxrss, usage.ru_utime + usage.ru_stime - base_cpu
    queue.put({"case": name, "reviews": n, "chars_per_review": length, "seconds": round(seconds, 2),
               "cpu_seconds": round(cpu, 2), "peak_rss_mib": round(peak / 1024, 1),
               "rss_growth_mib": round((peak - base_rss) / 1024, 1),
               "timings_ms": timings, "outcome": outcome})


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default="../shared/data/nsmc/raw")
    ap.add_argument("--out", default="benchmarks/results/skills_reviews_bench.json")
    ap.add_argument("--only", help="run only the cases whose name contains this")
    ap.add_argument("--sentiment", choices=("ngram", "stacked", "lexicon"), default="ngram",
                    help="the sentiment model of unrated reviews (skills.reviews.sentiment_model)")
    args = ap.parse_args()
    cases = [
        ("10k NSMC reviews", args.data, 10_000, None, True),
        ("10k NSMC reviews, no ratings", args.data, 10_000, None, False),
        ("10k reviews at 2,000 chars", args.data, 10_000, 2_000, True),
        ("100 reviews of 50,000 chars", args.data, 100, 50_000, True),
        ("10,001 reviews (over limit)", args.data, 10_001, None, True),
    ]
    chosen = [(*c, args.sentiment) for c in cases if args.only is None or args.only in c[0]]
    results = []
    ctx = mp.get_context("spawn")
    for case in chosen:
        queue = ctx.Queue()
        proc = ctx.Process(target=_case, args=(case, queue))
        proc.start()
        results.append(queue.get())
        proc.join()
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(results, ensure_ascii=False, indent=2), encoding="utf-8")
    print(f"{'case':<30}{'wall s':>8}{'CPU s':>8}{'peak RSS MiB':>14}{'growth MiB':>12}  outcome")
    for r in results:
        print(f"{r['case']:<30}{r['seconds']:>8}{r['cpu_seconds']:>8}{r['peak_rss_mib']:>14}{r['rss_growth_mib']:>12}"
              f"  {r['outcome']}")


if __name__ == "__main__":
    main()
