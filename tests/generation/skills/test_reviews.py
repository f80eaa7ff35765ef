"""Review summarisation, extractive mode: grounded pros/cons, sentiment, quotes, speech level and limits."""

from __future__ import annotations

import pytest

from generation.skills import SkillInputError, default_registry
from generation.skills.extractive import rating_label
from generation.skills.lexicon import label, score

REVIEWS = [
    {"id": "a1", "text": "배터리가 오래가서 정말 좋아요. 음질도 훌륭해요", "rating": 5},
    {"id": "a2", "text": "음질이 깨끗하고 배터리 만족합니다", "rating": 5},
    {"id": "a3", "text": "배터리 하루 종일 충분해요 추천합니다", "rating": 4},
    {"id": "a4", "text": "음질 최고예요 가성비 좋아요", "rating": 5},
    {"id": "a5", "text": "블루투스 연결이 자꾸 끊겨서 불편해요 실망", "rating": 1},
    {"id": "a6", "text": "연결 끊김이 심하고 케이스가 별로예요", "rating": 2},
    {"id": "a7", "text": "그냥 보통이에요 연결은 가끔 끊김", "rating": 3},
    {"id": "a8", "text": "케이스 마감이 엉성하고 블루투스 연결 불량", "rating": 1},
]


async def test_sentiment_distribution_comes_from_ratings_when_present(registry):
    result = await registry.run("summarize-reviews", {"item": "무선 이어폰", "reviews": REVIEWS, "rating_max": 5})
    assert result.output["sentiment"] == {"positive": 4, "neutral": 1, "negative": 3}
    assert result.trace["sentiment_source"] == {"rating": 8}


async def test_cited_reviews_hold_their_evidence_verbatim_and_match_the_polarity(registry):
    out = (await registry.run("summarize-reviews", {"reviews": REVIEWS, "rating_max": 5})).output
    texts = {r["id"]: r["text"] for r in REVIEWS}
    rating = {r["id"]: r["rating"] for r in REVIEWS}
    assert out["pros"] and out["cons"]
    for entry in out["pros"] + out["cons"]:
        assert entry["support"] >= len(entry["review_ids"]) == len(entry["evidence"]) >= 1
        assert entry["source"] == "rating"
        for rid, clause in zip(entry["review_ids"], entry["evidence"], strict=True):
            assert clause in texts[rid]
            assert (rating[rid] >= 4) if entry["polarity"] == "positive" else (rating[rid] <= 2)
    assert any(w in p["phrase"] for p in out["pros"] for w in ("음질", "배터리", "가성비"))
    assert any(w in p["phrase"] for p in out["cons"] for w in ("연결", "케이스", "블루투스", "끊김"))


async def test_quotes_are_verbatim_reviews(registry):
    out = (await registry.run("summarize-reviews", {"reviews": REVIEWS, "rating_max": 5})).output
    texts = {r["id"]: r["text"] for r in REVIEWS}
    assert 1 <= len(out["quotes"]) <= registry.settings.reviews.max_quotes
    for quote in out["quotes"]:
        assert quote["text"] == texts[quote["review_id"]]


async def test_lexicon_decides_sentiment_without_ratings_only_when_the_model_file_is_absent(registry, monkeypatch):
    monkeypatch.setattr("generation.skills.extractive.load_model", lambda: None)
    reviews = [{"text": r["text"]} for r in REVIEWS]
    result = await registry.run("summarize-reviews", {"reviews": reviews})
    assert result.trace["sentiment_source"] == {"lexicon": 8}
    sentiment = result.output["sentiment"]
    assert sentiment["positive"] >= 3 and sentiment["negative"] >= 2


def test_lexicon_negation_flips_polarity(kiwi):
    assert label(score(kiwi.tokenize("정말 재미있어요"))) == "positive"
    assert label(score(kiwi.tokenize("재미있지 않았어요"))) == "negative"
    assert label(score(kiwi.tokenize("안 좋아요"))) == "negative"
    assert label(score(kiwi.tokenize("그냥 극장에서 봤다"))) == "neutral"


