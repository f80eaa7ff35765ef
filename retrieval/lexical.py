"""Lexical retrievers: BM25 over Kiwi terms (bm25s) and character 1-3-gram TF-IDF (scikit-learn).

Contract: each retriever is built from the indexed texts, returns for a query a dense vector of
scores over all documents (`scores`) normalised to roughly [0, 1] so that scores of different
retrievers can be fused with fixed weights, and saves/loads itself to/from a directory (no pickle).

BM25 is divided by one global constant, the median self-score of indexed documents (docs/architecture.md,
"Measured facts": per query idf-mass normalisation broke fusion); the char n-gram retriever is a cosine and needs
none.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from pathlib import Path

import bm25s
import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer

from retrieval.analyzer import KoreanAnalyzer

_SELF_SCORE_SAMPLE = 1000


class Bm25Retriever:
    """BM25 (Lucene variant, bm25s) over analyser terms."""

    name = "bm25"

    def __init__(self, engine: bm25s.BM25, scale: float, n_docs: int) -> None:
        self._engine = engine
        self._vocab: dict[str, int] = engine.vocab_dict
        self.scale = scale
        self.n_docs = n_docs

    @classmethod
    def build(cls, doc_terms: Sequence[Sequence[str]], *, k1: float = 1.2, b: float = 0.75) -> Bm25Retriever:
        engine = bm25s.BM25(k1=k1, b=b)
        # bm25s needs at least one term per document; an empty-token doc simply never scores.
        engine.index([list(t) for t in doc_terms], show_progress=False)
        retriever = cls(engine, 1.0, len(doc_terms))
        retriever.scale = retriever._median_self_score(doc_terms)
        return retriever

    def _median_self_score(self, doc_terms: Sequence[Sequence[str]]) -> float:
        step = max(1, len(doc_terms) // _SELF_SCORE_SAMPLE)
        selfs = [float(self.raw_scores(doc_terms[i])[i]) for i in range(0, len(doc_terms), step)]
        positive = [s for s in selfs if s > 0]
        return float(np.median(positive)) if positive else 1.0

    def raw_scores(self, terms: Sequence[str]) -> np.ndarray:
        ids = sorted({self._vocab[t] for t in terms if t in self._vocab})
        if not ids:
            return np.zeros(self.n_docs, dtype=np.float32)
        return np.asarray(self._engine.get_scores_from_ids(ids), dtype=np.float32)

    def scores(self, terms: Sequence[str]) -> np.ndarray:
        return self.raw_scores(terms) / self.scale

    def save(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        self._engine.save(str(directory), show_progress=False)
        (directory / "scale.json").write_text(json.dumps({"scale": self.scale, "n_docs": self.n_docs}))

    @classmethod
    def load(cls, directory: Path) -> Bm25Retriever:
        meta = json.loads((directory / "scale.json").read_text())
        engine = bm25s.BM25.load(str(directory), show_progress=False)
        return cls(engine, float(meta["scale"]), int(meta["n_docs"]))


class CharNgramRetriever:
    """Cosine over sublinear TF-IDF of character 1-3-grams inside word boundaries (spacing-robust)."""

    name = "char"

    def __init__(self, vectorizer: TfidfVectorizer, matrix_t: sp.csr_matrix) -> None:
        self._vectorizer = vectorizer
        self._matrix_t = matrix_t  # (n_features, n_docs): a query row times this is one sparse product
        self.n_docs = matrix_t.shape[1]

    @staticmethod
    def _new_vectorizer(vocabulary: dict[str, int] | None = None) -> TfidfVectorizer:
        return TfidfVectorizer(analyzer="char_wb", ngram_range=(1, 3), sublinear_tf=True, min_df=1,
                               dtype=np.float32, vocabulary=vocabulary,
                               preprocessor=KoreanAnalyzer.normalize_text)

    @classmethod
    def build(cls, texts: Sequence[str]) -> CharNgramRetriever:
        vectorizer = cls._new_vectorizer()
        matrix = vectorizer.fit_transform(list(texts))
        return cls(vectorizer, sp.csr_matrix(matrix.T, dtype=np.float32))

    def vectorize(self, text: str) -> sp.csr_matrix:
        return self._vectorizer.transform([text])

    def scores(self, text: str) -> np.ndarray:
        query = self.vectorize(text)
        if query.nnz == 0:
            return np.zeros(self.n_docs, dtype=np.float32)
        return np.asarray((query @ self._matrix_t).toarray()).ravel()

    def save(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        vocab = {k: int(v) for k, v in self._vectorizer.vocabulary_.items()}
        (directory / "vocab.json").write_text(json.dumps(vocab, ensure_ascii=False))
        np.save(directory / "idf.npy", self._vectorizer.idf_.astype(np.float64))
        sp.save_npz(directory / "matrix_t.npz", self._matrix_t)

    @classmethod
    def load(cls, directory: Path) -> CharNgramRetriever:
        vocab = json.loads((directory / "vocab.json").read_text())
        vectorizer = cls._new_vectorizer(vocab)
        idf = np.load(directory / "idf.npy")
        # Fitting on the vocabulary itself initialises sklearn's internals; idf_ is then restored exactly.
        vectorizer.fit(list(vocab)[:1] or [" "])
        vectorizer.idf_ = idf
        matrix_t = sp.load_npz(directory / "matrix_t.npz").tocsr()
        if matrix_t.shape[0] != len(vocab) or not math.isfinite(float(idf.sum())):
            raise ValueError("char n-gram index does not match its vocabulary")
        return cls(vectorizer, matrix_t)
