"""The studio in a real headless browser: Playwright driving Debian's `chromium` package (never a downloaded browser;
`.ci/run` installs the package when missing, and these tests skip, saying why, only when it is absent).

One live server for the module (uvicorn on 127.0.0.1, the session's components, an OpenAI-compatible echo LM) and
one browser (a server without an LM for the one test about that); each test is one step of the issue's acceptance
list: the page paints in under a second with every input labelled and the editor and chat reachable by keyboard; a
persona is created from a description and two examples; a validation error is seen, fixed and saved; a chat turn
shows its trace; versions 1 and 2 are compared on a three-turn script; a PNG card is imported by drag and drop
(and exported again); a stored answer is added, served and counted.
With STUDIO_SCREENSHOTS=1 the main views are saved under docs/images/ for docs/studio.md.
"""

from __future__ import annotations

import base64
import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from api.app import create_app
from assistant.exports import card_png
from assistant.services import Components
from assistant.settings import Settings
from benchmarks.support.chat_server import ChatServer
from benchmarks.support.live import LiveServer, remote_generator, services_for

CHROMIUM = shutil.which("chromium")
DOCS_IMAGES = Path(__file__).resolve().parents[2] / "docs" / "images"
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium package is not installed "
                                "(apt-get install -y chromium; .ci/run does it): the studio's browser tests need it")


@pytest.fixture(scope="module")
def studio(api_settings: Settings, components: Components, chat_server: ChatServer,
           tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Any]]:
    database = f"sqlite:///{tmp_path_factory.mktemp('studio') / 'store.db'}"
    generator = remote_generator(chat_server.base_url, "echo-응답")
    with services_for(api_settings, components, database, generator) as services, \
            LiveServer(create_app(services=services)) as server:
        yield server.url, services


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright package (dev extra) is missing")
    with sync_api.sync_playwright() as driver:
        launched = driver.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Any, studio: tuple[str, Any]) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="ko-KR")
    opened = context.new_page()
    opened.set_default_timeout(15_000)
    opened.goto(f"{studio[0]}/studio")
    opened.wait_for_selector("body[data-ready='1']")
    yield opened
    context.close()


def shot(page: Any, name: str) -> None:
    if os.environ.get("STUDIO_SCREENSHOTS") == "1":
        DOCS_IMAGES.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(DOCS_IMAGES / f"studio-{name}.png"), full_page=False)


def doc(pid: str, **extra: Any) -> dict[str, Any]:
    return {"id": pid, "name": "빵집 점원", "speech_level": "해요체", "greetings": ["어서 오세요!"],
            "refusal": "그건 말씀드리기 어려워요.", "description": "동네 빵집을 안내하는 점원입니다.",
            "examples": [[{"role": "user", "text": "영업시간이 어떻게 돼요?"},
                          {"role": "assistant", "text": "아침 8시부터 저녁 9시까지 열어요."}]], **extra}


def put(studio: tuple[str, Any], pid: str, document: dict[str, Any]) -> dict[str, Any]:
    response = httpx.put(f"{studio[0]}/v1/studio/personas/{pid}", json={"persona": {"id": pid, "document": document}},
                         timeout=30)
    assert response.status_code == 200, response.text
    return response.json()


def open_persona(page: Any, pid: str) -> None:
    page.reload()
    page.wait_for_selector("body[data-ready='1']")
    page.select_option("#persona-select", pid)
    page.wait_for_function("id => document.getElementById('f-id').value === id", arg=pid)


def first_paint_ms(browser: Any, url: str) -> float:
    context = browser.new_context()
    try:
        fresh = context.new_page()
        fresh.goto(f"{url}/studio")
        fresh.wait_for_function("performance.getEntriesByName('first-contentful-paint').length > 0")
        return float(fresh.evaluate("performance.getEntriesByName('first-contentful-paint')[0].startTime"))
    finally:
        context.close()


def test_the_page_paints_fast_every_input_is_labelled_and_keys_reach_the_editor_and_chat(
        page: Any, browser: Any, studio: tuple[str, Any]) -> None:
    # A fresh context (no cache) on a browser that has started once: the browser's own cold start (fonts, GPU
    # process) is not the page's load time.
    paints = [first_paint_ms(browser, studio[0]) for _ in range(2)]
    print(f"first contentful paint: {paints} ms")
    assert max(paints) < 1000, f"first contentful paint {paints} ms"
    unlabelled = page.evaluate("""[...document.querySelectorAll('input, textarea, select')]
        .filter(e => e.labels.length === 0 && !e.getAttribute('aria-label')).map(e => e.id || e.outerHTML)""")
    assert unlabelled == []
    page.focus("#f-id")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "f-name"
    page.focus("#tab-editor")
    page.keyboard.press("ArrowRight")
    assert page.evaluate("document.activeElement.id") == "tab-playground"
    assert page.is_visible("#view-playground") and not page.is_visible("#view-editor")
    page.focus("#chat-input")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "chat-send"


