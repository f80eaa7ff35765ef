"""DeepSpeed-MII (FastGen) against the transformers backend on one GPU, through the project's own API.

NOT RUN YET: no GPU has been lent to this work (see benchmarks/RESULTS.md, generation section). Prepared so that a
GPU session can run the whole measurement in a few minutes:

    pip install -e '.[mii,gpu]'      # beforehand, with the CUDA build of torch; the GPU machine has no network
    python benchmarks/gpu_mii_vs_transformers.py [--models hcx-0.5b,llama-1.4b] [--backends mii,transformers]
        [--concurrency 1,16,64] [--tokens 128] [--hcx-config /path/to/HyperCLOVAX/config.json]

What it does, per model and backend:
1. Builds a random-initialised Llama in bfloat16 (no weights can be downloaded): `hcx-0.5b` matches the sizes the
   model card of HyperCLOVAX-SEED-Text-Instruct-0.5B publishes (0.57B weights, 0.45B without the tied embeddings,
   4K context) with hidden 1024, 28 layers, 16 heads, 8 KV heads, MLP 4096, vocabulary 110,592 (a reconstruction:
   its config.json could not be read here; pass a copy with `--hcx-config` to use it exactly); `llama-1.4b` is
   hidden 2048 x 24 layers (1.36B). The tokenizer is the tiny Korean BPE of benchmarks/support/tiny_lm.py padded
   with added tokens (" 말120", " 말123." ...) to the model's vocabulary, so every id a random model emits decodes to
   a word and one in four ends a sentence: streamed replies flow sentence by sentence through the controls (speech
   level, filters), as Korean replies do.
2. Serves it: `assistant mii serve` (a FastGen deployment) plus `assistant serve --backend mii`, or
   `assistant serve --backend transformers` on cuda (continuous batching, max_batch_size 64), with a persona whose
   response set does not exist, so every turn generates, and admission at 64 in flight.
3. Sends streamed `POST /v1/chat/completions` turns, each a new conversation, `--tokens` tokens at most, at each
   concurrency (2 x concurrency turns, at least 8, at most `concurrency` at once): tokens/s (usage chunks), time
   to the first content chunk (the first sentence: about 4 tokens here), p50/p95 latency.
Writes benchmarks/results/gpu_mii_vs_transformers.json and prints a markdown table for RESULTS.md. With two GPUs,
`--tensor-parallel 2` serves MII over both.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
OUT = ROOT / "benchmarks" / "results" / "gpu_mii_vs_transformers.json"
SHAPES: dict[str, dict[str, int]] = {
    "hcx-0.5b": {"hidden_size": 1024, "num_hidden_layers": 28, "num_attention_heads": 16, "num_key_value_heads": 8,
                 "intermediate_size": 4096, "vocab_size": 110592, "max_position_embeddings": 4096},
    "tiny-check": {"hidden_size": 64, "num_hidden_layers": 2, "num_attention_heads": 4, "num_key_value_heads": 2,
                   "intermediate_size": 192, "vocab_size": 4096, "max_position_embeddings": 4096},
    "llama-1.4b": {"hidden_size": 2048, "num_hidden_layers": 24, "num_attention_heads": 16, "num_key_value_heads": 8,
                   "intermediate_size": 5632, "vocab_size": 110592, "max_position_embeddings": 4096},
}
PERSONA = """id: bench
name: 벤치
version: 1
description: 벤치마크용 페르소나예요. 모든 턴을 생성해요.
speech_level: 해요체
greetings: [안녕하세요.]
style: {max_reply_chars: 8000, emoji: false}
refusal: 죄송해요.
response_set: bench-none
generation: {temperature: 0.7, top_p: 0.9, max_new_tokens: 512}
"""


def build_model(name: str, directory: Path, hcx_config: Path | None, device: str) -> Path:
    import torch
    from transformers import LlamaConfig, LlamaForCausalLM, PreTrainedTokenizerFast

    from benchmarks.support.tiny_lm import build_tiny_lm

    if (directory / "config.json").exists():
        return directory
    tiny = build_tiny_lm(directory.parent / "tiny-tokenizer", train_steps=0)
    tokenizer = PreTrainedTokenizerFast.from_pretrained(str(tiny))
    if name == "hcx-0.5b" and hcx_config is not None:
        config = LlamaConfig.from_pretrained(str(hcx_config))
    else:
        config = LlamaConfig(**SHAPES[name], tie_word_embeddings=name == "hcx-0.5b", bos_token_id=None)
    # One added token in four ends a sentence: replies stream sentence by sentence without a Kiwi check per token.
    tokenizer.add_tokens([f" 말{i}" + ("." if i % 4 == 3 else "") for i in range(config.vocab_size - len(tokenizer))])
    config.pad_token_id, config.eos_token_id = tokenizer.pad_token_id, tokenizer.eos_token_id
    with torch.device(device):
        model = LlamaForCausalLM(config).to(torch.bfloat16 if device == "cuda" else torch.float32)
    model.generation_config.eos_token_id = tokenizer.eos_token_id
    model.save_pretrained(directory)
    tokenizer.save_pretrained(directory)
    del model
    if device == "cuda":
        torch.cuda.empty_cache()
    return directory


def server_config(work: Path, model: Path, backend: str, port: int, deployment: str, tokens: int,
                  device: str) -> Path:
    personas = work / "personas"
    personas.mkdir(exist_ok=True)
    (personas / "bench.yaml").write_text(PERSONA, encoding="utf-8")
    config = {
        "data_dir": str(work / f"var-{backend}"), "server": {"host": "127.0.0.1", "port": port},
        "personas": {"default": "bench", "extra_dirs": [str(personas)]},
        "admission": {"max_in_flight": 64, "max_queue": 256},
        "limits": {"max_new_tokens": tokens, "request_timeout_s": 300},
        "generation": {"backend": backend, "model": str(model), "device": device,
                       "dtype": "bfloat16" if device == "cuda" else "float32",
                       "load_in_background": False, "max_batch_size": 64, "max_queue": 256,
                       "mii": {"deployment_name": deployment, "max_length": 4096}},
    }
    path = work / f"config-{backend}.json"  # JSON is YAML
    path.write_text(json.dumps(config), encoding="utf-8")
    return path


async def wait_ready(base: str, timeout_s: float) -> dict[str, Any]:
    """Wait until /ready says the generation component is ready."""
    import httpx

    deadline, detail = time.monotonic() + timeout_s, "no answer"
    async with httpx.AsyncClient(timeout=5) as client:
        while time.monotonic() < deadline:
            try:
                generation = (await client.get(f"{base}/ready")).json()["components"]["generation"]
                if generation["ready"]:
                    return generation
                detail = generation["detail"]
            except (httpx.HTTPError, ValueError, KeyError):
                pass
            await asyncio.sleep(1)
    raise TimeoutError(f"{base} was not ready within {timeout_s}s: {detail}")


async def one_turn(client: Any, base: str, i: int, tokens: int) -> dict[str, float]:
    body = {"model": "bench", "stream": True, "max_tokens": tokens, "stream_options": {"include_usage": True},
            "messages": [{"role": "user", "content": f"{i}번째 질문이에요. 긴 이야기를 들려주세요."}]}
    started, first, usage = time.perf_counter(), None, 0
    async with client.stream("POST", f"{base}/v1/chat/completions", json=body) as response:
        response.raise_for_status()
        async for line in response.aiter_lines():
            if not line.startswith("data: ") or line == "data: [DONE]":
                continue
            chunk = json.loads(line[6:])
            if "error" in chunk:
                raise RuntimeError(chunk["error"])
            if chunk.get("usage"):
                usage = chunk["usage"]["completion_tokens"]
            for choice in chunk.get("choices", []):
                if first is None and choice.get("delta", {}).get("content"):
                    first = time.perf_counter()
    end = time.perf_counter()
    return {"latency": end - started, "ttft": (first or end) - started, "tokens": usage}


async def load(base: str, concurrency: int, tokens: int) -> dict[str, Any]:
    import httpx

    n = max(8, 2 * concurrency)
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(timeout=600, limits=limits) as client:
        await one_turn(client, base, -1, 8)  # warm-up
        gate = asyncio.Semaphore(concurrency)

        async def gated(i: int) -> dict[str, float]:
            async with gate:
                return await one_turn(client, base, i, tokens)

        started = time.perf_counter()
        turns = await asyncio.gather(*[gated(i) for i in range(n)])
        wall = time.perf_counter() - started
    lat = sorted(t["latency"] for t in turns)
    ttft = sorted(t["ttft"] for t in turns)
    return {"concurrency": concurrency, "turns": n, "wall_s": round(wall, 2),
            "tokens_per_s": round(sum(t["tokens"] for t in turns) / wall, 1),
            "ttft_p50_ms": round(statistics.median(ttft) * 1000, 1),
            "ttft_p95_ms": round(ttft[min(n - 1, round(0.95 * (n - 1)))] * 1000, 1),
            "latency_p50_ms": round(statistics.median(lat) * 1000, 1),
            "latency_p95_ms": round(lat[min(n - 1, round(0.95 * (n - 1)))] * 1000, 1)}


def start(cmd: list[str], log: Path, env: dict[str, str]) -> subprocess.Popen[bytes]:
    handle = log.open("wb")
    return subprocess.Popen(cmd, stdout=handle, stderr=subprocess.STDOUT, env=env, start_new_session=True)


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)


async def measure(work: Path, model: Path, backend: str, args: argparse.Namespace, port: int) -> dict[str, Any]:
    exe = [sys.executable, "-c", "from assistant.cli import main; main()"]  # this checkout's code
    deployment = f"bench-{model.name}"
    config = server_config(work, model, backend, port, deployment, args.tokens, args.device)
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]))
    started = time.perf_counter()
    if backend == "mii":
        subprocess.run([*exe, "mii", "serve", "--config", str(config), "--deployment-name", deployment,
                        "--tensor-parallel", str(args.tensor_parallel)], check=True, env=env,
                       stdout=(work / f"mii-{model.name}.log").open("wb"), stderr=subprocess.STDOUT)
    server = start([*exe, "serve", "--config", str(config)], work / f"serve-{backend}-{model.name}.log", env)
    base = f"http://127.0.0.1:{port}"
    try:
        await wait_ready(base, args.start_timeout)
        result: dict[str, Any] = {"start_s": round(time.perf_counter() - started, 1), "levels": []}
        for c in args.concurrency:
            result["levels"].append(await load(base, c, args.tokens))
            print(f"  {model.name} {backend} c={c}: {result['levels'][-1]}", flush=True)
        return result
    finally:
        stop(server)
        if backend == "mii":
            subprocess.run([*exe, "mii", "stop", "--config", str(config), "--deployment-name", deployment],
                           env=env, check=False)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--models", default="hcx-0.5b,llama-1.4b")
    parser.add_argument("--backends", default="mii,transformers")
    parser.add_argument("--concurrency", type=lambda s: [int(x) for x in s.split(",")], default=[1, 16, 64])
    parser.add_argument("--tokens", type=int, default=128)
    parser.add_argument("--tensor-parallel", type=int, default=1)
    parser.add_argument("--hcx-config", type=Path, default=None, help="HyperCLOVAX-SEED 0.5B's real config.json")
    parser.add_argument("--start-timeout", type=float, default=600)
    parser.add_argument("--work", type=Path, default=None, help="keep models and logs here")
    parser.add_argument("--device", default="cuda", help="cpu: a dry run of the whole path (--models tiny-check "
                        "--backends transformers), to check this script without a GPU")
    args = parser.parse_args()
    import torch

    if args.device == "cuda" and not torch.cuda.is_available():
        raise SystemExit("no CUDA GPU: this benchmark only runs on a GPU machine (--device cpu for a dry run)")
    work = args.work or Path(tempfile.mkdtemp(prefix="gpu-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    gpu = torch.cuda.get_device_name(0) if args.device == "cuda" else "cpu (dry run)"
    report: dict[str, Any] = {"gpu": gpu, "gpus": torch.cuda.device_count(),
                              "tokens": args.tokens, "tensor_parallel": args.tensor_parallel, "runs": {}}
    port = 18000
    for name in args.models.split(","):
        model = build_model(name, work / name, args.hcx_config, args.device)
        for backend in args.backends.split(","):
            port += 1
            key = f"{name}/{backend}"
            try:
                report["runs"][key] = await measure(work, model, backend, args, port)
            except Exception as exc:  # record and go on: the other runs are still worth having
                report["runs"][key] = {"error": f"{type(exc).__name__}: {exc}"}
                print(f"  {key} failed: {exc} (logs in {work})", flush=True)
    out = OUT if args.device == "cuda" else work / OUT.name
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2))
    print(f"\n{report['gpu']} x{report['gpus']}, {args.tokens} tokens per turn, streamed through /v1/chat/completions")
    print("| model | backend | concurrency | tokens/s | TTFT p50 ms | TTFT p95 ms | latency p50 ms | latency p95 ms |")
    print("|---|---|---:|---:|---:|---:|---:|---:|")
    for key, run in report["runs"].items():
        name, backend = key.split("/")
        for level in run.get("levels", []):
            print(f"| {name} | {backend} | {level['concurrency']} | {level['tokens_per_s']} | {level['ttft_p50_ms']} | "
                  f"{level['ttft_p95_ms']} | {level['latency_p50_ms']} | {level['latency_p95_ms']} |")
        if "error" in run:
            print(f"| {name} | {backend} | failed: {run['error']} | | | | | |")
    print(f"wrote {out}; models and logs in {work}")


if __name__ == "__main__":
    asyncio.run(main())
