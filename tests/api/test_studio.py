"""The studio's JSON endpoints (FastAPI app in-process, the session's components, no LM loaded): the page and its
assets are served from the package with no outside URL, validation gives the loader's own error (field and line),
saves keep versions with diff and revert, a playground turn explains itself up to generation, compare runs one
script through two versions, stored answers are served and counted, and a card is previewed without being saved."""

from __future__ import annotations

import asyncio
import re
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from api.app import create_app
from assistant.cli import persona as persona_cli
from assistant.exports import card_png
from assistant.keys import AuthSettings, KeyStore
from assistant.services import Components, Services
from assistant.settings import Settings
from benchmarks.support.live import services_for, settings_with
from personas.errors import PersonaError
from personas.loader import parse_persona_text
from tests.api.conftest import assert_error_body

STATIC = Path(__file__).resolve().parents[2] / "api" / "studio" / "static"


def persona_doc(pid: str, **extra: object) -> dict:
    return {"id": pid, "name": "테스트 봇", "speech_level": "해요체", "greetings": ["안녕하세요!"],
            "refusal": "그건 말씀드리기 어려워요.", "description": "빵집을 안내하는 친절한 점원입니다.",
            "examples": [[{"role": "user", "text": "영업시간이 어떻게 돼요?"},
                          {"role": "assistant", "text": "아침 8시부터 저녁 9시까지 열어요."}],
                         [{"role": "user", "text": "추천 빵 있어요?"},
                          {"role": "assistant", "text": "소금빵이 제일 인기예요."}]], **extra}


@pytest.fixture
async def client(api_settings: Settings, components: Components, tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    """The studio on SQLite only; the one store-dependent test (served counts) runs on every database."""
    with services_for(api_settings, components, f"sqlite:///{tmp_path / 'store.db'}") as services:
        transport = httpx.ASGITransport(app=create_app(services=services))
        async with httpx.AsyncClient(transport=transport, base_url="http://test", timeout=60) as c:
            c.services = services  # type: ignore[attr-defined]
            yield c


@pytest.fixture
async def any_store_client(services: Services) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=create_app(services=services))
    async with httpx.AsyncClient(transport=transport, base_url="http://test", timeout=60) as c:
        yield c


async def test_with_auth_on_the_page_is_public_and_its_data_needs_a_key(
        api_settings: Settings, components: Components, tmp_path: Path) -> None:
    settings = settings_with(api_settings, auth=AuthSettings(mode="on"))
    with services_for(settings, components, f"sqlite:///{tmp_path / 'store.db'}") as services:
        _, chat = KeyStore(services.store.engine).create("designer", requests_per_minute=1000, tokens_per_day=10**9)
        transport = httpx.ASGITransport(app=create_app(services=services))
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as c:
            assert (await c.get("/studio")).status_code == 200
            assert_error_body(await c.get("/v1/studio/info"), 401)
            key = {"X-API-Key": chat}
            assert (await c.get("/v1/studio/info", headers=key)).json()["auth"] is True
            body = {"persona": {"id": "auth-test", "document": persona_doc("auth-test")}}
            assert (await c.post("/v1/studio/check", json=body, headers=key)).json()["valid"]
            refused = await c.put("/v1/studio/personas/auth-test", json=body, headers=key)
            assert assert_error_body(refused, 403)["code"] == "insufficient_scope"


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


async def test_the_page_and_its_assets_are_served_from_the_package_without_outside_urls(
        client: httpx.AsyncClient) -> None:
    page = await client.get("/studio")
    assert page.status_code == 200 and "페르소나 스튜디오" in page.text
    assets = re.findall(r'(?:src|href)="(/studio/assets/[^"]+)"', page.text)
    imports = {m for f in STATIC.glob("*.js") for m in re.findall(r'from "\./([\w.]+)"', f.read_text())}
    for url in [*assets, *(f"/studio/assets/{name}" for name in imports)]:
        got = await client.get(url)
        assert got.status_code == 200, url
        assert not re.search(r"https?://", got.text), f"{url} references another host"
    assert_error_body(await client.get("/studio/assets/secrets.txt"), 422)