def test_a_persona_is_created_from_a_description_and_two_examples(page: Any, studio: tuple[str, Any]) -> None:
    pid = f"bakery-{uuid.uuid4().hex[:6]}"
    page.click("#new-persona")
    page.fill("#f-id", pid)
    page.fill("#f-name", "빵집 점원")
    page.fill("#f-description", "동네 빵집에서 빵을 추천하고 영업시간을 안내하는 친절한 점원입니다.")
    page.fill("#f-greetings", "어서 오세요! 오늘은 소금빵이 맛있어요.")
    page.fill("#f-refusal", "그건 말씀드리기 어려워요.")
    for n, (user, reply) in enumerate([("영업시간이 어떻게 돼요?", "아침 8시부터 저녁 9시까지 열어요."),
                                       ("추천 빵 있어요?", "오늘은 갓 구운 소금빵을 추천해요.")]):
        page.click("#add-example")
        page.fill(f"#ex-{n}-0", user)
        page.fill(f"#ex-{n}-1", reply)
    page.wait_for_selector("#validation.ok")
    assert "examples:" in page.input_value("#yaml")
    assert "토큰" in page.text_content("#budget-text")
    shot(page, "editor")
    page.click("#save")
    page.wait_for_function("() => document.getElementById('notice').textContent.includes('v1')")
    stored = httpx.get(f"{studio[0]}/v1/personas/{pid}", timeout=30).json()["persona"]
    assert len(stored["examples"]) == 2 and stored["description"].startswith("동네 빵집")


def test_a_validation_error_is_shown_then_fixed_and_saved(page: Any, studio: tuple[str, Any]) -> None:
    pid = f"fix-{uuid.uuid4().hex[:6]}"
    put(studio, pid, doc(pid))
    open_persona(page, pid)
    text = page.input_value("#yaml")
    page.fill("#yaml", text.replace("speech_level: 해요체", "speech_level: 존댓말"))
    page.wait_for_selector("#validation.bad")
    error = page.text_content("#validation")
    line = text.splitlines().index("speech_level: 해요체") + 1
    assert f"{line}번째 줄" in error and "speech_level" in error
    shot(page, "validation")
    page.fill("#yaml", text.replace("speech_level: 해요체", "speech_level: 반말"))
    page.wait_for_selector("#validation.ok")
    page.click("#save")
    page.wait_for_function("() => document.getElementById('notice').textContent.includes('v2')")
    assert httpx.get(f"{studio[0]}/v1/personas/{pid}", timeout=30).json()["persona"]["speech_level"] == "반말"


def test_a_chat_turn_shows_its_trace_and_a_reply_becomes_an_example(page: Any, studio: tuple[str, Any]) -> None:
    pid = f"chat-{uuid.uuid4().hex[:6]}"
    put(studio, pid, doc(pid))
    open_persona(page, pid)
    page.click("#tab-playground")
    page.fill("#chat-input", "소금빵은 몇 시에 나와요?")
    page.keyboard.press("Enter")
    turn = page.wait_for_selector("#chat-log li.assistant .trace")
    trace = turn.text_content()
    for part in ("재작성과 해소", "응답 선택", "프롬프트", "생성 매개변수", "필터와 화계 교정", "단계별 지연"):
        assert part in trace, part
    assert "echo" in page.text_content("#chat-log li.assistant .text") or "응답" in trace
    for summary in page.query_selector_all("#chat-log li.assistant details summary")[:3]:
        summary.click()
    shot(page, "playground")
    page.click("#chat-log li.assistant .to-example")
    page.click("#tab-editor")
    assert page.input_value("#ex-1-0") == "소금빵은 몇 시에 나와요?"


def test_versions_one_and_two_are_compared_on_a_three_turn_script(page: Any, studio: tuple[str, Any]) -> None:
    pid = f"cmp-{uuid.uuid4().hex[:6]}"
    put(studio, pid, doc(pid))
    put(studio, pid, doc(pid, response_set="default"))
    open_persona(page, pid)
    page.click("#tab-compare")
    page.wait_for_selector(f"#cmp-left option[value='{pid}@2']", state="attached")
    page.select_option("#cmp-left", f"{pid}@1")
    page.select_option("#cmp-right", f"{pid}@2")
    page.fill("#cmp-script", "안녕하세요\n오늘 추천 빵은 뭐예요?\n고마워요")
    page.click("#cmp-run")
    page.wait_for_selector("#cmp-table tr[data-turn='2']")
    assert "generate" in page.text_content("#cmp-table tr[data-turn='0'] td.left")
    assert "retrieve" in page.text_content("#cmp-table tr[data-turn='0'] td.right")
    page.fill("#check-name", f"check-{pid}")
    page.click("#check-save")
    page.wait_for_function("() => document.getElementById('check-result').textContent.includes('persona test')")
    shot(page, "compare")


