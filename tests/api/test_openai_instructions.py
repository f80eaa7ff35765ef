"""OpenAI system messages reach the LM's prompt as operator instructions, after the persona's rules, within a limit."""

from __future__ import annotations

import httpx

from assistant.services import Services
from benchmarks.support.chat_server import ChatServer
from benchmarks.support.live import GENERATE
from personas.prompt import OPERATOR_CLOSE, OPERATOR_OPEN
from tests.api.conftest import assert_error_body

ORDERS = ["답변 끝에 항상 '이상입니다.'를 붙이세요.", "세 문장 이내로 답하세요."]


def _chat(message: str, system: list[str], **extra: object) -> dict[str, object]:
    messages = [{"role": "system", "content": s} for s in system] + [{"role": "user", "content": message}]
    return {"model": "assistant", "messages": messages, **extra}


async def test_system_messages_reach_the_prompt_after_the_persona_rules(
        gen_client: tuple[httpx.AsyncClient, Services], chat_server: ChatServer) -> None:
    client, _ = gen_client
    for stream in (False, True):
        response = await client.post("/v1/chat/completions", json=_chat(GENERATE[0], ORDERS, stream=stream))
        assert response.status_code == 200, response.text
        prompt = chat_server.bodies[-1]["messages"]
        system = prompt[0]["content"]
        assert prompt[0]["role"] == "system" and sum(m["role"] == "system" for m in prompt) == 1
        assert system.startswith("당신은 '")  # the persona's identity comes first
        fenced = f"{OPERATOR_OPEN}\n{ORDERS[0]}\n\n{ORDERS[1]}\n{OPERATOR_CLOSE}"
        assert system.index("[보안 규칙]") < system.index("[운영자 지침]") < system.index(fenced)
        assert all(ORDERS[0] not in m["content"] for m in prompt[1:])


async def test_without_system_messages_the_prompt_has_no_operator_section(
        gen_client: tuple[httpx.AsyncClient, Services], chat_server: ChatServer) -> None:
    client, _ = gen_client
    assert (await client.post("/v1/chat/completions", json=_chat(GENERATE[1], []))).status_code == 200
    assert "[운영자 지침]" not in chat_server.bodies[-1]["messages"][0]["content"]


async def test_system_text_limit_holds_at_n_and_refuses_n_plus_1(client: httpx.AsyncClient,
                                                                 services: Services) -> None:
    limit = services.settings.limits.max_instructions_chars
    at_limit = await client.post("/v1/chat/completions", json=_chat("안녕하세요", ["지" * limit]))
    assert at_limit.status_code == 200, at_limit.text
    # Merged: two messages joined by a blank line count that separator too.
    over = await client.post("/v1/chat/completions", json=_chat("안녕하세요", ["지" * (limit - 2), "시"]))
    error = assert_error_body(over, 400)
    assert error["code"] == "system_too_long" and error["param"] == "messages"
