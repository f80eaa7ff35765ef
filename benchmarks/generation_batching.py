"""Batching on the transformers backend: throughput against sequential, a short request behind a long one, and
time to first token with and without a cached persona prefix.

    .venv/bin/python benchmarks/generation_batching.py [--models tiny,26m] [--repeats 3] [--threads 1]
    .venv/bin/python benchmarks/generation_batching.py --source /tmp/static --label static   # an older revision

Models: random-initialised Llamas with the tiny Korean tokenizer (benchmarks/support/tiny_lm.py), built here:
`tiny` (hidden 64 x 2 layers, 0.2M weights) and `26m` (hidden 512 x 8 layers), with a 2048-token window, on CPU,
float32. Random weights (almost) never emit EOS, so replies run to their `max_new_tokens`; every request is greedy.

1. Throughput: `--tokens` (32) new tokens per request. Sequential: 8 requests, each awaited before the next is
   sent; concurrent: N requests sent at once (asyncio.gather) for N in 1, 4, 16, 32; `max_batch_size` 32. The
   ratio is concurrent tokens/s over sequential tokens/s (medians over `--repeats` rounds; in each round every
   variant runs once, so load changes hit all alike), and the same per process CPU second (this machine is shared).
   `--library` adds transformers' own ContinuousBatchingManager at 16 concurrent on the same model (greedy, same
   prompts and token counts, called directly), as the reference we chose not to use.
2. A short request behind a long one: a 256-token request decodes; meanwhile 8-token requests are sent one after
   another (`--shorts` of them; a new long one starts whenever the last ends). Their p50/p95 latency against the
   same short request alone.
3. Time to first token of a persona turn with a ~1,500-token prompt (system prompt, two example dialogues, the
   user message): latency of a 1-token request, medians over 5 turns with different user messages; without
   prefix reuse (`prefix_cache_mb=0`) and with it, the persona's prefix stored by two earlier turns.

`--source DIR` imports the `generation` package from DIR instead of this checkout, to measure an older revision
with the same script (`git archive REV generation | tar -x -C DIR`); parts the older code cannot run (prefix
reuse) are skipped. Writes benchmarks/results/generation_batching[_LABEL].json and prints tables.
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
SOURCE = next((Path(a.split("=", 1)[1]) if "=" in a else Path(sys.argv[i + 1])
               for i, a in enumerate(sys.argv) if a.startswith("--source")), None)
sys.path.insert(0, str(ROOT))
if SOURCE is not None:
    sys.path.insert(0, str(SOURCE.resolve()))

import torch  # noqa: E402

from benchmarks.support.tiny_lm import CORPUS, build_tiny_lm  # noqa: E402
from generation import GenerationConfig, GenerationRequest  # noqa: E402
from generation.transformers_backend import TransformersBackend  # noqa: E402

MODELS = {"tiny": {"hidden_size": 64, "layers": 2}, "26m": {"hidden_size": 512, "layers": 8}}
TOPICS = ["부산 여행", "제주도 맛집", "서울 날씨", "주말 영화", "운동 계획", "한국어 공부", "커피 추천", "이사 준비"]
CONCURRENCY = (1, 4, 16, 32)


def ask(text: str, tokens: int, system: list[dict[str, str]] | None = None) -> GenerationRequest:
    return GenerationRequest(messages=[*(system or []), {"role": "user", "content": text}], max_new_tokens=tokens,
                             temperature=0.0, repetition_penalty=1.0)


def requests(n: int, tokens: int, offset: int = 0) -> list[GenerationRequest]:
    return [ask(f"{TOPICS[(i + offset) % len(TOPICS)]}에 대해 {i + offset}번째로 알려 줘", tokens) for i in range(n)]


def backend(path: Path, **kw: Any) -> TransformersBackend:
    b = TransformersBackend(GenerationConfig(model=str(path), device="cpu", max_batch_size=32, batch_wait_ms=5, **kw))
    b.load()
    return b


def pct(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


# -- 1. throughput -------------------------------------------------------------------------------------------
async def timed(run: Any) -> dict[str, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    done = await run()
    return {"wall_s": time.perf_counter() - wall, "cpu_s": time.process_time() - cpu,
            "tokens": sum(d.completion_tokens for d in done)}


def library_run(model: Any, prompts: list[list[int]], tokens: int) -> dict[str, float]:
    """transformers' ContinuousBatchingManager on the same model: N greedy requests at once."""
    from transformers import GenerationConfig
    from transformers.generation.configuration_utils import ContinuousBatchingConfig

    config = GenerationConfig(max_new_tokens=tokens, do_sample=False, eos_token_id=-1)
    cb = ContinuousBatchingConfig(num_blocks=256, page_size=64, max_batch_tokens=2048)
    with torch.inference_mode():
        manager = model.init_continuous_batching(generation_config=config, continuous_batching_config=cb)
        manager.start()
        try:
            wall, cpu = time.perf_counter(), time.process_time()
            for i, ids in enumerate(prompts):
                manager.add_request(ids, request_id=f"r{i}", max_new_tokens=tokens)
            finished, generated = 0, 0
            while finished < len(prompts):
                out = manager.get_result(timeout=5)
                if out is not None and out.is_finished():
                    finished += 1
                    generated += len(out.generated_tokens)
            return {"wall_s": time.perf_counter() - wall, "cpu_s": time.process_time() - cpu, "tokens": generated}
        finally:
            manager.stop(block=True)