async def test_validation_gives_the_loaders_error_with_field_and_line(client: httpx.AsyncClient) -> None:
    text = "id: bad\nname: 봇\nspeech_level: 존댓말\ngreetings: [안녕]\nrefusal: 안 돼요\n"
    result = (await client.post("/v1/studio/check", json={"persona": {"id": "bad", "yaml": text}})).json()
    with pytest.raises(PersonaError) as loader:
        parse_persona_text(text, file="bad.yaml", file_id="bad")
    assert result["valid"] is False and result["budget"] is None
    assert (result["error"]["line"], result["error"]["field"]) == (3, "speech_level") == (loader.value.line,
                                                                                          loader.value.field)
    assert result["error"]["message"] == loader.value.problem
    fixed = (await client.post("/v1/studio/check", json={"persona": {"id": "bad",
                                                                     "yaml": text.replace("존댓말", "해요체")}})).json()
    assert fixed["valid"] and fixed["document"]["speech_level"] == "해요체"
    budget = fixed["budget"]
    assert budget["estimated"] and budget["used"] <= budget["budget"] and budget["fits"]


async def test_the_budget_meter_reports_the_examples_the_prompt_unit_would_trim(client: httpx.AsyncClient) -> None:
    long_examples = [[{"role": "user", "text": "질문 " * 400}, {"role": "assistant", "text": "답변 " * 400}]] * 12
    doc = persona_doc("budget-test", examples=long_examples, generation={"max_new_tokens": 256})
    budget = (await client.post("/v1/studio/check", json={"persona": {"id": "budget-test", "document": doc}})
              ).json()["budget"]
    assert budget["trimmed_examples"] > 0
    assert [e["kept"] for e in budget["examples"]] == sorted((e["kept"] for e in budget["examples"]), reverse=True)


async def test_saving_keeps_versions_with_diff_and_revert(client: httpx.AsyncClient) -> None:
    pid = unique("ver")
    first = await client.put(f"/v1/studio/personas/{pid}", json={"persona": {"id": pid, "document": persona_doc(pid)}})
    assert first.status_code == 200, first.text and first.json()["version"] == 1
    edited = persona_doc(pid, description="케이크를 안내하는 점원입니다.")
    second = (await client.put(f"/v1/studio/personas/{pid}", json={"persona": {"id": pid, "document": edited},
                                                                  "expected_version": 1})).json()
    assert second["version"] == 2 and [v["version"] for v in second["versions"]] == [1, 2]
    diff = (await client.get(f"/v1/studio/personas/{pid}/diff", params={"old": 1, "new": 2})).json()["diff"]
    assert "-description: 빵집" in diff and "+description: 케이크" in diff
    reverted = (await client.post(f"/v1/studio/personas/{pid}/revert", json={"version": 1})).json()
    assert reverted["version"] == 3 and reverted["document"]["description"].startswith("빵집")
    stale = await client.put(f"/v1/studio/personas/{pid}", json={"persona": {"id": pid, "document": edited},
                                                                "expected_version": 1})
    assert_error_body(stale, 409)
    bad = await client.put(f"/v1/studio/personas/{pid}", json={"persona": {"id": pid, "yaml": "name: [\n"}})
    assert assert_error_body(bad, 422)["code"] == "invalid_persona"


