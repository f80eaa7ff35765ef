"""Dynamic batching on the transformers backend: 16 concurrent requests vs the same 16 one after another.

    .venv/bin/python benchmarks/generation_batching.py [--requests 16] [--tokens 32] [--repeats 3]

Model: random-initialised Llama (hidden 512 x 8 layers, tiny Korean tokenizer, benchmarks/support/tiny_lm.py) on CPU;
random weights never emit EOS, so every request decodes exactly `--tokens` tokens. Sequential: each request
awaited before the next is sent. Concurrent: all sent at once with asyncio.gather (max_batch_size 16,
batch_wait_ms 5). Reported: wall time (median of repeats), generated tokens per second, forward passes and
batches, and the same per process CPU second (this machine is shared).
Writes benchmarks/results/generation_batching.json and prints a table.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import torch  # noqa: E402

from benchmarks.support.tiny_lm import build_tiny_lm  # noqa: E402
from generation import GenerationRequest  # noqa: E402
from generation.transformers_backend import TransformersBackend  # noqa: E402

OUT = ROOT / "benchmarks" / "results" / "generation_batching.json"
TOPICS = ["부산 여행", "제주도 맛집", "서울 날씨", "주말 영화", "운동 계획", "한국어 공부", "커피 추천", "이사 준비"]


def requests(n: int, tokens: int) -> list[GenerationRequest]:
    return [GenerationRequest(messages=[{"role": "user", "content": f"{TOPICS[i % len(TOPICS)]}에 대해 알려 줘"}],
                              max_new_tokens=tokens, temperature=0.0, repetition_penalty=1.0) for i in range(n)]


async def run(backend: TransformersBackend, reqs: list[GenerationRequest], concurrent: bool) -> dict[str, float]:
    passes, batches = backend.forward_passes, backend.batcher.batches  # type: ignore[union-attr]
    start, cpu = time.perf_counter(), time.process_time()
    if concurrent:
        done = await asyncio.gather(*[backend.generate(r) for r in reqs])
    else:
        done = [await backend.generate(r) for r in reqs]
    wall = time.perf_counter() - start
    return {"wall_s": wall, "cpu_s": time.process_time() - cpu, "tokens": sum(d.completion_tokens for d in done),
            "forward_passes": backend.forward_passes - passes,
            "batches": backend.batcher.batches - batches}  # type: ignore[union-attr]


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=16)
    parser.add_argument("--tokens", type=int, default=32)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--threads", type=int, default=1, help="torch intra-op threads")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    with tempfile.TemporaryDirectory() as tmp:
        path = build_tiny_lm(Path(tmp) / "h512", train_steps=0, hidden_size=512, layers=8)
        backend = TransformersBackend(str(path), device="cpu", max_batch_size=16, batch_wait_ms=5)
        backend.load()
        reqs = requests(args.requests, args.tokens)
        await run(backend, reqs[:2], concurrent=True)  # warm-up
        report: dict[str, object] = {"requests": args.requests, "tokens_per_request": args.tokens,
                                     "params": sum(p.numel() for p in backend.model.parameters()),
                                     "torch_threads": torch.get_num_threads(), "load_avg": os.getloadavg()[0]}
        for mode in ("sequential", "concurrent"):
            runs = [await run(backend, reqs, concurrent=mode == "concurrent") for _ in range(args.repeats)]
            wall = statistics.median(r["wall_s"] for r in runs)
            cpu = statistics.median(r["cpu_s"] for r in runs)
            report[mode] = {"wall_s": round(wall, 3), "cpu_s": round(cpu, 3), "tokens": runs[0]["tokens"],
                            "tokens_per_cpu_s": round(runs[0]["tokens"] / cpu, 1),
                            "tokens_per_s": round(runs[0]["tokens"] / wall, 1),
                            "forward_passes": runs[0]["forward_passes"], "batches": runs[0]["batches"]}
        backend.batcher.close()  # type: ignore[union-attr]
    seq, con = report["sequential"], report["concurrent"]
    report["speedup"] = round(seq["wall_s"] / con["wall_s"], 2)  # type: ignore[index]
    report["cpu_speedup"] = round(seq["cpu_s"] / con["cpu_s"], 2)  # type: ignore[index]
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(report, indent=2))
    print(f"\n{args.requests} requests x {args.tokens} tokens, {report['params']:,} params, "
          f"median of {args.repeats}, load average {report['load_avg']:.1f}")
    print(f"{'mode':<11} {'wall s':>8} {'cpu s':>7} {'tokens/s':>9} {'tok/cpu-s':>10} {'forward passes':>15} "
          f"{'batches':>8}")
    for mode in ("sequential", "concurrent"):
        r: Any = report[mode]
        print(f"{mode:<11} {r['wall_s']:>8.2f} {r['cpu_s']:>7.2f} {r['tokens_per_s']:>9.1f} "
              f"{r['tokens_per_cpu_s']:>10.1f} {r['forward_passes']:>15} {r['batches']:>8}")
    print(f"speedup {report['speedup']}x wall, {report['cpu_speedup']}x CPU; wrote {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    asyncio.run(main())
