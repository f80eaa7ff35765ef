"""Overhead of our generation stack over a raw `model.generate` on the same prompt and the same tokens.

    .venv/bin/python benchmarks/generation_overhead.py [--tokens 64] [--repeats 7]

Models: random-initialised Llamas built from a config with the tiny Korean tokenizer (benchmarks/support/tiny_lm.py),
in two sizes (hidden 64 x 2 layers, hidden 512 x 8 layers), on CPU. Random weights never emit EOS, so every run
decodes exactly `--tokens` tokens, greedily. Timed: median of `--repeats` rounds after one warm-up, the
variants interleaved in each round; wall time and process CPU time (all threads), since wall time on this
shared 2-core machine mostly measures other jobs:
  raw        model.generate(input_ids, max_new_tokens=N, do_sample=False), called in a worker thread
  backend    TransformersBackend.generate (continuous batcher thread, per-row control), batch_wait_ms=0
  backend+5  the same with the default batch_wait_ms=5 (a lone request waits that long for batch mates)
  generator  Generator.generate (backend + stop/trim/length, abuse filter, PII masking)
  generator+speech  the same with a speech level (one Kiwi analysis of the reply)
Writes benchmarks/results/generation_overhead.json and prints a table.
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
from generation import GenerationConfig, GenerationRequest, Generator  # noqa: E402
from generation.speech_level import SpeechLevelControl  # noqa: E402
from generation.transformers_backend import TransformersBackend  # noqa: E402

OUT = ROOT / "benchmarks" / "results" / "generation_overhead.json"
MESSAGES = [{"role": "system", "content": "당신은 친절한 한국어 비서입니다."},
            {"role": "user", "content": "이번 주말에 부산에 가려고 하는데 어디를 가 보면 좋을까요?"}]


def median_ms(samples: list[float]) -> float:
    return round(statistics.median(samples) * 1000, 2)


async def interleaved(runs: dict[str, Any], repeats: int) -> dict[str, dict[str, Any]]:
    """Run every variant once per round (so load changes hit all alike); wall and process CPU seconds."""
    stats: dict[str, dict[str, Any]] = {name: {"wall": [], "cpu": [], "last": None} for name in runs}
    for fn in runs.values():
        await fn()  # warm-up
    for _ in range(repeats):
        for name, fn in runs.items():
            wall, cpu = time.perf_counter(), time.process_time()
            stats[name]["last"] = await fn()
            stats[name]["cpu"].append(time.process_time() - cpu)
            stats[name]["wall"].append(time.perf_counter() - wall)
    return stats


async def measure(path: Path, tokens: int, repeats: int, speech: SpeechLevelControl) -> dict[str, object]:
    backend = TransformersBackend(GenerationConfig(model=str(path), device="cpu", batch_wait_ms=0))
    backend.load()
    waiting = TransformersBackend(GenerationConfig(model=str(path), device="cpu", batch_wait_ms=5))
    waiting.load()
    model, tokenizer = backend.model, backend.tokenizer
    ids = torch.tensor([backend.encode_prompt(MESSAGES)])
    mask = torch.ones_like(ids)

    def generate_raw() -> int:
        with torch.inference_mode():
            out = model.generate(input_ids=ids, attention_mask=mask, max_new_tokens=tokens, do_sample=False,
                                 pad_token_id=tokenizer.pad_token_id)
        return out.shape[1] - ids.shape[1]

    async def raw() -> int:
        # In a worker thread like our batcher's: on this 2-core machine under load, torch's OpenMP team in the
        # main thread runs several times slower than in a worker thread, which would flatter our numbers.
        return await asyncio.to_thread(generate_raw)

    request = GenerationRequest(messages=MESSAGES, max_new_tokens=tokens, temperature=0.0, repetition_penalty=1.0)
    generator = Generator(backend, speech=speech)
    spoken = GenerationRequest(messages=MESSAGES, max_new_tokens=tokens, temperature=0.0, repetition_penalty=1.0,
                               speech_level="해요체")
    runs = {
        "raw": raw,
        "backend": lambda: backend.generate(request),
        "backend+5": lambda: waiting.generate(request),
        "generator": lambda: generator.generate(request),
        "generator+speech": lambda: generator.generate(spoken),
    }
    result: dict[str, Any] = {"params": sum(p.numel() for p in model.parameters()), "tokens": tokens}
    stats = interleaved(runs, repeats)
    stats = await stats
    raw_wall, raw_cpu = median_ms(stats["raw"]["wall"]), median_ms(stats["raw"]["cpu"])
    for name, st in stats.items():
        last = st["last"]
        wall, cpu = median_ms(st["wall"]), median_ms(st["cpu"])
        result[name] = {"wall_ms": wall, "cpu_ms": cpu,
                        "tokens": last if isinstance(last, int) else last.completion_tokens,
                        "wall_overhead_pct": None if name == "raw" else round((wall / raw_wall - 1) * 100, 1),
                        "cpu_overhead_pct": None if name == "raw" else round((cpu / raw_cpu - 1) * 100, 1)}
    for b in (backend, waiting):
        b.batcher.close()  # type: ignore[union-attr]
    return result


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tokens", type=int, default=64)
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--threads", type=int, default=1, help="torch intra-op threads")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    speech = SpeechLevelControl()
    report: dict[str, Any] = {"torch_threads": torch.get_num_threads(), "load_avg": os.getloadavg()[0],
                                 "sizes": {}}
    with tempfile.TemporaryDirectory() as tmp:
        for hidden, layers in ((64, 2), (512, 8)):
            path = build_tiny_lm(Path(tmp) / f"h{hidden}", train_steps=0, hidden_size=hidden, layers=layers)
            report["sizes"][f"h{hidden}x{layers}"] = await measure(path, args.tokens, args.repeats, speech)  # type: ignore[index]
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(report, indent=2, ensure_ascii=False))
    print(f"\n{args.tokens} greedy tokens, median of {args.repeats}, load average {report['load_avg']:.1f}")
    print(f"{'model':<10} {'params':>10} {'run':<18} {'wall ms':>9} {'cpu ms':>9} {'tokens':>7} "
          f"{'wall +%':>8} {'cpu +%':>8}")
    for size, res in report["sizes"].items():  # type: ignore[union-attr]
        for name in ("raw", "backend", "backend+5", "generator", "generator+speech"):
            row = res[name]
            wpct = "" if row["wall_overhead_pct"] is None else f"{row['wall_overhead_pct']:+.1f}"
            cpct = "" if row["cpu_overhead_pct"] is None else f"{row['cpu_overhead_pct']:+.1f}"
            print(f"{size:<10} {res['params']:>10,} {name:<18} {row['wall_ms']:>9.1f} {row['cpu_ms']:>9.1f} "
                  f"{row['tokens']:>7} {wpct:>8} {cpct:>8}")
    print(f"wrote {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    asyncio.run(main())