def test_a_png_card_is_imported_by_drag_and_drop(page: Any, studio: tuple[str, Any]) -> None:
    pid = f"card-{uuid.uuid4().hex[:6]}"
    persona = studio[1].personas.get("friend").model_copy(update={"id": pid, "name": f"카드 친구 {pid}"})
    png = base64.b64encode(card_png(persona)).decode()
    page.click("#tab-cards")
    transfer = page.evaluate_handle("""([b64, name]) => {
        const bytes = Uint8Array.from(atob(b64), c => c.charCodeAt(0));
        const transfer = new DataTransfer();
        transfer.items.add(new File([bytes], name, { type: "image/png" }));
        return transfer; }""", [png, "card.png"])
    page.dispatch_event("#drop-zone", "drop", {"dataTransfer": transfer})
    page.wait_for_selector("#card-map td")
    mapping = page.text_content("#card-map")
    assert "first_mes" in mapping and "greetings[0]" in mapping and persona.name in mapping
    shot(page, "cards")
    page.click("#card-import")
    page.wait_for_function("() => document.getElementById('notice').textContent.includes('가져왔습니다')")
    assert httpx.get(f"{studio[0]}/v1/personas/{pid}", timeout=30).json()["persona"]["name"] == persona.name
    page.wait_for_function("id => document.getElementById('persona-select').value === id", arg=pid)
    with page.expect_download() as download:
        page.click("#card-export")
    exported = Path(download.value.path()).read_bytes()
    assert download.value.suggested_filename == f"{pid}.png" and exported.startswith(b"\x89PNG")


def test_a_stored_answer_is_added_served_and_counted(page: Any, studio: tuple[str, Any]) -> None:
    set_name, pid = f"shop-{uuid.uuid4().hex[:6]}", f"ans-{uuid.uuid4().hex[:6]}"
    put(studio, pid, doc(pid, response_sets=[set_name]))
    open_persona(page, pid)
    page.click("#tab-answers")
    page.fill("#set-select", set_name)
    page.dispatch_event("#set-select", "change")
    page.fill("#a-question", "주차할 곳이 있나요?")
    page.fill("#a-answer", "가게 뒤편에 주차장이 있어요.")
    page.click("#a-save")
    # the row of this set's new answer: a table the tab drew before the set was chosen may still be on the page
    added = "#answers-table tr:has-text('주차할 곳이 있나요?') td.served"
    page.wait_for_selector(added)
    assert page.text_content(added) == "0"
    page.click("#tab-playground")
    page.fill("#chat-input", "주차할 곳이 있나요?")
    page.click("#chat-send")
    page.wait_for_selector("#chat-log li.assistant .trace")
    assert "주차장" in page.text_content("#chat-log li.assistant .text")
    assert "[retrieve]" in page.text_content("#chat-log li.assistant .source")
    page.click("#tab-answers")
    page.wait_for_function("() => document.querySelector('#answers-table td.served')?.textContent === '1'")
    page.click("#answers-table button:has-text('질의 보기')")
    page.wait_for_selector("#answer-queries li:has-text('주차')")
    page.fill("#q-text", "주차 돼요?")
    page.click("#q-run")
    page.wait_for_function("() => document.getElementById('q-result').textContent.includes('판정')")
    shot(page, "answers")


def test_without_an_lm_the_page_says_so_and_shows_the_turn_up_to_generation(
        browser: Any, api_settings: Settings, components: Components, tmp_path: Path) -> None:
    database = f"sqlite:///{tmp_path / 'store.db'}"
    with services_for(api_settings, components, database) as services, \
            LiveServer(create_app(services=services)) as server:
        assert not services.generation.status()[0]
        context = browser.new_context(locale="ko-KR")
        try:
            page = context.new_page()
            page.set_default_timeout(15_000)
            page.goto(f"{server.url}/studio")
            page.wait_for_selector("body[data-ready='1']")
            assert page.is_visible("#lm-banner")
            assert "언어 모델이 로드되지 않았습니다" in page.text_content("#lm-banner")
            page.click("#tab-playground")
            page.fill("#chat-input", "중세 유럽의 길드 제도가 경제에 끼친 영향을 알려줘")
            page.keyboard.press("Enter")
            turn = page.wait_for_selector("#chat-log li.assistant")
            assert "생성하지 않았습니다" in turn.text_content()
            assert "프롬프트" in turn.text_content() and "(추정)" in turn.text_content()
            assert not page.query_selector("#chat-log li.assistant .to-example")
        finally:
            context.close()
