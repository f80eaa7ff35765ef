"""Encode latency per single query and size on disk of a trained encoder, fp32 and int8.

Measures `SentenceTransformer.encode([query])` one query at a time over held-out validation queries
(after a warm-up), median and p90 in milliseconds, with 1 torch thread and with torch's default, for the
fp32 model and its dynamic-int8 copy (`retrieval.training.quantize`), plus the cosine agreement of
int8 with fp32 embeddings. The machine may be shared: the load average is recorded with the numbers.

    .venv/bin/python benchmarks/encoder_latency.py --encoder DIR [--queries 200]

Writes benchmarks/out/encoder_latency.json and prints a table.
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import sys
import time
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sentence_transformers import SentenceTransformer

from retrieval.evaldata import question_pairs
from retrieval.training.quantize import int8_size_bytes, quantize_int8


def latency_ms(model: SentenceTransformer, queries: list[str]) -> dict[str, float]:
    for q in queries[:10]:
        model.encode([q], show_progress_bar=False)
    times = []
    for q in queries:
        start = time.perf_counter()
        model.encode([q], show_progress_bar=False, convert_to_numpy=True)
        times.append((time.perf_counter() - start) * 1000)
    return {"median_ms": round(float(np.median(times)), 2), "p90_ms": round(float(np.percentile(times, 90)), 2)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--encoder", required=True)
    parser.add_argument("--shared-data", type=Path, default=Path("../shared/data"))
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent / "out" / "encoder_latency.json")
    args = parser.parse_args()
    queries = [q2 for _, q2, _ in question_pairs(args.shared_data, "validation")][: args.queries]
    model = SentenceTransformer(args.encoder, device="cpu")
    directory = Path(args.encoder)
    disk = sum(p.stat().st_size for p in directory.rglob("*") if p.is_file()) if directory.is_dir() else None
    int8 = quantize_int8(copy.deepcopy(model))
    agreement = float(np.mean(np.sum(model.encode(queries, normalize_embeddings=True)
                                     * int8.encode(queries, normalize_embeddings=True), axis=1)))
    rows = []
    default_threads = torch.get_num_threads()
    for threads in sorted({1, default_threads}):
        torch.set_num_threads(threads)
        rows.append({"variant": "fp32", "threads": threads, **latency_ms(model, queries)})
        rows.append({"variant": "int8", "threads": threads, **latency_ms(int8, queries)})
    report = {"encoder": args.encoder, "queries": len(queries), "disk_bytes_fp32_dir": disk,
              "int8_state_bytes": int8_size_bytes(int8), "int8_cosine_to_fp32": round(agreement, 4),
              "load_average": os.getloadavg(), "cpus": os.cpu_count(), "latency": rows}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(f"fp32 directory {disk / 1e6 if disk else float('nan'):.1f} MB, int8 state "
          f"{report['int8_state_bytes'] / 1e6:.1f} MB, int8 cosine to fp32 {agreement:.4f}, "
          f"load average {report['load_average'][0]:.1f}")
    print(f"{'variant':<8} {'threads':>7} {'median ms':>10} {'p90 ms':>8}")
    for r in rows:
        print(f"{r['variant']:<8} {r['threads']:>7} {r['median_ms']:>10.2f} {r['p90_ms']:>8.2f}")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