async def throughput(b: TransformersBackend, tokens: int, repeats: int, library: bool) -> dict[str, Any]:
    runs: dict[str, list[dict[str, float]]] = {"sequential": [], **{f"concurrent_{n}": [] for n in CONCURRENCY}}
    if library:
        runs["library_16"] = []
    await asyncio.gather(*[b.generate(r) for r in requests(4, 4)])  # warm-up
    for round_ in range(repeats):
        seq = requests(8, tokens, offset=round_)

        async def sequential(seq: list[GenerationRequest] = seq) -> list[Any]:
            return [await b.generate(r) for r in seq]

        runs["sequential"].append(await timed(sequential))
        for n in CONCURRENCY:
            batch = requests(n, tokens, offset=round_)
            runs[f"concurrent_{n}"].append(await timed(lambda batch=batch: asyncio.gather(
                *[b.generate(r) for r in batch])))
        if library:
            prompts = [b.encode_prompt(r.messages) for r in requests(16, tokens, offset=round_)]
            runs["library_16"].append(await asyncio.to_thread(library_run, b.model, prompts, tokens))
    report: dict[str, Any] = {}
    for name, rs in runs.items():
        report[name] = {"wall_s": round(statistics.median(r["wall_s"] for r in rs), 3),
                        "cpu_s": round(statistics.median(r["cpu_s"] for r in rs), 3), "tokens": rs[0]["tokens"],
                        "tokens_per_s": round(statistics.median(r["tokens"] / r["wall_s"] for r in rs), 1),
                        "tokens_per_cpu_s": round(statistics.median(r["tokens"] / r["cpu_s"] for r in rs), 1)}
    base, base_cpu = report["sequential"]["tokens_per_s"], report["sequential"]["tokens_per_cpu_s"]
    for name in report:
        report[name]["speedup"] = round(report[name]["tokens_per_s"] / base, 2)
        report[name]["cpu_speedup"] = round(report[name]["tokens_per_cpu_s"] / base_cpu, 2)
    return report


# -- 2. a short request behind a long one ------------------------------------------------------------------
async def short_behind_long(b: TransformersBackend, shorts: int) -> dict[str, Any]:
    short = ask("날씨 알려줘", 8)
    solo = []
    for _ in range(shorts):
        started = time.perf_counter()
        await b.generate(short)
        solo.append(time.perf_counter() - started)
    stop = asyncio.Event()
    longs = 0

    async def keep_long_running() -> None:
        nonlocal longs
        while not stop.is_set():
            longs += 1
            await b.generate(ask("여행 이야기를 길게 해 줘", 256))

    runner = asyncio.ensure_future(keep_long_running())
    await asyncio.sleep(0.5)  # the long request is decoding
    behind = []
    for _ in range(shorts):
        started = time.perf_counter()
        await b.generate(short)
        behind.append(time.perf_counter() - started)
    stop.set()
    await runner
    p50_solo, p95_solo = statistics.median(solo), pct(solo, 0.95)
    p50, p95 = statistics.median(behind), pct(behind, 0.95)
    return {"shorts": shorts, "long_requests": longs, "solo_p50_ms": round(p50_solo * 1000, 1),
            "solo_p95_ms": round(p95_solo * 1000, 1), "behind_p50_ms": round(p50 * 1000, 1),
            "behind_p95_ms": round(p95 * 1000, 1), "p95_over_solo_p50": round(p95 / p50_solo, 2),
            "p95_over_solo_p95": round(p95 / p95_solo, 2)}


# -- 3. time to first token with a persona prefix --------------------------------------------------------------
def persona_messages(b: TransformersBackend, target_tokens: int) -> list[dict[str, str]]:
    """A system prompt of corpus sentences and two example dialogues, about `target_tokens` tokens in all."""
    lines = [line.strip() for line in CORPUS.read_text(encoding="utf-8").splitlines() if line.strip()]
    examples = [{"role": "user", "content": "공부가 너무 어려워요."},
                {"role": "assistant", "content": "천 리 길도 한 걸음부터예요. 오늘 한 장을 읽었다면 충분해요."},
                {"role": "user", "content": "스마트폰이 뭔지 알아요?"},
                {"role": "assistant", "content": "처음 듣는 물건이에요. 손바닥만 한 편지 같은 것인가요?"}]
    body: list[str] = ["당신은 '백운 선생'입니다. 아래 설정대로 사용자와 대화하세요.", "[캐릭터 설명]"]
    for line in lines * 20:
        system = [{"role": "system", "content": "\n".join(body)}, *examples]
        if len(b.encode_prompt([*system, {"role": "user", "content": "안녕하세요"}])) >= target_tokens:
            return system
        body.append(line)
    raise RuntimeError("corpus too short for the persona prompt")


