"""Quality of the response selector on held-out Korean data (test split only; never used for fitting).

Reports, for the shipped (or given) calibration:
  * top-1 answer accuracy on held-out paraphrases of stored questions (songys Question_pair test split),
    with the pair index (~650 stored questions, as the paraphrase set of docs/architecture.md) and with the full
    ChatbotData index (~11k stored pairs, scored by answer text);
  * retrieve/generate decision accuracy on in-set paraphrases vs out-of-domain questions (KorQuAD
    questions + sae4k assistant commands), plus near-misses (same topic, other intent) separately;
  * with --analyser-ablation, BM25-only top-1 on the validation split for analyser variants (the
    measured choice behind `retrieval.analyzer`).

    .venv/bin/python benchmarks/retrieval_eval.py [--shared-data ../shared/data] [--analyser-ablation] [--thresholds]

Writes benchmarks/out/retrieval_eval.json and prints a table.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from korean.encoder import SentenceTransformerEncoder
from retrieval import Calibration, KoreanAnalyzer
from retrieval.analyzer import _base_tag
from retrieval.evaldata import build_episode
from retrieval.fitting import _design, confidences, decision_accuracy, evaluate, pool_episode
from retrieval.lexical import Bm25Retriever


class _Variant(KoreanAnalyzer):
    """Analyser variants for the ablation only."""

    def __init__(self, mode: str) -> None:
        super().__init__()
        self.mode = mode
        self.version += f"/{mode}"

    def _terms(self, tokens):  # type: ignore[no-untyped-def,override]
        if self.mode == "all_surface":
            return [t.form for t in tokens]
        if self.mode == "content_surface":
            keep = ("N", "V", "M", "X", "S", "I")
            return [t.form for t in tokens if _base_tag(t.tag).startswith(keep) and _base_tag(t.tag) not in
                    {"SF", "SP", "SS", "SE", "SO", "SW", "XSV", "XSA", "XSN"}]
        if self.mode == "lemma_all":
            return [t.lemma if _base_tag(t.tag) in {"VV", "VA", "VX"} else t.form for t in tokens]
        return KoreanAnalyzer._terms(tokens)


def analyser_ablation(root: Path) -> dict[str, float]:
    episode = build_episode(root, "validation")
    docs = [r.question for r in episode.records]
    answers = [r.answer for r in episode.records]
    queries = [q for q in episode.queries if q.group == "paraphrase"]
    out: dict[str, float] = {}
    for mode in ("lemma_content", "content_surface", "lemma_all", "all_surface", "whitespace"):
        if mode == "whitespace":
            doc_terms = [d.split() for d in docs]
            query_terms = [q.text.split() for q in queries]
        else:
            analyzer = _Variant(mode)
            doc_terms = analyzer.analyze_many(docs)
            query_terms = analyzer.analyze_many([q.text for q in queries])
        bm25 = Bm25Retriever.build(doc_terms)
        hits = [answers[int(np.argmax(bm25.scores(t)))] == q.gold for t, q in zip(query_terms, queries, strict=True)]
        out[mode] = float(np.mean(hits))
    return out


def threshold_tradeoff(root: Path, analyzer: KoreanAnalyzer, calibration: Calibration) -> dict[str, dict]:
    """Decision accuracies on the validation split for other thresholds of the same confidence model."""
    pooled = pool_episode(build_episode(root, "validation"), analyzer)
    x, y, groups = _design(pooled, calibration.weights)
    conf = confidences(pooled, calibration, x)
    return {f"{t:.2f}": decision_accuracy(conf, y, groups, t) for t in (0.2, 0.25, 0.3, calibration.threshold, 0.5)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--shared-data", type=Path, default=Path("../shared/data"))
    parser.add_argument("--calibration", type=Path, default=None, help="calibration JSON (default: bundled)")
    parser.add_argument("--encoder", default=None, help="dense encoder hub id/path (default: none)")
    parser.add_argument("--analyser-ablation", action="store_true")
    parser.add_argument("--thresholds", action="store_true", help="validation trade-off of other thresholds")
    parser.add_argument("--out", type=Path, default=Path("benchmarks/out/retrieval_eval.json"))
    args = parser.parse_args()

    calibration = Calibration.load(args.calibration)
    analyzer = KoreanAnalyzer()
    encoder = SentenceTransformerEncoder(args.encoder) if args.encoder else None
    results: dict[str, object] = {"calibration": {"weights": calibration.weights, "threshold": calibration.threshold,
                                                  "command": calibration.meta.get("command")},
                                  "encoder": args.encoder}
    started = time.perf_counter()
    for index_kind in ("pairs", "chatbot"):
        pooled = pool_episode(build_episode(args.shared_data, "test", index=index_kind), analyzer, encoder)
        results[f"test_{index_kind}"] = evaluate(pooled, calibration)
    if args.analyser_ablation:
        results["analyser_ablation_bm25_top1_validation"] = analyser_ablation(args.shared_data)
    if args.thresholds:
        results["threshold_tradeoff_validation"] = threshold_tradeoff(args.shared_data, analyzer, calibration)
    results["seconds"] = round(time.perf_counter() - started, 1)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, ensure_ascii=False, indent=2))

    print(f"calibration weights {calibration.weights} threshold {calibration.threshold:.2f}")
    print(f"{'index':<10}{'size':>7}{'top-1':>8}{'bm25':>7}{'char':>7}{'para':>7}{'ood':>7}{'near':>7}"
          f"{'p-vs-ood':>10}{'decision':>10}{'cautious':>10}")
    for index_kind in ("pairs", "chatbot"):
        r = results[f"test_{index_kind}"]
        d = r["decision"]  # type: ignore[index]
        s = r["top1_single"]  # type: ignore[index]
        print(f"{index_kind:<10}{r['index_size']:>7}{r['top1']:>8.3f}{s.get('bm25', 0):>7.3f}"  # type: ignore[index]
              f"{s.get('char', 0):>7.3f}{d['paraphrase']:>7.3f}{d['ood']:>7.3f}{d['near_miss']:>7.3f}"
              f"{d['paraphrase_vs_ood']:>10.3f}{d['decision_only_paraphrase_vs_ood']:>10.3f}{d['cautious']:>10.3f}")
    if args.analyser_ablation:
        print("analyser ablation (BM25 only, validation top-1):",
              json.dumps(results["analyser_ablation_bm25_top1_validation"]))
    if args.thresholds:
        print("threshold  decision(para vs ood)  near-miss generated  cautious  (validation)")
        for t, d in results["threshold_tradeoff_validation"].items():  # type: ignore[union-attr]
            print(f"{t:>9}  {d['decision_only_paraphrase_vs_ood']:>21.3f}  {d['near_miss']:>19.3f}  "
                  f"{d['cautious']:>8.3f}")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
