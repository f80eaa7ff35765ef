from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from korean.encoder import SentenceTransformerEncoder
from retrieval import KoreanAnalyzer, ResponseIndex
from retrieval.dense import DenseRetriever
from retrieval.records import make_record
from tests.support.counting_encoder import CountingEncoder

TEXTS = ["how is the weather today", "book a train ticket to busan", "recommend a good restaurant",
         "play some relaxing music", "set an alarm for seven", "what is the capital of france"]


def test_flat_index_finds_each_text_first(minilm: SentenceTransformerEncoder) -> None:
    dense = DenseRetriever.build(TEXTS, minilm)
    assert dense.kind == "IndexFlatIP"
    for i, text in enumerate(TEXTS):
        ids, scores = dense.search(dense.embed_query(text), 3)
        assert ids[0] == i and scores[0] == pytest.approx(1.0, abs=1e-4)


def test_chunked_build_embeds_exactly_as_one_call(minilm: SentenceTransformerEncoder) -> None:
    whole = minilm.encode(TEXTS)
    dense = DenseRetriever.build(TEXTS, minilm, chunk=4)  # two chunks, the last one short
    ids, scores = dense.search(whole[5:6], len(TEXTS))
    np.testing.assert_allclose(scores, (whole @ whole[5])[ids], atol=1e-5)
    assert dense.n_docs == len(TEXTS) and ids[0] == 5


def test_large_sets_use_an_8_bit_hnsw_with_the_same_answers(minilm: SentenceTransformerEncoder) -> None:
    hnsw = DenseRetriever.build(TEXTS, minilm, hnsw_min_docs=3)
    flat = DenseRetriever.build(TEXTS, minilm)
    assert hnsw.kind == "IndexHNSWSQ"
    query = hnsw.embed_query("train ticket to busan please")
    ids, scores = hnsw.search(query, 3)
    assert ids[0] == 1
    # rows kept in 8 bits per dimension: cosines within a few thousandths of the exact ones
    np.testing.assert_allclose(scores, flat.similarity(query, ids), atol=5e-3)
    np.testing.assert_allclose(hnsw.similarity(query, ids), scores, atol=1e-5)


def test_similarity_of_candidates_matches_search_scores(minilm: SentenceTransformerEncoder) -> None:
    dense = DenseRetriever.build(TEXTS, minilm)
    query = dense.embed_query("some music to relax")
    ids, scores = dense.search(query, 3)
    np.testing.assert_allclose(dense.similarity(query, ids), scores, atol=1e-5)


def test_dense_index_round_trips_and_checks_dimension(minilm: SentenceTransformerEncoder, tmp_path: Path) -> None:
    dense = DenseRetriever.build(TEXTS, minilm)
    dense.save(tmp_path)
    back = DenseRetriever.load(tmp_path, minilm)
    query = minilm.encode(["an alarm at seven"])
    assert back.search(query, 1)[0][0] == dense.search(query, 1)[0][0] == 4


def test_hybrid_index_with_dense_fuses_three_retrievers(minilm: SentenceTransformerEncoder,
                                                        analyzer: KoreanAnalyzer, tmp_path: Path) -> None:
    records = [make_record({"question": t, "answer": f"a{i}"}) for i, t in enumerate(TEXTS)]
    snapshot = ResponseIndex.build("en", records, analyzer, minilm)
    assert snapshot.index is not None and snapshot.index.retrievers == ["bm25", "char", "dense"]
    _, found = snapshot.index.search("wake me up with an alarm at 7", {"bm25": 0.3, "char": 0.3, "dense": 0.4})
    assert snapshot.records[found[0].doc].answer == "a4"
    assert set(found[0].scores) == {"bm25", "char", "dense"}
    snapshot.save(tmp_path / "idx", analyzer)
    assert ResponseIndex.load(tmp_path / "idx", analyzer, minilm).records == snapshot.records


def test_previous_index_lends_its_vectors_so_only_new_texts_are_embedded(
        minilm: SentenceTransformerEncoder) -> None:
    counting = CountingEncoder(minilm)
    first = DenseRetriever.build(TEXTS[:4], counting)
    counting.embedded.clear()
    texts = [TEXTS[5], *TEXTS[1:4], TEXTS[4]]  # one dropped, two new, the kept ones in another order
    second = DenseRetriever.build(texts, counting, previous=(TEXTS[:4], first))
    assert counting.embedded == [TEXTS[5], TEXTS[4]]
    fresh = minilm.encode(texts)
    for i in range(len(texts)):
        ids, scores = second.search(fresh[i:i + 1], 1)
        assert ids[0] == i and scores[0] == pytest.approx(1.0, abs=1e-4)


def test_vectors_of_another_encoder_are_never_lent(minilm: SentenceTransformerEncoder) -> None:
    counting = CountingEncoder(minilm)
    first = DenseRetriever.build(TEXTS, counting)
    other = CountingEncoder(minilm)
    other.name = "another-model"
    DenseRetriever.build(TEXTS, other, previous=(TEXTS, first))
    assert other.embedded == TEXTS


def test_bulk_path_is_used_from_bulk_min_docs_texts_to_embed(minilm: SentenceTransformerEncoder) -> None:
    at_limit = CountingEncoder(minilm)
    DenseRetriever.build(TEXTS, at_limit, bulk_min_docs=len(TEXTS))
    assert at_limit.bulk_calls == 1
    below = CountingEncoder(minilm)
    DenseRetriever.build(TEXTS, below, bulk_min_docs=len(TEXTS) + 1)
    assert below.bulk_calls == 0
    never = CountingEncoder(minilm)
    DenseRetriever.build(TEXTS, never, bulk_min_docs=0)
    assert never.bulk_calls == 0


def test_bulk_build_keeps_each_vector_at_its_text(minilm: SentenceTransformerEncoder) -> None:
    texts = sorted(TEXTS, key=len, reverse=True)  # the bulk path embeds them shortest first
    dense = DenseRetriever.build(texts, CountingEncoder(minilm), bulk_min_docs=1, chunk=2)
    for i, row in enumerate(minilm.encode(texts)):
        assert dense.search(row.reshape(1, -1), 1)[0][0] == i
