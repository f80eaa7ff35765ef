"""Dense retrieval: sentence-transformers embeddings in a faiss inner-product index.

Contract: an `Encoder` turns texts into L2-normalised float32 rows; `DenseRetriever` indexes them in
faiss (exact `IndexFlatIP` below `hnsw_min_docs` documents, `IndexHNSWFlat` above, so that large sets
stay fast) and returns cosine similarities. One query is encoded by a direct forward pass, and faiss searches on
one OpenMP thread (`_QUERY_THREADS`), since selection latency is per query. The encoder is configured by hub id
or local directory and is optional: the offline default runs without one (the bundled English MiniLM is weak on Korean,
DESIGN.md). Production: a multilingual/Korean encoder such as `intfloat/multilingual-e5-small`,
`BM-K/KoSimCSE-roberta-multitask`, `snunlp/KR-SBERT-V40K-klueNLI-augSTS` or the project's own fine-tuned
Korean MiniLM (issue 10), then `assistant index calibrate --encoder ...` to refit the fusion weights.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol, runtime_checkable

import faiss
import numpy as np

from retrieval.errors import EncoderUnavailable

# faiss searches with an OpenMP team by default; for one query over a flat index of up to 50k rows the team costs
# more than it saves and then spins against torch's threads: measured on 2 cores, 10k responses, select p50
# 9.6 -> 7.5 ms and p99 29.9 -> 10.5 ms with one thread (benchmarks/RESULTS.md, issue 3 speed).
_QUERY_THREADS = 1


@runtime_checkable
class Encoder(Protocol):
    """Anything that embeds texts; `name` is recorded in index manifests."""

    name: str
    dimension: int

    def encode(self, texts: Sequence[str]) -> np.ndarray: ...


class SentenceTransformerEncoder:
    """sentence-transformers model from a hub id or a local path, on CPU unless told otherwise."""

    def __init__(self, name_or_path: str, *, device: str = "cpu", batch_size: int = 64) -> None:
        try:
            from sentence_transformers import SentenceTransformer

            self._model = SentenceTransformer(name_or_path, device=device)
            self._model.eval()  # the direct single-text path must not run dropout
        except Exception as exc:  # any loader failure (missing files, no network) is one clear reason
            raise EncoderUnavailable(f"cannot load dense encoder {name_or_path!r}: {exc}") from exc
        self.name = name_or_path
        dimension = getattr(self._model, "get_embedding_dimension", None) or \
            self._model.get_sentence_embedding_dimension  # sentence-transformers < 5.2
        self.dimension = int(dimension() or 0)
        self._batch_size = batch_size
        self._lock = threading.Lock()

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        with self._lock:
            if len(texts) == 1:
                vectors = self._encode_one(texts[0])
            else:
                vectors = self._model.encode(list(texts), batch_size=self._batch_size, convert_to_numpy=True,
                                             normalize_embeddings=True, show_progress_bar=False)
        return np.ascontiguousarray(vectors, dtype=np.float32)

    def _encode_one(self, text: str) -> np.ndarray:
        """One text through the model's modules directly: `encode` spends about 0.7 ms per call on batching and
        mode switches that one query does not need (same vector, measured cosine 1.0)."""
        import torch

        prepare = getattr(self._model, "preprocess", None) or self._model.tokenize  # tokenize: before 6.0
        features = {k: v.to(self._model.device) if isinstance(v, torch.Tensor) else v
                    for k, v in prepare([text]).items()}
        with torch.inference_mode():
            vector = self._model(features)["sentence_embedding"].float().cpu().numpy()
        norm = np.linalg.norm(vector, axis=1, keepdims=True)
        return vector / np.maximum(norm, 1e-12)


class DenseRetriever:
    """faiss index over normalised embeddings; scores are cosines in [-1, 1]."""

    name = "dense"

    def __init__(self, index: faiss.Index, encoder: Encoder) -> None:
        faiss.omp_set_num_threads(_QUERY_THREADS)  # process-wide: every faiss search here serves one turn's query
        self._index = index
        self.encoder = encoder
        self.n_docs = int(index.ntotal)

    @classmethod
    def build(cls, texts: Sequence[str], encoder: Encoder, *, hnsw_min_docs: int = 50_000) -> DenseRetriever:
        vectors = encoder.encode(texts) if texts else np.zeros((0, encoder.dimension), dtype=np.float32)
        dim = vectors.shape[1] if vectors.ndim == 2 and vectors.shape[0] else encoder.dimension
        index: faiss.Index
        if len(texts) >= hnsw_min_docs:
            index = faiss.IndexHNSWFlat(dim, 32, faiss.METRIC_INNER_PRODUCT)
            index.hnsw.efConstruction = 80
            index.hnsw.efSearch = 64
        else:
            index = faiss.IndexFlatIP(dim)
        if len(vectors):
            index.add(vectors)
        return cls(index, encoder)

    @property
    def kind(self) -> str:
        return type(self._index).__name__

    def embed_query(self, text: str) -> np.ndarray:
        return self.encoder.encode([text])

    def search(self, query_vector: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        if self.n_docs == 0:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        scores, ids = self._index.search(query_vector, min(k, self.n_docs))
        keep = ids[0] >= 0
        return ids[0][keep].astype(np.int64), scores[0][keep]

    def similarity(self, query_vector: np.ndarray, doc_ids: np.ndarray) -> np.ndarray:
        """Exact cosine of the query with the given documents (for fusing candidates of other retrievers)."""
        if len(doc_ids) == 0:
            return np.zeros(0, dtype=np.float32)
        vectors = self._index.reconstruct_batch(doc_ids.astype(np.int64))
        return (vectors @ query_vector[0]).astype(np.float32)

    def save(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        faiss.write_index(self._index, str(directory / "dense.faiss"))

    @classmethod
    def load(cls, directory: Path, encoder: Encoder) -> DenseRetriever:
        index = faiss.read_index(str(directory / "dense.faiss"))
        if index.ntotal and index.d != encoder.dimension:
            raise ValueError(f"dense index has dimension {index.d}, "
                             f"encoder {encoder.name!r} gives {encoder.dimension}")
        return cls(index, encoder)
