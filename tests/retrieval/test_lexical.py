from __future__ import annotations

from pathlib import Path

import numpy as np
from rank_bm25 import BM25Okapi

from retrieval import KoreanAnalyzer
from retrieval.lexical import Bm25Retriever, CharNgramRetriever

DOCS = [
    "내일 부산 날씨 어때",
    "부산 가는 기차표 예매해줘",
    "서울 맛집 추천해줘",
    "오늘 저녁 메뉴 추천해줘",
    "영화 예매 취소하고 싶어",
    "주말에 등산 가고 싶다",
    "고양이 사료 추천해줘",
    "강아지 산책 시간 알려줘",
]
QUERIES = ["부산 기차 예매", "고양이 사료", "영화 취소", "강아지 산책", "등산 주말"]


def test_bm25_ranks_like_the_rank_bm25_reference(analyzer: KoreanAnalyzer) -> None:
    terms = analyzer.analyze_many(DOCS)
    ours = Bm25Retriever.build(terms)
    reference = BM25Okapi(terms, k1=1.2, b=0.75)
    for query in QUERIES:
        q = analyzer.analyze(query)
        assert int(np.argmax(ours.scores(q))) == int(np.argmax(reference.get_scores(q)))


def test_bm25_is_scaled_by_the_median_self_score(analyzer: KoreanAnalyzer) -> None:
    terms = analyzer.analyze_many(DOCS)
    ours = Bm25Retriever.build(terms)
    selfs = [float(ours.raw_scores(t)[i]) for i, t in enumerate(terms)]
    assert ours.scale == float(np.median(selfs))


def test_unknown_query_terms_score_zero(analyzer: KoreanAnalyzer) -> None:
    ours = Bm25Retriever.build(analyzer.analyze_many(DOCS))
    assert not ours.scores(["없는단어"]).any()
    assert not ours.scores([]).any()


def test_char_ngrams_match_despite_spacing() -> None:
    char = CharNgramRetriever.build(DOCS)
    scores = char.scores("부산가는기차표")
    assert int(np.argmax(scores)) == 1


def test_identical_text_has_cosine_one() -> None:
    char = CharNgramRetriever.build(DOCS)
    assert abs(float(char.scores(DOCS[2])[2]) - 1.0) < 1e-5


def test_lexical_retrievers_round_trip_through_disk(analyzer: KoreanAnalyzer, tmp_path: Path) -> None:
    terms = analyzer.analyze_many(DOCS)
    bm25, char = Bm25Retriever.build(terms), CharNgramRetriever.build(DOCS)
    bm25.save(tmp_path / "bm25")
    char.save(tmp_path / "char")
    bm25_back, char_back = Bm25Retriever.load(tmp_path / "bm25"), CharNgramRetriever.load(tmp_path / "char")
    for query in QUERIES:
        np.testing.assert_allclose(bm25_back.scores(analyzer.analyze(query)), bm25.scores(analyzer.analyze(query)))
        np.testing.assert_allclose(char_back.scores(query), char.scores(query), rtol=1e-6)
