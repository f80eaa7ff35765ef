"""How far lexical evidence can take top-1 on the Question_pair paraphrase set (the offline default, no encoder).

Measures, on the validation and test splits (the shipped calibration's fusion weights; nothing fitted on them):
  * recall@k of the fused bm25+char ranking: how often the right answer is among the first k candidates, the
    ceiling of any reranker over that pool;
  * a learned reranker: pairwise logistic regression (scikit-learn) over per-candidate lexical features
    (the selector's features, scores relative to the pool's best, per-retriever ranks, shared nouns, the same
    final predicate, length difference), fitted on the train split's paraphrases;
  * query expansion with learned term associations (translation probabilities counted over the training pairs
    of `retrieval.training.pairs`, which hold out every validation/test text), added to BM25 and fused;
  * character n-grams over jamo (NFD) instead of syllables, alone and fused with BM25 (the best weight on the
    split itself, so an optimistic number for every variant alike).

    .venv/bin/python benchmarks/retrieval_ceiling.py [--shared-data ../shared/data]

Writes benchmarks/out/retrieval_ceiling.json and prints a table.
"""

from __future__ import annotations

import argparse
import json
import sys
import unicodedata
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from retrieval import Calibration, KoreanAnalyzer
from retrieval.analyzer import _PREDICATE, _base_tag
from retrieval.evaldata import build_episode
from retrieval.fitting import Pooled, pool_episode
from retrieval.training.pairs import assemble

BASE = ("bm25", "char", "cover_query", "cover_doc", "cover_query_idf", "cover_doc_idf", "unmatched_query",
        "substitution")


def recall_at(pooled: Pooled, calibration: Calibration, ks: tuple[int, ...]) -> dict[str, float]:
    assert pooled.index.index is not None
    ranks = []
    for q, (terms, docs, cand) in zip(pooled.episode.queries, pooled.pools, strict=True):
        if q.group != "paraphrase":
            continue
        ranked = pooled.index.index.rank(terms, docs, cand, calibration.weights, top=len(docs))
        ranks.append(next((i for i, c in enumerate(ranked) if pooled.index.answers[c.doc] == q.gold), 10**6))
    arr = np.array(ranks)
    return {f"@{k}": float((arr < k).mean()) for k in ks}


def _parts(analyzer: KoreanAnalyzer, texts: list[str]) -> list[tuple[frozenset[str], str]]:
    """Nouns and the final predicate's lemma of each text."""
    out = []
    for tokens in analyzer._kiwi.tokenize([analyzer.normalize_text(t) or "." for t in texts]):
        nouns, preds = set(), []
        for t in tokens:
            tag = _base_tag(t.tag)
            if tag in _PREDICATE:
                preds.append(t.lemma)
            elif tag.startswith("N") or tag in ("SL", "SN", "XR"):
                nouns.add(t.form)
        out.append((frozenset(nouns), preds[-1] if preds else ""))
    return out


def candidate_features(pooled: Pooled, calibration: Calibration, analyzer: KoreanAnalyzer
                       ) -> list[tuple[np.ndarray, np.ndarray] | None]:
    index, records = pooled.index.index, pooled.index.records
    assert index is not None
    doc_parts = _parts(analyzer, [r.question for r in records])
    query_parts = _parts(analyzer, [q.text for q in pooled.episode.queries])
    rows: list[tuple[np.ndarray, np.ndarray] | None] = []
    for qi, (q, (terms, docs, cand)) in enumerate(zip(pooled.episode.queries, pooled.pools, strict=True)):
        if docs.size == 0:
            rows.append(None)
            continue
        ranked = index.rank(terms, docs, cand, calibration.weights, top=len(docs))
        best = {r: max(c.scores[r] for c in ranked) for r in ("bm25", "char")}
        order = {r: {c.doc: i for i, c in enumerate(sorted(ranked, key=lambda c, r=r: -c.scores[r]))}
                 for r in ("bm25", "char")}
        q_nouns, q_head = query_parts[qi]
        x, y = [], []
        for position, c in enumerate(ranked):
            d_nouns, d_head = doc_parts[c.doc]
            question = records[c.doc].question
            x.append([*(c.features[f] for f in BASE),
                      c.scores["bm25"] - best["bm25"], c.scores["char"] - best["char"],
                      1 / (1 + order["bm25"][c.doc]), 1 / (1 + order["char"][c.doc]), 1 / (1 + position),
                      len(q_nouns & d_nouns) / max(1, len(q_nouns)), len(q_nouns & d_nouns) / max(1, len(d_nouns)),
                      float(bool(q_head) and q_head == d_head),
                      abs(len(q.text) - len(question)) / max(len(q.text), len(question))])
            y.append(int(q.gold is not None and pooled.index.answers[c.doc] == q.gold))
        rows.append((np.array(x), np.array(y)))
    return rows


def reranked_top1(pooled: Pooled, rows: list[tuple[np.ndarray, np.ndarray] | None], w: np.ndarray | None) -> float:
    hits = []
    for q, row in zip(pooled.episode.queries, rows, strict=True):
        if q.group != "paraphrase":
            continue
        hits.append(0 if row is None else int(row[1][int(np.argmax(row[0] @ w)) if w is not None else 0]))
    return float(np.mean(hits))


def fit_reranker(pooled: Pooled, rows: list[tuple[np.ndarray, np.ndarray] | None]) -> np.ndarray:
    diffs, labels = [], []
    for q, row in zip(pooled.episode.queries, rows, strict=True):
        if q.group != "paraphrase" or row is None or row[1].sum() in (0, len(row[1])):
            continue
        x, y = row
        for a in x[y == 1]:
            for b in x[y == 0]:
                diffs += [a - b, b - a]
                labels += [1, 0]
    model = LogisticRegression(C=1.0, fit_intercept=False, max_iter=5000).fit(np.array(diffs), np.array(labels))
    return model.coef_[0]