async def test_a_playground_turn_without_an_lm_shows_everything_up_to_generation(
        client: httpx.AsyncClient, tmp_path: Path) -> None:
    services: Services = client.services  # type: ignore[attr-defined]
    assert not services.generation.status()[0]
    (tmp_path / "bakery.md").write_text("소금빵은 매일 오전 11시와 오후 3시에 구워 나옵니다.", encoding="utf-8")
    assert services.retrieval.open_collection("studio-bakery", tmp_path / "bakery.md")
    body = {"persona": {"id": "draft", "document": persona_doc("draft", knowledge="studio-bakery")},
            "history": [{"role": "user", "text": "소금빵 있어요?"}, {"role": "assistant", "text": "네 있어요."}],
            "message": "그거 몇 시에 나와요?"}
    trace = (await client.post("/v1/studio/try", json=body)).json()
    assert trace["source"] == "generate" and trace["reply"] is None and trace["lm"]["ready"] is False
    assert trace["rewrite"]["standalone"] and "decision" in trace["selection"]
    prompt = trace["prompt"]
    assert prompt["estimated"] and prompt["messages"][0]["role"] == "system"
    assert prompt["total_tokens"] == sum(m["tokens"] for m in prompt["messages"])
    assert "빵집" in prompt["messages"][0]["content"]
    assert trace["knowledge"] and "오전 11시" in trace["knowledge"][0]["text"]
    assert "오전 11시" in prompt["messages"][-1]["content"]  # injected into the final user message
    assert {"rewrite", "select", "prompt", "total"} <= set(trace["latency_ms"])


async def test_a_stored_answer_is_served_in_the_playground_and_counted(any_store_client: httpx.AsyncClient) -> None:
    client = any_store_client
    set_name = unique("set")
    added = await client.post(f"/v1/studio/answers/{set_name}", json={"question": "소금빵은 언제 나와요?",
                                                                       "answer": "소금빵은 오전 11시에 나와요."})
    assert added.status_code == 201, added.text
    record = added.json()
    pid = unique("shop")
    doc = persona_doc(pid, response_sets=[set_name])
    trace = (await client.post("/v1/studio/try", json={"persona": {"id": pid, "document": doc},
                                                      "message": "소금빵은 언제 나와요?"})).json()
    assert trace["source"] == "retrieve" and trace["reply"].startswith("소금빵은")
    assert trace["selection"]["hit"]["id"] == record["id"] and trace["selection"]["candidates"]
    page = (await client.get(f"/v1/studio/answers/{set_name}")).json()
    assert [(r["id"], r["served"]) for r in page["data"]] == [(record["id"], 1)]
    queries = (await client.get(f"/v1/studio/answers/{set_name}/{record['id']}/queries")).json()["data"]
    assert queries[0]["query"] and queries[0]["channel"] == "studio" and queries[0]["decision"] == "retrieve"
    verdict = (await client.post(f"/v1/studio/answers/{set_name}/try", json={"query": "소금빵은 언제 나와요?"})).json()
    assert verdict["decision"] == "retrieve"
    assert (await client.get(f"/v1/studio/answers/{set_name}")).json()["data"][0]["served"] == 1  # try: not counted
    changed = (await client.put(f"/v1/studio/answers/{set_name}/{record['id']}",
                                json={"question": "소금빵 언제 나와요?", "answer": "오전 11시에 나와요."})).json()
    assert changed["id"] != record["id"]
    assert (await client.delete(f"/v1/studio/answers/{set_name}/{changed['id']}")).status_code == 200
    assert (await client.get(f"/v1/studio/answers/{set_name}")).json()["total"] == 0