@pytest.mark.parametrize(
    ("rating", "rating_max", "expected"),
    [(4, 10, "negative"), (5, 10, "neutral"), (7, 10, "neutral"), (8, 10, "positive"),
     (2, 5, "negative"), (3, 5, "neutral"), (4, 5, "positive")],
)
def test_rating_thresholds_on_both_scales(rating, rating_max, expected):
    assert rating_label(rating, rating_max) == expected


@pytest.mark.parametrize(
    ("level", "ending"), [("합쇼체", "입니다."), ("해요체", "예요."), ("반말", "야.")]
)
async def test_summary_follows_requested_speech_level(registry, level, ending):
    out = (await registry.run("summarize-reviews", {"reviews": REVIEWS, "rating_max": 5}, speech_level=level)).output
    first_sentence = out["summary"].split(". ")[0] + "."
    assert first_sentence.endswith(ending)


async def test_unknown_speech_level_is_refused(registry):
    with pytest.raises(SkillInputError) as err:
        await registry.run("summarize-reviews", {"reviews": REVIEWS}, speech_level="궁중체")
    assert err.value.param == "speech_level"


async def test_review_count_limit_accepts_n_and_refuses_n_plus_one(small_limits):
    registry = default_registry(None, {}, settings=small_limits)
    await registry.run("summarize-reviews", {"reviews": REVIEWS[:5], "rating_max": 5})
    with pytest.raises(SkillInputError) as err:
        await registry.run("summarize-reviews", {"reviews": REVIEWS[:6], "rating_max": 5})
    assert err.value.param == "reviews"


async def test_long_review_is_truncated_at_the_limit_and_counted(small_limits):
    registry = default_registry(None, {}, settings=small_limits)
    at_limit, over = "좋아요" * 10, "좋아요" * 10 + "!"
    assert len(at_limit) == 30
    result = await registry.run("summarize-reviews", {"reviews": [{"text": at_limit}, {"text": over}]})
    assert result.trace["truncated"] == 1
    huge = await registry.run("summarize-reviews", {"reviews": [{"text": "정말 좋아요 " * 10_000}]})
    assert huge.trace["truncated"] == 1 and huge.output["sentiment"]["positive"] == 1


async def test_empty_review_list_is_refused(registry):
    with pytest.raises(SkillInputError) as err:
        await registry.run("summarize-reviews", {"reviews": []})
    assert err.value.param == "reviews"


async def test_non_korean_reviews_are_skipped_and_all_non_korean_refused(registry):
    mixed = [*REVIEWS[:3], {"text": "Great sound, battery lasts forever"}]
    result = await registry.run("summarize-reviews", {"reviews": mixed, "rating_max": 5})
    assert result.trace["skipped_non_korean"] == 1 and result.trace["used"] == 3
    with pytest.raises(SkillInputError) as err:
        await registry.run("summarize-reviews", {"reviews": [{"text": "Great sound"}, {"text": "Bad case"}]})
    assert err.value.code == "unsupported_language"


async def test_rating_outside_scale_names_the_review(registry):
    with pytest.raises(SkillInputError) as err:
        await registry.run("summarize-reviews", {"reviews": [{"text": "좋아요", "rating": 11}]})
    assert err.value.param == "reviews.0.rating"


async def test_total_budget_cuts_each_review_to_its_share_at_n_plus_one():
    from generation.skills.settings import SkillsSettings

    settings = SkillsSettings.model_validate({"reviews": {"max_total_chars": 1_000}})
    registry = default_registry(None, {}, settings=settings)
    at_share = [{"text": "좋아요" * 33 + "!"} for _ in range(10)]
    over_share = [{"text": "좋아요" * 33 + "!!"} for _ in range(10)]
    first = await registry.run("summarize-reviews", {"reviews": at_share})
    assert first.trace["chars_per_review_cap"] == 100 and first.trace["truncated"] == 0
    second = await registry.run("summarize-reviews", {"reviews": over_share})
    assert second.trace["truncated"] == 10