def associations(root: Path, analyzer: KoreanAnalyzer) -> tuple[dict[str, Counter[str]], Counter[str]]:
    data = assemble(root, sources=("question_pair", "chatbot", "sae4k", "stylekqc", "klue_nli"))
    left = analyzer.analyze_many([p.anchor for p in data.pairs])
    right = analyzer.analyze_many([p.positive for p in data.pairs])
    together: dict[str, Counter[str]] = defaultdict(Counter)
    seen: Counter[str] = Counter()
    for a, b in zip(left, right, strict=True):
        for x, y in ((set(a), set(b)), (set(b), set(a))):
            for term in x:
                seen[term] += 1
                together[term].update(t for t in y if t not in x)
    return together, seen


def expanded_top1(pooled: Pooled, calibration: Calibration, together: dict[str, Counter[str]],
                  seen: Counter[str], weight: float, per_term: int = 5) -> dict[str, float]:
    index, answers = pooled.index.index, pooled.index.answers
    assert index is not None
    bm25_hits, fused_hits = [], []
    for q, (terms, _, _) in zip(pooled.episode.queries, pooled.pools, strict=True):
        if q.group != "paraphrase":
            continue
        scores = index.bm25.scores(terms).astype(np.float64)
        for term in set(terms):
            for other, n in together.get(term, Counter()).most_common(per_term):
                if n >= 2 and other not in terms:
                    scores += weight * n / (seen[term] + 2) * index.bm25.scores([other])
        fused = calibration.weights["bm25"] * scores + calibration.weights["char"] * index.char.scores(q.text)
        bm25_hits.append(answers[int(np.argmax(scores))] == q.gold)
        fused_hits.append(answers[int(np.argmax(fused))] == q.gold)
    return {"bm25": float(np.mean(bm25_hits)), "fused": float(np.mean(fused_hits))}


def jamo_variants(pooled: Pooled, analyzer: KoreanAnalyzer) -> dict[str, dict[str, float]]:
    index = pooled.index.index
    assert index is not None
    docs = [r.question for r in pooled.episode.records]
    answers = pooled.index.answers
    para = [q for q in pooled.episode.queries if q.group == "paraphrase"]
    bm25 = np.array([index.bm25.scores(analyzer.analyze(q.text)) for q in para])
    variants = {"syllables char_wb 1-3 (shipped)": (False, (1, 3)), "jamo char_wb 2-4": (True, (2, 4)),
                "jamo char_wb 2-5": (True, (2, 5))}
    out = {}
    for name, (jamo, ngrams) in variants.items():
        def prep(text: str, jamo: bool = jamo) -> str:
            text = analyzer.normalize_text(text)
            return unicodedata.normalize("NFD", text) if jamo else text
        vec = TfidfVectorizer(analyzer="char_wb", ngram_range=ngrams, sublinear_tf=True, preprocessor=prep,
                              lowercase=False)
        doc_matrix = vec.fit_transform(docs)
        sims = (vec.transform([q.text for q in para]) @ doc_matrix.T).toarray()
        alone = np.mean([answers[int(np.argmax(s))] == q.gold for s, q in zip(sims, para, strict=True)])
        fused = max(np.mean([answers[int(np.argmax(s))] == q.gold for s, q in zip(w * bm25 + (1 - w) * sims, para,
                                                                                     strict=True)])
                    for w in np.arange(0, 1.001, 0.05))
        out[name] = {"alone": float(alone), "fused_best_weight": float(fused)}
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--shared-data", type=Path, default=Path("../shared/data"))
    parser.add_argument("--out", type=Path, default=Path("benchmarks/out/retrieval_ceiling.json"))
    args = parser.parse_args()
    analyzer, calibration = KoreanAnalyzer(), Calibration.load()
    pooled = {s: pool_episode(build_episode(args.shared_data, s), analyzer, k=20)  # type: ignore[arg-type]
              for s in ("train", "validation", "test")}
    rows = {s: candidate_features(p, calibration, analyzer) for s, p in pooled.items()}
    w = fit_reranker(pooled["train"], rows["train"])
    together, seen = associations(args.shared_data, analyzer)
    report: dict[str, dict] = {}
    for split in ("validation", "test"):
        p = pooled[split]
        report[split] = {
            "recall": recall_at(p, calibration, (1, 2, 3, 5, 10, 20)),
            "shipped_top1": reranked_top1(p, rows[split], None),
            "reranked_top1": reranked_top1(p, rows[split], w),
            "expansion": {str(weight): expanded_top1(p, calibration, together, seen, weight) for weight in (0.3, 1.0)},
            "char_variants": jamo_variants(p, analyzer),
        }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2, ensure_ascii=False), encoding="utf-8")
    print(f"{'split':<11} {'measure':<48} {'value':>6}")
    for split, r in report.items():
        for k, v in r["recall"].items():
            print(f"{split:<11} {'fused bm25+char recall' + k:<48} {v:6.3f}")
        print(f"{split:<11} {'top-1 shipped fusion':<48} {r['shipped_top1']:6.3f}")
        print(f"{split:<11} {'top-1 learned pairwise reranker':<48} {r['reranked_top1']:6.3f}")
        for weight, e in r["expansion"].items():
            print(f"{split:<11} {'expansion x' + weight + ' bm25 / fused':<48} {e['bm25']:.3f} / {e['fused']:.3f}")
        for name, v in r["char_variants"].items():
            print(f"{split:<11} {name + ' alone / fused':<48} {v['alone']:.3f} / {v['fused_best_weight']:.3f}")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
