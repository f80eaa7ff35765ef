"""Hybrid index over a list of texts: BM25 on Kiwi terms + char n-gram TF-IDF + optional dense.

Contract: `HybridIndex.search(query, weights)` returns the best candidates ranked by the weighted sum
of per-retriever normalised scores (weights come from a fitted `Calibration`), each with its
per-retriever scores and the decision features of `retrieval.calibration.FEATURES`. The index knows
nothing about responses or passages: callers keep the payload aligned with document positions.
It is immutable after build/load, so concurrent searches need no lock.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from tqdm.auto import tqdm

from korean.encoder import Encoder
from retrieval.analyzer import KoreanAnalyzer
from retrieval.config import BULK_MIN_DOCS, HNSW_MIN_DOCS
from retrieval.dense import DenseRetriever
from retrieval.lexical import Bm25Retriever, CharNgramRetriever
from retrieval.terms import DocTerms

_ANALYSE_BATCH = 2000


@dataclass(frozen=True)
class Candidate:
    doc: int
    fused: float
    scores: dict[str, float]
    features: dict[str, float]


def _top(scores: np.ndarray, k: int) -> np.ndarray:
    if scores.size == 0:
        return np.zeros(0, dtype=np.int64)
    k = min(k, scores.size)
    idx = np.argpartition(-scores, k - 1)[:k]
    return idx[scores[idx] > 0]


class HybridIndex:
    def __init__(self, analyzer: KoreanAnalyzer, bm25: Bm25Retriever, char: CharNgramRetriever,
                 dense: DenseRetriever | None, doc_terms: DocTerms | Sequence[Iterable[str]]) -> None:
        self.analyzer = analyzer
        self.bm25 = bm25
        self.char = char
        self.dense = dense
        self.doc_terms = doc_terms if isinstance(doc_terms, DocTerms) else DocTerms.build(doc_terms)

    def __len__(self) -> int:
        return len(self.doc_terms)

    @property
    def retrievers(self) -> list[str]:
        return ["bm25", "char"] + (["dense"] if self.dense is not None else [])

    @classmethod
    def build(cls, texts: Sequence[str], analyzer: KoreanAnalyzer, encoder: Encoder | None = None, *,
              progress: bool = False, hnsw_min_docs: int = HNSW_MIN_DOCS, passages: bool = False,
              previous: tuple[Sequence[str], HybridIndex] | None = None,
              bulk_min_docs: int = BULK_MIN_DOCS, dense_texts: Sequence[str] | None = None) -> HybridIndex:
        """`passages`: the texts are documents of an asymmetric search (knowledge), embedded as passages.
        `dense_texts` (None: `texts`), one per text, are what the dense retriever embeds. `previous` (the dense
        texts it embedded, an index built the same way) lends the vectors of those it holds, and `bulk_min_docs`
        chooses the encoder's bulk path (`DenseRetriever.build`)."""
        embedded = list(texts) if dense_texts is None else list(dense_texts)
        if len(embedded) != len(texts):
            raise ValueError(f"{len(embedded)} dense texts for {len(texts)} texts")
        terms: list[list[str]] = []
        with tqdm(total=len(texts), desc="analyse", unit="doc", disable=not progress) as bar:
            for start in range(0, len(texts), _ANALYSE_BATCH):
                chunk = texts[start:start + _ANALYSE_BATCH]
                terms.extend(analyzer.analyze_many(chunk))
                bar.update(len(chunk))
        steps: list[tuple[str, Callable[[], object]]] = [
            ("bm25", lambda: Bm25Retriever.build(terms)),
            ("char", lambda: CharNgramRetriever.build(texts)),
        ]
        if encoder is not None:
            earlier = previous[1].dense if previous is not None else None
            lent = (previous[0], earlier) if previous is not None and earlier is not None else None
            steps.append(("dense", lambda: DenseRetriever.build(embedded, encoder, hnsw_min_docs=hnsw_min_docs,
                                                                passage=passages, progress=progress, previous=lent,
                                                                bulk_min_docs=bulk_min_docs)))
        built: dict[str, Any] = {}
        for name, step in tqdm(steps, desc="index", unit="part", disable=not progress):
            built[name] = step()
        dense = built.get("dense")
        return cls(analyzer, built["bm25"], built["char"],
                   dense if isinstance(dense, DenseRetriever) else None, terms)

    def read_queries(self, queries: Sequence[str], *, use_dense: bool = True
                     ) -> list[tuple[list[str], np.ndarray | None]]:
        """Terms and (with the dense retriever) embeddings of many queries: one batched Kiwi call and one batched
        encode, for `pool(..., terms=, vector=)` of each."""
        terms = self.analyzer.analyze_many(list(queries))
        if self.dense is None or not use_dense or not queries:
            return [(t, None) for t in terms]
        vectors = self.dense.encoder.encode(list(queries))
        return [(t, vectors[i:i + 1]) for i, t in enumerate(terms)]

    def pool(self, query: str, *, k: int = 20, use_dense: bool = True, terms: list[str] | None = None,
             vector: np.ndarray | None = None) -> tuple[list[str], np.ndarray, dict[str, np.ndarray]]:
        """(query terms, candidate docs: union of each retriever's top k, their per-retriever scores).

        `terms` and `vector` may carry the query's analysis and embedding when a batch was read at once.
        """
        terms = self.analyzer.analyze(query) if terms is None else terms
        if len(self) == 0:
            return terms, np.zeros(0, dtype=np.int64), {}
        per: dict[str, np.ndarray] = {"bm25": self.bm25.scores(terms), "char": self.char.scores(query)}
        pools = [_top(per["bm25"], k), _top(per["char"], k)]
        dense_vec = None
        if self.dense is not None and use_dense:
            dense_vec = self.dense.embed_query(query) if vector is None else vector
            pools.append(self.dense.search(dense_vec, k)[0])
        docs = np.unique(np.concatenate(pools))
        cand = {name: per[name][docs] for name in ("bm25", "char")}
        if dense_vec is not None and self.dense is not None:
            cand["dense"] = self.dense.similarity(dense_vec, docs)
        return terms, docs, cand

    def rank(self, terms: Sequence[str], docs: np.ndarray, cand: dict[str, np.ndarray],
             weights: dict[str, float], *, top: int = 5,
             group_keys: Sequence[str] | None = None) -> list[Candidate]:
        """Fuse a pool with `weights`; the first candidate also gets its `margin` feature."""
        if docs.size == 0:
            return []
        fused = np.zeros(docs.size, dtype=np.float64)
        for name, values in cand.items():
            fused += weights.get(name, 0.0) * values
        order = np.argsort(-fused, kind="stable")
        query = self.doc_terms.lookup(terms)
        out: list[Candidate] = []
        for rank, pos in enumerate(order[:top]):
            doc = int(docs[pos])
            scores = {name: float(values[pos]) for name, values in cand.items()}
            features = self._features(query, doc, float(fused[pos]), scores)
            if rank == 0:
                features["margin"] = self._margin(order, docs, fused, group_keys)
                if "dense" in cand:
                    features.update(self._dense_evidence(cand["dense"], pos, docs, group_keys))
            out.append(Candidate(doc, float(fused[pos]), scores, features))
        return out

    def search(self, query: str, weights: dict[str, float], *, k: int = 20, top: int = 5,
               group_keys: Sequence[str] | None = None, terms: list[str] | None = None,
               vector: np.ndarray | None = None) -> tuple[list[str], list[Candidate]]:
        """Analyse `query` and return (its terms, the `top` fused candidates best first)."""
        terms, docs, cand = self.pool(query, k=k, use_dense=weights.get("dense", 0.0) > 0, terms=terms,
                                      vector=vector)
        return terms, self.rank(terms, docs, cand, weights, top=top, group_keys=group_keys)

    def _features(self, query: tuple[frozenset[int], int], doc: int, fused: float,
                  scores: dict[str, float]) -> dict[str, float]:
        """`query`: the query's known term ids and its count of terms no document holds (`DocTerms.lookup`)."""
        known, unknown = query
        table = self.doc_terms
        doc_ids = table.ids(doc)
        shared = [i for i in doc_ids.tolist() if i in known]
        common = len(shared)
        n_query = len(known) + unknown
        q_mass = float(table.idf[list(known)].sum()) + unknown * table.unseen_idf
        d_mass = float(table.idf[doc_ids].sum())
        s_mass = float(table.idf[shared].sum())
        return {
            # Unmatched query content in units of a never-seen term: the query asks about something else.
            "unmatched_query": (q_mass - s_mass) / table.unseen_idf,
            # Content on both sides that the other lacks (the smaller share). Paraphrases reword part of it, so its
            # fitted weight may be positive; a swap of the whole topic is refused by `retrieval.nearmiss` instead.
            "substitution": min(q_mass - s_mass, d_mass - s_mass) / max(q_mass, d_mass, 1e-9),
            "cover_query_idf": s_mass / q_mass if q_mass else 0.0,
            "cover_doc_idf": s_mass / d_mass if d_mass else 0.0,
            "fused": fused,
            "bm25": min(scores.get("bm25", 0.0), 2.0),
            "char": scores.get("char", 0.0),
            "dense": scores.get("dense", 0.0),
            "cover_query": common / n_query if n_query else 0.0,
            "cover_doc": common / doc_ids.size if doc_ids.size else 0.0,
            "margin": 0.0,
            "dense_margin": 0.0,
            "dense_first": 0.0,
        }

    @staticmethod
    def _dense_evidence(dense: np.ndarray, pos: int, docs: np.ndarray,
                        group_keys: Sequence[str] | None) -> dict[str, float]:
        """For the first candidate: its cosine's lead over the closest other answer, and whether it is the query's
        nearest stored question by meaning at all."""
        other = np.ones(docs.size, dtype=bool)
        other[pos] = False
        if group_keys is not None:
            answer = group_keys[int(docs[pos])]
            other &= np.array([group_keys[int(d)] != answer for d in docs])
        runner_up = float(dense[other].max()) if other.any() else 0.0
        return {"dense_margin": float(dense[pos]) - runner_up, "dense_first": float(dense[pos] >= dense.max())}

    @staticmethod
    def _margin(order: np.ndarray, docs: np.ndarray, fused: np.ndarray,
                group_keys: Sequence[str] | None) -> float:
        """Gap between the best candidate and the best one giving a different answer (1.0 if none)."""
        best = int(docs[order[0]])
        for pos in order[1:]:
            other = int(docs[pos])
            if group_keys is None or group_keys[other] != group_keys[best]:
                return float(fused[order[0]] - fused[pos])
        return float(fused[order[0]])

    def save(self, directory: Path) -> list[str]:
        """Write all parts under `directory`; returns the relative paths written."""
        directory.mkdir(parents=True, exist_ok=True)
        self.bm25.save(directory / "bm25")
        self.char.save(directory / "char")
        if self.dense is not None:
            self.dense.save(directory / "dense")
        self.doc_terms.save(directory)
        return sorted(str(p.relative_to(directory)) for p in directory.rglob("*") if p.is_file())

    @classmethod
    def load(cls, directory: Path, analyzer: KoreanAnalyzer, encoder: Encoder | None) -> HybridIndex:
        terms = DocTerms.load(directory)
        dense = DenseRetriever.load(directory / "dense", encoder) if encoder is not None else None
        bm25 = Bm25Retriever.load(directory / "bm25")
        char = CharNgramRetriever.load(directory / "char")
        index = cls(analyzer, bm25, char, dense, terms)
        sizes = {index.bm25.n_docs, index.char.n_docs, len(terms)} | ({dense.n_docs} if dense else set())
        if len(sizes) != 1:
            raise ValueError(f"index parts disagree on the number of documents: {sorted(sizes)}")
        return index
