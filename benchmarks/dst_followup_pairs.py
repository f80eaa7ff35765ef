"""Does an utterance refer back to the last exchange? Three pair models, measured on blind batches no fit read.

The decision that holds ellipsis back (issue 17): a question such as "주말 수업도 있나요?" after a reply about a named
academy must take that academy, and "지금 몇 시야?" after the same reply must not. This script measures how well
each of three models separates the two, fitted on `benchmarks/data/context_cases.jsonl` without the held-out
batches (default blind-54 to 61) and scored on those batches:
  - cosine: multilingual-e5-small's cosine of the utterance and the last exchange (no fit);
  - pair-logistic: logistic regression over e5's U*C and |U-C| (and the cosine);
  - cross-encoder: LoRA (rank 16) on e5-small reading "query: utterance </s> exchange", a mean-pooled linear head,
    fine-tuned for `--epochs` on CPU.
Training pairs: every case-file utterance after its own history, labelled 1 when the case expects a rewrite and 0
when it must stay unchanged (topic shifts, pass-through), plus `--open-negatives` KorQuAD and StyleKQC questions
after random case histories (0). The false-rewrite guards' pools (ChatbotData, sae4k, 3i4k) are not used for
fitting. Scored positives: the held-out batches' ellipsis cases, and all their cases that expect a rewrite.
Scored negatives: `--guard-negatives` short ChatbotData and sae4k utterances after held-out histories (the shape of
`dst_quality.py --shifts`), and the held-out unchanged cases. Reported: AUC, and recall at the score that lets 1%
and 2% of the guard-style negatives through, with how many held-out unchanged cases pass that score.
The cross-encoder measured here is what `dst/followup.py` ships (fitted by `assistant dst train-followup` on the
state's exchange, with Question_pair chit-chat among its negatives); this script keeps the three-way comparison on
the held-out batches. Writes JSON and prints a table.

    PYTHONPATH=. .venv/bin/python benchmarks/dst_followup_pairs.py --out benchmarks/results/dst_followup_pairs.json
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data"
CASES = ROOT / "benchmarks" / "data" / "context_cases.jsonl"
Pair = tuple[str, str]  # (last exchange, utterance)


def exchange(history: list[dict[str, str]]) -> str:
    """The last user turn and the last reply, cut to 220 characters."""
    users = [t["text"] for t in history if t["role"] == "user"]
    replies = [t["text"] for t in history if t["role"] == "assistant"]
    return ((users[-1] if users else "") + " / " + (replies[-1] if replies else ""))[:220]


def guard_pool() -> list[str]:
    with (SHARED / "songys_chatbot_data" / "ChatbotData.csv").open(encoding="utf-8") as f:
        chat = [row[0] for row in list(csv.reader(f))[1:]]
    rows = (SHARED / "sae4k" / "sae4k_dev.tsv").read_text(encoding="utf-8").splitlines()
    sae = [line.split("\t")[0] for line in rows]
    return [u.strip() for u in chat + sae if 2 <= len(u.strip()) <= 20]


def report(name: str, score: Callable[[list[Pair]], np.ndarray], held: dict[str, list[Pair]]) -> dict[str, Any]:
    guard, unchanged = score(held["guard"]), score(held["unchanged"])
    out: dict[str, Any] = {"model": name}
    for key in ("ellipsis", "all referring"):
        pos = score(held[key])
        y = np.r_[np.ones(len(pos)), np.zeros(len(guard) + len(unchanged))]
        auc = roc_auc_score(y, np.r_[pos, guard, unchanged])
        row: dict[str, Any] = {"positives": len(pos), "auc": round(float(auc), 3)}
        for fpr in (0.01, 0.02):
            cut = float(np.quantile(guard, 1 - fpr))
            row[f"recall_at_guard_fpr_{fpr}"] = round(float((pos > cut).mean()), 3)
            row[f"unchanged_passing_at_{fpr}"] = int((unchanged > cut).sum())
        out[key] = row
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--held", default=r"^b(5[4-9]|6[01])-", help="regex of the held-out case ids")
    ap.add_argument("--epochs", type=int, default=1)
    ap.add_argument("--open-negatives", type=int, default=2000)
    ap.add_argument("--guard-negatives", type=int, default=800)
    ap.add_argument("--seed", type=int, default=11)
    ap.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "out" / "dst_followup_pairs.json")
    args = ap.parse_args()

    import torch
    from peft import get_peft_model

    from dst.ranking import default_encoder
    from dst.training.followup import open_questions
    from korean.e5_lora import lora_config, pooled_logits
    from korean.e5_port import bert_model

    rng = random.Random(args.seed)
    torch.manual_seed(args.seed)
    torch.set_num_threads(2)
    held_re = re.compile(args.held)
    cases = [json.loads(line) for line in CASES.read_text(encoding="utf-8").splitlines() if line.strip()]
    train = [c for c in cases if not held_re.match(c["id"]) and c["history"]]
    held_cases = [c for c in cases if held_re.match(c["id"]) and c["history"]]
    histories = [c["history"] for c in train]
    sources = open_questions(SHARED)  # the stop-39 recipe: KorQuAD and StyleKQC only
    questions = sources["korquad"] + sources["stylekqc"]
    pairs = [((exchange(c["history"]), c["utterance"]), 0.0 if c["unchanged"] else 1.0) for c in train]
    pairs += [((exchange(rng.choice(histories)), rng.choice(questions)), 0.0) for _ in range(args.open_negatives)]
    rng.shuffle(pairs)
    pool, held_histories = guard_pool(), [c["history"] for c in held_cases]
    held = {
        "ellipsis": [(exchange(c["history"]), c["utterance"]) for c in held_cases
                     if c["category"] == "ellipsis" and not c["unchanged"]],
        "all referring": [(exchange(c["history"]), c["utterance"]) for c in held_cases if not c["unchanged"]],
        "unchanged": [(exchange(c["history"]), c["utterance"]) for c in held_cases if c["unchanged"]],
        "guard": [(exchange(rng.choice(held_histories)), rng.choice(pool)) for _ in range(args.guard_negatives)],
    }
    results: list[dict[str, Any]] = []

    encoder = default_encoder()

    def embed(batch: list[Pair]) -> tuple[np.ndarray, np.ndarray]:
        return encoder.encode([c for c, _ in batch]), encoder.encode([u for _, u in batch])

    def cosine(batch: list[Pair]) -> np.ndarray:
        c, u = embed(batch)
        return np.asarray((c * u).sum(1))

    def features(batch: list[Pair]) -> np.ndarray:
        c, u = embed(batch)
        return np.hstack([u * c, np.abs(u - c), (u * c).sum(1, keepdims=True)])

    results.append(report("e5 cosine", cosine, held))
    logistic = LogisticRegression(C=1.0, class_weight="balanced", max_iter=4000)
    logistic.fit(features([p for p, _ in pairs]), np.array([y for _, y in pairs]))
    results.append(report("e5 pair-logistic", lambda b: logistic.predict_proba(features(b))[:, 1], held))

    bert, tokenizer, _ = bert_model()
    model = get_peft_model(bert, lora_config(16, 32, 0.1))
    head = torch.nn.Linear(bert.config.hidden_size, 1)
    trained = [p for p in model.parameters() if p.requires_grad]
    optimiser = torch.optim.AdamW([{"params": trained, "lr": 3e-4}, {"params": list(head.parameters()), "lr": 1e-3}],
                                  weight_decay=0.01)
    size = 16
    steps = args.epochs * (len(pairs) // size)
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimiser, lambda s: min(1.0, (s + 1) / 30) * max(0.0, (steps - s) / steps))
    positives = sum(y for _, y in pairs)
    weight = torch.tensor([(len(pairs) - positives) / positives])

    def encode(batch: list[Pair]) -> Any:
        return tokenizer([f"query: {u} </s> {c}" for c, u in batch], padding=True, truncation=True, max_length=112,
                         return_tensors="pt")

    started = time.perf_counter()
    model.train()
    head.train()
    for _ in range(args.epochs):
        for k in range(0, len(pairs) - size + 1, size):
            batch = pairs[k : k + size]
            enc = encode([p for p, _ in batch])
            hidden = model(input_ids=enc["input_ids"], attention_mask=enc["attention_mask"]).last_hidden_state
            logits = pooled_logits(hidden, enc["attention_mask"], head)
            loss = torch.nn.functional.binary_cross_entropy_with_logits(
                logits, torch.tensor([y for _, y in batch]), pos_weight=weight)
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
            schedule.step()
    trained_s = time.perf_counter() - started
    model.eval()
    head.eval()
    scored = {"pairs": 0, "seconds": 0.0}

    def cross(batch: list[Pair]) -> np.ndarray:
        out: list[float] = []
        began = time.perf_counter()
        with torch.no_grad():
            for k in range(0, len(batch), 32):
                enc = encode(batch[k : k + 32])
                hidden = model(input_ids=enc["input_ids"], attention_mask=enc["attention_mask"]).last_hidden_state
                out += pooled_logits(hidden, enc["attention_mask"], head).tolist()
        scored["pairs"] += len(batch)
        scored["seconds"] += time.perf_counter() - began
        return np.array(out)

    results.append(report(f"e5 cross-encoder (LoRA r16, {args.epochs} epoch)", cross, held))
    meta = {"training_pairs": len(pairs), "training_positives": int(positives), "train_seconds": round(trained_s),
            "cross_encoder_ms_per_pair_batched": round(1000 * scored["seconds"] / max(1, scored["pairs"]), 2),
            "held": args.held, "held_cases": len(held_cases), "guard_negatives": args.guard_negatives}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"benchmark": "dst_followup_pairs", **meta, "results": results},
                                   ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(meta, ensure_ascii=False))
    print(f"{'model':44} {'set':14} {'n':>4} {'AUC':>6} {'rec@1%':>7} {'rec@2%':>7} {'unch@1%':>8}")
    for r in results:
        for key in ("ellipsis", "all referring"):
            row = r[key]
            print(f"{r['model']:44} {key:14} {row['positives']:>4} {row['auc']:>6.3f} "
                  f"{row['recall_at_guard_fpr_0.01']:>7.3f} {row['recall_at_guard_fpr_0.02']:>7.3f} "
                  f"{row['unchanged_passing_at_0.01']:>8}")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