async def first_token(b: TransformersBackend, persona: list[dict[str, str]], users: list[str]) -> list[float]:
    samples = []
    for user in users:
        started = time.perf_counter()
        await b.generate(ask(user, 1, persona))
        samples.append(time.perf_counter() - started)
    return samples


async def ttft(path: Path, target_tokens: int) -> dict[str, Any] | None:
    try:
        cached, plain = backend(path), backend(path, prefix_cache_mb=0)
    except TypeError:
        return None  # an older revision without prefix reuse
    try:
        persona = persona_messages(cached, target_tokens)
        prompt = len(cached.encode_prompt([*persona, {"role": "user", "content": "안녕하세요"}]))
        users = ["오늘 날씨 어때요?", "책 추천해 주세요.", "한양은 어떤 곳이에요?", "차 한잔 하실래요?",
                 "요즘 뭐 하세요?"]
        await first_token(cached, persona, ["처음 뵙겠습니다.", "반갑습니다."])  # stores the persona prefix
        await first_token(plain, persona, ["처음 뵙겠습니다."])  # warm-up
        with_reuse = await first_token(cached, persona, users)
        without = await first_token(plain, persona, users)
        stats = cached.prefix_cache.stats
        return {"prompt_tokens": prompt, "reused_tokens_per_turn": round(stats.reused_tokens / max(stats.hits, 1)),
                "without_ms": round(statistics.median(without) * 1000, 1),
                "with_ms": round(statistics.median(with_reuse) * 1000, 1),
                "ratio": round(statistics.median(with_reuse) / statistics.median(without), 3),
                "cache_mb": round(cached.prefix_cache.nbytes / 2**20, 1)}
    finally:
        cached.batcher.close()  # type: ignore[union-attr]
        plain.batcher.close()  # type: ignore[union-attr]


# -- main ------------------------------------------------------------------------------------------------------
async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--models", default="tiny,26m")
    parser.add_argument("--tokens", type=int, default=32)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--shorts", type=int, default=20)
    parser.add_argument("--persona-tokens", type=int, default=1500)
    parser.add_argument("--threads", type=int, default=1, help="torch intra-op threads")
    parser.add_argument("--library", action="store_true", help="also run transformers' own manager")
    parser.add_argument("--source", type=Path, default=None, help="import `generation` from here")
    parser.add_argument("--label", default="", help="suffix of the JSON file")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    out = ROOT / "benchmarks" / "results" / f"generation_batching{'_' + args.label if args.label else ''}.json"
    report: dict[str, Any] = {"source": str(args.source or "checkout"), "torch_threads": torch.get_num_threads(),
                              "tokens_per_request": args.tokens, "repeats": args.repeats,
                              "load_avg_start": os.getloadavg(), "models": {}}
    with tempfile.TemporaryDirectory() as tmp:
        for name in args.models.split(","):
            path = build_tiny_lm(Path(tmp) / name, train_steps=0, max_positions=2048, **MODELS[name])
            b = backend(path)
            params = sum(p.numel() for p in b.model.parameters())
            entry: dict[str, Any] = {"params": params}
            entry["throughput"] = await throughput(b, args.tokens, args.repeats, args.library)
            entry["short_behind_long"] = await short_behind_long(b, args.shorts)
            b.batcher.close()  # type: ignore[union-attr]
            entry["first_token"] = await ttft(path, args.persona_tokens)
            report["models"][name] = entry
    report["load_avg_end"] = os.getloadavg()
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2))
    print_tables(report)
    print(f"wrote {out.relative_to(ROOT)}")


def print_tables(report: dict[str, Any]) -> None:
    print(f"\nsource {report['source']}, {report['tokens_per_request']} tokens per request, median of "
          f"{report['repeats']}, load average {report['load_avg_start'][0]:.1f} -> {report['load_avg_end'][0]:.1f}")
    for name, m in report["models"].items():
        print(f"\n{name} ({m['params']:,} params)")
        print(f"{'run':<15} {'wall s':>7} {'cpu s':>7} {'tok/s':>8} {'tok/cpu-s':>10} {'x seq':>6} {'x seq cpu':>9}")
        for run, r in m["throughput"].items():
            print(f"{run:<15} {r['wall_s']:>7.2f} {r['cpu_s']:>7.2f} {r['tokens_per_s']:>8.1f} "
                  f"{r['tokens_per_cpu_s']:>10.1f} {r['speedup']:>6.2f} {r['cpu_speedup']:>9.2f}")
        s = m["short_behind_long"]
        print(f"short (8 tok) solo p50/p95 {s['solo_p50_ms']}/{s['solo_p95_ms']} ms; behind a 256-token request "
              f"p50/p95 {s['behind_p50_ms']}/{s['behind_p95_ms']} ms: p95 = {s['p95_over_solo_p50']}x solo p50")
        t = m["first_token"]
        if t:
            print(f"first token, {t['prompt_tokens']}-token persona prompt: {t['without_ms']} ms without prefix "
                  f"reuse, {t['with_ms']} ms with ({t['reused_tokens_per_turn']} tokens reused): {t['ratio']}x")


if __name__ == "__main__":
    asyncio.run(main())
