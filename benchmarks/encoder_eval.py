"""Dev evaluation of the selector per component: BM25, + char n-grams, + trained encoder, + verifier.

Built only from shared data the models never trained on (`retrieval.training.splits`): the test split
of `retrieval.evaldata` (held-out Question_pair paraphrases of stored questions, near-misses, and
out-of-domain KorQuAD/sae4k questions). Every fitted quantity (fusion weights, the logistic confidence
model, thresholds) is fitted with 2-fold cross-validation over queries (folds by a hash of the text):
fit on one half, predict the other, metrics over all predictions. As in the selector, a first candidate that
asks something else (`retrieval.nearmiss`) is refused whatever its score. Reports paraphrase top-1 and
balanced decision accuracy (paraphrase retrieved with the right answer vs near-miss/out-of-domain
generated), per group.

    .venv/bin/python benchmarks/encoder_eval.py --encoder DIR [--verifier DIR] [--index pairs|chatbot]

Writes benchmarks/out/encoder_eval[_<index>].json and prints a table.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.linear_model import LogisticRegression

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from korean.encoder import load_encoder
from retrieval import KoreanAnalyzer
from retrieval.calibration import FEATURES
from retrieval.evaldata import Episode, build_episode
from retrieval.fitting import Pooled, decision_accuracy, pool_episode, weight_grid
from retrieval.nearmiss import near_miss
from retrieval.verifier import CrossEncoderVerifier

THRESHOLDS = np.round(np.arange(0.02, 0.99, 0.01), 2)


@dataclass
class Ranked:
    """Per query: candidate docs best first, features of the first, whether the first is right."""

    docs: list[list[int]]
    features: np.ndarray
    correct: np.ndarray

    def refused(self, pooled: Pooled, rows: np.ndarray) -> np.ndarray:
        """Whether each first candidate is a near-miss: the selector refuses those (retrieval.nearmiss)."""
        index, records, queries = pooled.index.index, pooled.index.records, pooled.episode.queries
        assert index is not None
        return np.array([bool(d) and near_miss(index.analyzer, queries[i].text, records[d[0]].question) is not None
                         for i, d in zip(rows, self.docs, strict=True)])


def fold_of(text: str) -> int:
    return int(hashlib.md5(text.encode()).hexdigest(), 16) % 2


def rank_all(pooled: Pooled, weights: dict[str, float], rows: np.ndarray, top: int) -> Ranked:
    index = pooled.index.index
    assert index is not None
    answers = pooled.index.answers
    docs, feats, correct = [], [], []
    for i in rows:
        terms, pool_docs, cand = pooled.pools[i]
        cand = {k: v for k, v in cand.items() if weights.get(k, 0.0) > 0}
        ranked = index.rank(terms, pool_docs, cand, weights, top=top, group_keys=answers) if cand else []
        query = pooled.episode.queries[i]
        docs.append([c.doc for c in ranked])
        feats.append([ranked[0].features.get(f, 0.0) if ranked else 0.0 for f in FEATURES])
        correct.append(bool(ranked) and query.gold is not None and answers[ranked[0].doc] == query.gold)
    return Ranked(docs, np.array(feats), np.array(correct))


def top1(ranked: Ranked, groups: np.ndarray) -> float:
    return float(ranked.correct[groups == "paraphrase"].mean())


def best_threshold(scores: np.ndarray, correct: np.ndarray, groups: np.ndarray) -> float:
    return float(max(THRESHOLDS, key=lambda t: decision_accuracy(scores, correct, list(groups), float(t))["balanced"]))


def logistic(x: np.ndarray, y: np.ndarray) -> LogisticRegression:
    model = LogisticRegression(C=1.0, class_weight="balanced", max_iter=2000)
    return model.fit(x, y) if len(set(y.tolist())) == 2 else model.fit(np.vstack([x, x[:1]]),
                                                                       np.append(y, 1 - y[0]))


class CrossValidation:
    def __init__(self, pooled: Pooled, verifier: CrossEncoderVerifier | None, top: int) -> None:
        self.pooled = pooled
        self.verifier = verifier
        self.top = top
        queries = pooled.episode.queries
        self.groups = np.array([q.group for q in queries])
        self.folds = np.array([fold_of(q.text) for q in queries])
        self._probs: dict[tuple[str, str], float] = {}

    def probs(self, rows: np.ndarray, ranked: Ranked) -> list[np.ndarray]:
        assert self.verifier is not None
        records = self.pooled.index.records
        queries = self.pooled.episode.queries
        todo: dict[str, list[str]] = {}
        for i, docs in zip(rows, ranked.docs, strict=True):
            for d in docs:
                key = (queries[i].text, records[d].question)
                if key not in self._probs:
                    todo.setdefault(key[0], []).append(key[1])
        for query, questions in todo.items():
            for q, p in zip(questions, self.verifier.probabilities(query, questions), strict=True):
                self._probs[(query, q)] = float(p)
        return [np.array([self._probs[(queries[i].text, records[d].question)] for d in docs])
                for i, docs in zip(rows, ranked.docs, strict=True)]

    def rerank(self, rows: np.ndarray, ranked: Ranked) -> tuple[np.ndarray, np.ndarray]:
        """Best verifier probability among the candidates, and whether that candidate is right."""
        answers = self.pooled.index.answers
        queries = self.pooled.episode.queries
        scores, right = [], []
        for i, docs, p in zip(rows, ranked.docs, self.probs(rows, ranked), strict=True):
            if not len(p):
                scores.append(0.0)
                right.append(False)
                continue
            b = int(np.argmax(p))
            scores.append(float(p[b]))
            right.append(queries[i].gold is not None and answers[docs[b]] == queries[i].gold)
        return np.array(scores), np.array(right)

    def run(self, retrievers: list[str], mode: str) -> dict[str, Any]:
        """mode: "calibrated" (logistic confidence), "verifier_veto" (calibrated, then the verifier may refuse),
        "verifier_gate" (verifier on top-1 alone), "verifier_combined" (verifier probability as one more
        logistic feature), "verifier_rerank" (best-verified of the top candidates, gated)."""
        n = len(self.groups)
        decision = np.zeros(n, dtype=bool)
        correct = np.zeros(n, dtype=bool)
        chosen: list[dict[str, float]] = []
        for fold in (0, 1):
            train, test = np.where(self.folds != fold)[0], np.where(self.folds == fold)[0]
            grid = weight_grid(retrievers, 0.05) if len(retrievers) > 1 else [{retrievers[0]: 1.0}]
            weights = max(grid, key=lambda w: top1(rank_all(self.pooled, w, train, 1), self.groups[train]))
            chosen.append(weights)
            tr, te = rank_all(self.pooled, weights, train, self.top), rank_all(self.pooled, weights, test, self.top)
            g_tr = self.groups[train]
            if mode in ("calibrated", "verifier_veto"):
                model = logistic(tr.features, tr.correct.astype(int))
                s_tr, s_te = model.predict_proba(tr.features)[:, 1], model.predict_proba(te.features)[:, 1]
                c_tr, c_te = tr.correct, te.correct
                if mode == "verifier_veto":  # retrieve only when calibrated AND verifier agree (`verify`)
                    t_c = best_threshold(s_tr, c_tr, g_tr)
                    p_tr = np.array([p[0] if len(p) else 0.0 for p in self.probs(train, tr)])
                    p_te = np.array([p[0] if len(p) else 0.0 for p in self.probs(test, te)])
                    s_tr, s_te = np.where(s_tr >= t_c, p_tr, 0.0), np.where(s_te >= t_c, p_te, 0.0)
            elif mode in ("verifier_gate", "verifier_combined"):
                p_tr = np.array([p[0] if len(p) else 0.0 for p in self.probs(train, tr)])
                p_te = np.array([p[0] if len(p) else 0.0 for p in self.probs(test, te)])
                if mode == "verifier_gate":
                    s_tr, s_te = p_tr, p_te
                else:
                    x_tr, x_te = np.column_stack([tr.features, p_tr]), np.column_stack([te.features, p_te])
                    model = logistic(x_tr, tr.correct.astype(int))
                    s_tr, s_te = model.predict_proba(x_tr)[:, 1], model.predict_proba(x_te)[:, 1]
                c_tr, c_te = tr.correct, te.correct
            else:  # rerank the top candidates by the verifier, then gate
                s_tr, c_tr = self.rerank(train, tr)
                s_te, c_te = self.rerank(test, te)
            if mode != "verifier_rerank":  # the selector's topic-swap refusal applies to its first candidate
                s_tr = np.where(tr.refused(self.pooled, train), 0.0, s_tr)
                s_te = np.where(te.refused(self.pooled, test), 0.0, s_te)
            t = best_threshold(s_tr, c_tr, g_tr)
            decision[test] = s_te >= t
            correct[test] = c_te
        para = self.groups == "paraphrase"
        result = decision_accuracy(decision.astype(float), correct, list(self.groups), 0.5)
        return {"retrievers": retrievers, "mode": mode, "top1": round(float(correct[para].mean()), 4),
                "decision": {k: round(v, 4) for k, v in result.items()}, "weights_per_fold": chosen}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--shared-data", type=Path, default=Path("../shared/data"))
    parser.add_argument("--encoder", help="sentence-transformers directory or hub id")
    parser.add_argument("--verifier", help="CrossEncoder directory or hub id")
    parser.add_argument("--index", choices=["pairs", "chatbot"], default="pairs")
    parser.add_argument("--split", choices=["validation", "test"], default="test")
    parser.add_argument("--top", type=int, default=3, help="candidates the verifier sees")
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    started = time.monotonic()
    episode: Episode = build_episode(args.shared_data, args.split, index=args.index)
    analyzer = KoreanAnalyzer()
    encoder = load_encoder(args.encoder)
    pooled = pool_episode(episode, analyzer, encoder)
    verifier = CrossEncoderVerifier(args.verifier) if args.verifier else None
    cv = CrossValidation(pooled, verifier, args.top)
    lexical = ["bm25", "char"]
    runs = [(["bm25"], "calibrated"), (["char"], "calibrated"), (lexical, "calibrated")]
    if encoder is not None:
        runs += [(["dense"], "calibrated"), ([*lexical, "dense"], "calibrated")]
    if verifier is not None:
        best = [*lexical, "dense"] if encoder is not None else lexical
        runs += [(best, "verifier_veto"), (best, "verifier_gate"), (best, "verifier_combined"),
                 (best, "verifier_rerank")]
        if encoder is not None:
            runs += [(lexical, "verifier_combined")]
    results = [cv.run(r, m) for r, m in runs]
    counts = {str(g): int((cv.groups == g).sum()) for g in sorted(set(cv.groups))}
    report = {"split": episode.split, "index_size": len(episode.records), "queries": counts,
              "encoder": args.encoder, "verifier": args.verifier, "verifier_top": args.top,
              "cross_validation": "2-fold over queries (md5 of text); weights, confidence and thresholds "
                                  "fitted on one fold, measured on the other",
              "results": results, "seconds": round(time.monotonic() - started, 1)}
    out = args.out or Path(__file__).resolve().parent / "out" / f"encoder_eval_{args.index}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"split {episode.split}, index {len(episode.records)} questions, queries {counts}")
    print(f"{'retrievers':<22} {'mode':<18} {'top1':>6} {'balanced':>9} {'paraphr':>8} {'near_miss':>9} {'ood':>6}")
    for r in results:
        d = r["decision"]
        print(f"{'+'.join(r['retrievers']):<22} {r['mode']:<18} {r['top1']:>6.3f} {d['balanced']:>9.3f} "
              f"{d.get('paraphrase', 0):>8.3f} {d.get('near_miss', 0):>9.3f} {d.get('ood', 0):>6.3f}")
    print(f"wrote {out} in {report['seconds']} s")


if __name__ == "__main__":
    main()
