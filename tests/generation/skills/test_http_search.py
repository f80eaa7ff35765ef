"""HTTP search backend: count extraction, failures as SkillBackendError, and use by the rewriter.

The remote search engine is outside the project, so it is played by an httpx MockTransport handler that
really searches a small corpus; the backend's own request/parse code runs unchanged.
"""

from __future__ import annotations

import httpx
import pytest

from generation.skills import HttpSearchBackend, SkillBackendError, default_registry
from generation.skills.settings import HttpSearchSettings, SkillsSettings

DOCS = ["오늘 서울 체감온도 영하 5도", "가습기 세척 방법", "강남역 파스타 맛집"]


def engine(request: httpx.Request) -> httpx.Response:
    words = request.url.params.get("q", "").split()
    hits = [d for d in DOCS if words and all(w in d for w in words)]
    return httpx.Response(200, json={"meta": {"total": len(hits)}, "items": hits})


def backend(count_path: str = "meta.total", handler=engine) -> HttpSearchBackend:
    cfg = HttpSearchSettings(url="http://search.test/api", count_path=count_path)
    return HttpSearchBackend("web", cfg, client=httpx.Client(transport=httpx.MockTransport(handler)))


def test_count_reads_the_dotted_path():
    assert backend().count("가습기 세척") == 1
    assert backend().count("없는 단어") == 0


def test_count_of_a_list_is_its_length():
    assert backend("items").count("서울") == 1


@pytest.mark.parametrize(
    "handler",
    [
        lambda r: httpx.Response(500, text="boom"),
        lambda r: httpx.Response(200, text="not json"),
        lambda r: httpx.Response(200, json={"other": 1}),
        lambda r: httpx.Response(200, json={"meta": {"total": -3}}),
    ],
)
def test_bad_responses_raise_backend_error(handler):
    with pytest.raises(SkillBackendError):
        backend(handler=handler).count("가습기")


def test_connection_failure_raises_backend_error():
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    with pytest.raises(SkillBackendError, match="web"):
        backend(handler=refuse).count("가습기")


async def test_rewriter_keeps_only_rewrites_the_http_engine_finds(kiwi):
    registry = default_registry(None, {"web": backend()})
    result = await registry.run("rewrite-null-query", {"query": "가습기 세척 방법 좀 알려줄래", "search": "web"})
    assert result.output["rewrites"]
    assert all(r["hits"] >= 1 for r in result.output["rewrites"])


def test_http_backends_from_settings_are_registered(kiwi):
    settings = SkillsSettings.model_validate({"http_search": {"web": {"url": "http://search.test/api"}}})
    registry = default_registry(None, {}, settings=settings)
    assert "web" in registry.get("rewrite-null-query").search_backends  # type: ignore[attr-defined]


def test_bad_backend_name_is_refused_by_settings():
    with pytest.raises(ValueError):
        SkillsSettings.model_validate({"http_search": {"bad name!": {"url": "http://x.test"}}})