async def test_compare_runs_one_script_through_two_versions_and_saves_a_check(
        client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch) -> None:
    services: Services = client.services  # type: ignore[attr-defined]
    pid = unique("cmp")
    await client.put(f"/v1/studio/personas/{pid}", json={"persona": {"id": pid, "document": persona_doc(pid)}})
    v2 = persona_doc(pid, response_set="default")
    await client.put(f"/v1/studio/personas/{pid}", json={"persona": {"id": pid, "document": v2}})
    script = ["안녕하세요", "추천 빵 있어요?", "고마워요"]
    result = (await client.post("/v1/studio/compare", json={"left": {"id": pid, "version": 1},
                                                           "right": {"id": pid, "version": 2},
                                                           "messages": script})).json()
    assert (result["left"]["version"], result["right"]["version"]) == (1, 2)
    assert len(result["left"]["turns"]) == len(result["right"]["turns"]) == 3
    assert result["left"]["turns"][0]["source"] == "generate"  # v1 answers from no response set
    assert result["right"]["turns"][0]["source"] == "retrieve"  # v2 answers greetings from the default set
    saved = await client.post("/v1/studio/checks", json={"name": f"check-{pid}", "persona": {"id": pid, "version": 2},
                                                         "messages": script})
    assert saved.status_code == 201, saved.text
    check = saved.json()
    assert Path(check["file"]).is_file() and check["turns"][0]["expect"]["source"] == "retrieve"
    assert await services.studio().run_check(check) == []
    check["turns"][0]["expect"]["source"] = "generate"
    assert len(await services.studio().run_check(check)) == 1
    listed = (await client.get("/v1/studio/checks")).json()["data"]
    assert any(c["name"] == f"check-{pid}" for c in listed)
    # The CLI runs the saved file (on these services: building a second set of components is not the point here).
    monkeypatch.setattr(services, "close", lambda: None)
    monkeypatch.setattr("assistant.services.build_services", lambda settings: services)
    passed = await asyncio.to_thread(CliRunner().invoke, persona_cli.app, ["test", check["file"]])
    assert passed.exit_code == 0, passed.output
    assert "3/3 turns as expected" in passed.output
    broken = Path(check["file"]).with_name("broken.yaml")
    broken.write_text(Path(check["file"]).read_text(encoding="utf-8").replace("source: retrieve", "source: generate"),
                      encoding="utf-8")
    failed = await asyncio.to_thread(CliRunner().invoke, persona_cli.app, ["test", str(broken)])
    assert failed.exit_code == 1 and "FAIL turn 1" in failed.output, failed.output


async def test_a_card_is_previewed_with_its_field_mapping_and_not_saved(client: httpx.AsyncClient) -> None:
    services: Services = client.services  # type: ignore[attr-defined]
    persona = services.personas.get("friend")
    png = card_png(persona.model_copy(update={"id": "card-preview-only"}))
    preview = (await client.post("/v1/studio/cards/preview", content=png)).json()
    assert preview["document"]["name"] == persona.name
    assert {"card": "name", "persona": "name", "value": persona.name} in preview["mapping"]
    assert any(m["card"] == "first_mes" and m["persona"] == "greetings[0]" for m in preview["mapping"])
    assert services.find_persona(preview["document"]["id"]) is None or preview["document"]["id"] == "friend"
    assert assert_error_body(await client.post("/v1/studio/cards/preview", content=b"not a card"), 422)["code"] == \
        "invalid_persona"


BAD_BODIES = [{}, {"persona": {"id": "Bad Id!"}}, {"persona": {"id": "missing-persona"}},
              {"persona": {"id": "x", "document": {"examples": "not a list", "speech_level": 3}}},
              {"persona": {"id": "x", "yaml": "- just\n- a list\n"}}, {"persona": {"id": "x", "version": 0}},
              {"persona": {"id": "x", "yaml": "a: 1", "extra": True}}]
STUDIO_POSTS = [("POST", "/v1/studio/try", {"message": "안녕"}), ("PUT", "/v1/studio/personas/x", {}),
                ("POST", "/v1/studio/compare", {"messages": ["안녕"]}), ("POST", "/v1/studio/checks",
                                                                        {"name": "bad-check", "messages": ["안녕"]})]


async def test_malformed_studio_bodies_are_4xx_with_the_error_body(client: httpx.AsyncClient) -> None:
    for method, path, extra in STUDIO_POSTS:
        for bad in BAD_BODIES:
            body = {**extra, **bad}
            if path == "/v1/studio/compare" and "persona" in bad:
                body = {**extra, "left": bad["persona"], "right": bad["persona"]}
            response = await client.request(method, path, json=body)
            assert 400 <= response.status_code < 500, (method, path, body, response.text)
            assert_error_body(response, response.status_code)
    for bad_answer in [{}, {"question": "", "answer": "a"}, {"question": "q", "answer": "a", "id": "bad id"}]:
        assert_error_body(await client.post("/v1/studio/answers/some-set", json=bad_answer), 422)
    assert_error_body(await client.get("/v1/studio/answers/no-such-set"), 404)
    assert_error_body(await client.get("/v1/studio/personas/assistant/diff", params={"old": 1, "new": 99}), 404)
    assert_error_body(await client.post("/v1/studio/cards/preview", content=b""), 422)
