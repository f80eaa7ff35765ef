"""Null-query rewriting: strategies, hit counting on a real lexical index, limits at N and N+1."""

from __future__ import annotations

import pytest

from generation.skills import SkillInputError, default_registry


async def test_without_lm_or_search_first_rewrite_is_keyword_normalisation(registry):
    result = await registry.run("rewrite-null-query", {"query": "오늘 서울 체감온도가 어느 정도이니"})
    first = result.output["rewrites"][0]
    assert first == {"text": "오늘 서울 체감온도", "strategy": "keyword"}
    assert result.trace["strategy"] == "fallback"
    assert result.trace["fallback_reason"] == "no LM loaded"
    assert result.trace["lm"] is None


async def test_rewrites_are_unique_and_differ_from_query(registry):
    query = "이번 달 전기요금이 얼마야"
    rewrites = (await registry.run("rewrite-null-query", {"query": query})).output["rewrites"]
    texts = [r["text"] for r in rewrites]
    assert len(texts) == len(set(texts))
    assert query not in texts
    known = {"keyword", "spelling", "spacing", "synonym", "lm_paraphrase", "term_drop"}
    assert {r["strategy"] for r in rewrites} <= known


async def test_synonym_strategy_swaps_a_whole_word(registry):
    rewrites = (await registry.run("rewrite-null-query", {"query": "회사 메일 주소 알려줘"})).output["rewrites"]
    synonyms = [r["text"] for r in rewrites if r["strategy"] == "synonym"]
    assert "회사 이메일 주소" in synonyms


async def test_search_backend_drops_zero_hit_rewrites_and_reports_hits(search_backend):
    registry = default_registry(None, {"docs": search_backend})
    result = await registry.run("rewrite-null-query", {"query": "가습기 세척하는 법 좀 알려줄래", "search": "docs"})
    rewrites = result.output["rewrites"]
    assert rewrites, "the corpus holds a 가습기 document, some rewrite must find it"
    for r in rewrites:
        assert r["hits"] > 0
        assert r["hits"] == search_backend.count(r["text"])
    assert result.trace["search"] == "docs"


async def test_unknown_search_backend_is_an_input_error(registry):
    with pytest.raises(SkillInputError) as err:
        await registry.run("rewrite-null-query", {"query": "오늘 날씨", "search": "nowhere"})
    assert err.value.param == "search"


async def test_query_length_limit_accepts_n_and_refuses_n_plus_one(small_limits):
    registry = default_registry(None, {}, settings=small_limits)
    await registry.run("rewrite-null-query", {"query": "가" * 20})
    with pytest.raises(SkillInputError) as err:
        await registry.run("rewrite-null-query", {"query": "가" * 21})
    assert err.value.param == "query"


async def test_k_limit_accepts_n_and_refuses_n_plus_one(small_limits):
    registry = default_registry(None, {}, settings=small_limits)
    result = await registry.run("rewrite-null-query", {"query": "오늘 날씨가 어떤지 알려줘", "k": 3})
    assert len(result.output["rewrites"]) <= 3
    with pytest.raises(SkillInputError) as err:
        await registry.run("rewrite-null-query", {"query": "오늘 날씨", "k": 4})
    assert err.value.param == "k"


@pytest.mark.parametrize("query", ["", "   ", "weather in seoul today", "12345 !!!"])
async def test_empty_or_non_korean_query_is_refused(registry, query):
    with pytest.raises(SkillInputError) as err:
        await registry.run("rewrite-null-query", {"query": query})
    assert err.value.param == "query"


async def test_unknown_payload_field_names_the_field(registry):
    with pytest.raises(SkillInputError) as err:
        await registry.run("rewrite-null-query", {"query": "오늘 날씨", "color": "red"})
    assert err.value.param == "color"


async def test_switched_off_skills_refuse_to_run():
    from generation.skills import SkillUnavailable
    from generation.skills.settings import SkillsSettings

    registry = default_registry(None, {}, settings=SkillsSettings(enabled=False))
    with pytest.raises(SkillUnavailable):
        await registry.run("rewrite-null-query", {"query": "오늘 날씨"})


async def test_spelling_strategy_corrects_typos_then_normalises(registry):
    rewrites = (await registry.run("rewrite-null-query", {"query": "맛있는 떡복이 맛집 추쳔해 줘"})).output["rewrites"]
    spelling = [r["text"] for r in rewrites if r["strategy"] == "spelling"]
    assert spelling and "떡볶이" in spelling[0] and "추천" in spelling[0]


async def test_no_spelling_rewrite_without_typos(registry):
    rewrites = (await registry.run("rewrite-null-query", {"query": "강남역 파스타 맛집 추천"})).output["rewrites"]
    assert all(r["strategy"] != "spelling" for r in rewrites)


async def test_search_calls_are_capped_at_the_limit(search_backend):
    from generation.skills.settings import SkillsSettings

    settings = SkillsSettings.model_validate({"rewrite": {"max_search_calls": 2}})
    registry = default_registry(None, {"docs": search_backend}, settings=settings)
    before = len(search_backend.queries)
    payload = {"query": "없는 단어로 된 엉뚱한 질문을 해 볼게", "search": "docs"}
    result = await registry.run("rewrite-null-query", payload)
    assert len(search_backend.queries) - before == 2 == result.trace["search_calls"]


class TitleSearch:
    """A search that finds only whole titles, and offers its titles to the semantic strategy."""

    def __init__(self, titles: list[str]) -> None:
        self._titles = titles

    def titles(self) -> list[str]:
        return list(self._titles)

    def count(self, query: str) -> int:
        return int(query in self._titles)


async def test_semantic_strategy_proposes_close_titles_that_get_hits():
    titles = ["내일 부산 날씨 맑음 기온 12도", "가습기 사용법과 세척 방법", "이번 달 전기요금 조회 방법"]
    registry = default_registry(None, {"titles": TitleSearch(titles)})
    result = await registry.run("rewrite-null-query", {"query": "내일 부산 날씨 어때", "search": "titles"})
    rewrites = result.output["rewrites"]
    assert rewrites and all(r["hits"] == 1 for r in rewrites)
    assert rewrites[0] == {"text": titles[0], "strategy": "semantic", "hits": 1}


async def test_semantic_strategy_is_off_without_an_encoder():
    from generation.skills.settings import SkillsSettings

    settings = SkillsSettings.model_validate({"rewrite": {"semantic_encoder": "none"}})
    registry = default_registry(None, {"titles": TitleSearch(["내일 부산 날씨 맑음 기온 12도"])}, settings=settings)
    result = await registry.run("rewrite-null-query", {"query": "내일 부산 날씨 어때", "search": "titles"})
    assert result.output["rewrites"] == []
