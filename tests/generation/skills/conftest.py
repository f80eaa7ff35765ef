"""Session fixtures for skills tests: one Kiwi (through the skills' shared getter), registries, a search backend."""

from __future__ import annotations

import bm25s
import pytest

from generation.skills import SkillRegistry, default_registry
from generation.skills.settings import SkillsSettings
from korean.kiwi import shared_kiwi

CORPUS = [
    "오늘 서울 체감온도 영하 5도",
    "내일 부산 날씨 맑음 기온 12도",
    "주말 제주도 비 소식 강수확률 60%",
    "가습기 사용법과 세척 방법",
    "강남역 파스타 맛집 추천 목록",
    "이번 달 전기요금 조회 방법",
]


class Bm25CountBackend:
    """A real lexical index (bm25s over Kiwi nouns) answering how many documents a query matches."""

    def __init__(self, docs: list[str]) -> None:
        self._kiwi = shared_kiwi()
        self._index = bm25s.BM25()
        self._index.index([self._terms(d) for d in docs], show_progress=False)
        self.queries: list[str] = []

    def _terms(self, text: str) -> list[str]:
        return [t.form for t in self._kiwi.tokenize(text) if t.tag.startswith(("NN", "SL", "SN", "VV", "VA"))] or ["∅"]

    def count(self, query: str) -> int:
        self.queries.append(query)
        return int((self._index.get_scores(self._terms(query)) > 0).sum())


@pytest.fixture(scope="session")
def kiwi():
    return shared_kiwi()


@pytest.fixture(scope="session")
def registry(kiwi) -> SkillRegistry:
    """Pros/cons clauses clustered on character n-grams: the e5 path is tested by `e5_registry`'s tests."""
    return default_registry(None, {}, settings=SkillsSettings.model_validate({"reviews": {"aspect_encoder": "none"}}))


@pytest.fixture(scope="session")
def e5_registry(kiwi) -> SkillRegistry:
    """The default settings: pros/cons clauses embedded by multilingual-e5-small."""
    return default_registry(None, {})


@pytest.fixture(scope="session")
def search_backend(kiwi) -> Bm25CountBackend:
    return Bm25CountBackend(CORPUS)


@pytest.fixture()
def small_limits() -> SkillsSettings:
    return SkillsSettings.model_validate(
        {"rewrite": {"max_query_chars": 20, "max_rewrites": 3},
         "reviews": {"max_reviews": 5, "max_review_chars": 30, "max_phrases": 3, "max_quotes": 2}}
    )
