"""DocTerms: documents' distinct terms as ids, their idf, and the files they are saved in."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from retrieval.analyzer import KoreanAnalyzer
from retrieval.hybrid import HybridIndex
from retrieval.lexical import Bm25Retriever, CharNgramRetriever
from retrieval.terms import LEGACY_FILE, DocTerms

DOCS = [["환불", "기간", "환불"], ["배송", "기간"], [], ["환불", "방법", "카드"]]


def test_each_document_keeps_its_distinct_terms() -> None:
    table = DocTerms.build(DOCS)
    assert len(table) == 4
    assert [sorted(table.terms(d)) for d in range(4)] == [sorted(set(t)) for t in DOCS]
    assert table.ids(2).size == 0


def test_idf_is_bm25s_formula_over_document_frequency() -> None:
    table = DocTerms.build(DOCS)
    n = len(DOCS)
    for term, df in (("환불", 2), ("기간", 2), ("배송", 1), ("카드", 1)):
        (known, unknown) = table.lookup([term])
        assert unknown == 0
        assert table.idf[next(iter(known))] == pytest.approx(math.log(1 + (n - df + 0.5) / (df + 0.5)))
    assert table.unseen_idf == pytest.approx(math.log(1 + (n + 0.5) / 0.5))


def test_lookup_counts_unknown_terms_once() -> None:
    known, unknown = DocTerms.build(DOCS).lookup(["환불", "처음", "처음", "다른"])
    assert len(known) == 1 and unknown == 2


def test_terms_round_trip_through_disk(tmp_path: Path) -> None:
    table = DocTerms.build(DOCS)
    table.save(tmp_path)
    again = DocTerms.load(tmp_path)
    assert again.vocab == table.vocab
    assert [again.terms(d) for d in range(4)] == [table.terms(d) for d in range(4)]
    np.testing.assert_array_equal(again.idf, table.idf)


def test_an_index_saved_before_with_term_lists_still_loads(tmp_path: Path) -> None:
    (tmp_path / LEGACY_FILE).write_text(json.dumps(DOCS, ensure_ascii=False), encoding="utf-8")
    table = DocTerms.load(tmp_path)
    assert [sorted(table.terms(d)) for d in range(4)] == [sorted(set(t)) for t in DOCS]


def test_offsets_that_do_not_match_the_ids_are_refused() -> None:
    with pytest.raises(ValueError, match="offsets"):
        DocTerms(["a"], np.array([0, 2]), np.array([0], dtype=np.int32))
    with pytest.raises(ValueError, match="outside"):
        DocTerms(["a"], np.array([0, 1]), np.array([3], dtype=np.int32))


def test_candidate_features_equal_a_reference_over_term_sets(analyzer: KoreanAnalyzer) -> None:
    texts = ["환불은 며칠 안에 되나요", "배송 기간이 얼마나 걸려요", "카드 결제 취소 방법 알려줘", "환불 방법 알려줘"]
    terms = analyzer.analyze_many(texts)
    index = HybridIndex(analyzer, Bm25Retriever.build(terms), CharNgramRetriever.build(texts), None, terms)
    query = analyzer.analyze("환불 방법이 궁금해요 새로운말")
    df: dict[str, int] = {}
    for doc in terms:
        for t in set(doc):
            df[t] = df.get(t, 0) + 1
    n = len(texts)

    def idf(t: str) -> float:
        c = df.get(t, 0)
        return math.log(1 + (n - c + 0.5) / (c + 0.5))

    q = frozenset(query)
    for doc, doc_terms in enumerate(terms):
        d = frozenset(doc_terms)
        shared = q & d
        q_mass, d_mass, s_mass = (sum(idf(t) for t in part) for part in (q, d, shared))
        features = index._features(index.doc_terms.lookup(query), doc, 0.0, {})
        assert features["cover_query"] == pytest.approx(len(shared) / len(q))
        assert features["cover_doc"] == pytest.approx(len(shared) / len(d))
        assert features["cover_query_idf"] == pytest.approx(s_mass / q_mass)
        assert features["cover_doc_idf"] == pytest.approx(s_mass / d_mass)
        assert features["unmatched_query"] == pytest.approx((q_mass - s_mass) / idf("없는말없는말"))
        assert features["substitution"] == pytest.approx(min(q_mass - s_mass, d_mass - s_mass) / max(q_mass, d_mass))


def test_damaged_term_files_are_refused_as_values(tmp_path: Path) -> None:
    DocTerms.build(DOCS).save(tmp_path)
    whole = (tmp_path / "terms.npz").read_bytes()
    (tmp_path / "terms.npz").write_bytes(whole[: len(whole) // 2])  # a truncated archive
    with pytest.raises(ValueError, match="archive"):
        DocTerms.load(tmp_path)
    (tmp_path / "terms.npz").write_bytes(b"not an archive")
    with pytest.raises(ValueError):
        DocTerms.load(tmp_path)
    with pytest.raises(ValueError, match="order"):
        DocTerms(["a", "b"], np.array([0, 2, 1]), np.array([0], dtype=np.int32))
    with pytest.raises(ValueError, match="repeats"):
        DocTerms(["a", "a"], np.array([0, 1]), np.array([0], dtype=np.int32))
