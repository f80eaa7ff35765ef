"""SillyTavern's Chat Completion request (custom OpenAI-compatible source, docs/openai.md) against a real server on
the tiny LM: an imported Character Card answers it as a stream of token-level deltas, generated in the card's own
speech level, never from the shared assistant response set; a swipe resends the same body and keeps both replies;
"continue" sends the partial reply as the last message and gets its continuation."""

from __future__ import annotations

import json

import httpx

from assistant.services import Services

CARD = {"spec": "chara_card_v2", "spec_version": "2.0", "data": {
    "name": "민지", "description": "{{char}}는 {{user}}의 대학 동기야. 밝고 솔직해.",
    "personality": "밝고 수다스러움", "scenario": "{{user}}와 {{char}}가 메신저로 수다를 떨어.",
    "first_mes": "안녕! 나는 민지야. 오늘 뭐 했어?",
    "mes_example": "<START>\n{{user}}: 배고파\n{{char}}: 나도! 떡볶이 먹자.",
    "creator_notes": "", "system_prompt": "", "post_history_instructions": "", "alternate_greetings": [],
    "tags": [], "creator": "", "character_version": "", "extensions": {}}}


def sillytavern_body(model: str, chat: list[dict[str, str]]) -> dict[str, object]:
    """The body SillyTavern's server posts to <custom_url>/chat/completions with its default settings."""
    return {
        "messages": [
            {"role": "system", "content": "Write 민지's next reply in a fictional chat between 민지 and 사용자."},
            {"role": "system",
             "content": "민지는 사용자의 대학 동기야. 밝고 솔직해.\n민지's personality: 밝고 수다스러움"},
            {"role": "system", "name": "example_user", "content": "배고파"},
            {"role": "system", "name": "example_assistant", "content": "나도! 떡볶이 먹자."},
            {"role": "system", "content": "[Start a new Chat]"},
            {"role": "assistant", "content": "안녕! 나는 민지야. 오늘 뭐 했어?"},
            *chat,
        ],
        "model": model, "temperature": 1, "max_tokens": 60, "stream": True, "presence_penalty": 0,
        "frequency_penalty": 0, "top_p": 1, "logit_bias": {}, "seed": 3,
    }


def _deltas(text: str) -> tuple[list[str], str | None]:
    deltas, finish = [], None
    for line in text.splitlines():
        if not line.startswith("data: ") or line == "data: [DONE]":
            continue
        chunk = json.loads(line[6:])
        assert "error" not in chunk, chunk
        for choice in chunk["choices"]:
            deltas.append(choice["delta"].get("content") or "")
            finish = choice["finish_reason"] or finish
    return [d for d in deltas if d], finish


async def test_sillytavern_request_streams_an_in_character_reply(tiny_live: tuple[str, Services]) -> None:
    url, services = tiny_live
    async with httpx.AsyncClient(base_url=url, timeout=120,
                                 headers={"Authorization": "Bearer sillytavern-key"}) as http:
        # overwrite: the live server's persona directory is shared by the store parametrisations of this test
        imported = await http.post("/v1/personas/import", params={"id": "minji-card", "overwrite": True}, json=CARD)
        assert imported.status_code == 201, imported.text
        persona = services.personas.get("minji-card")
        assert persona.speech_level == "반말" and persona.answer_sets == ()  # an imported card: no response set
        chat = [{"role": "user", "content": "안녕하세요"}]  # the shared assistant set has an answer for this
        body = sillytavern_body("minji-card", chat)
        response = await http.post("/v1/chat/completions", json=body)
        assert response.status_code == 200 and response.headers["content-type"].startswith("text/event-stream")
        deltas, finish = _deltas(response.text)
        swipe = await http.post("/v1/chat/completions", json=body)
        continued = await http.post("/v1/chat/completions", json=sillytavern_body(
            "minji-card", [*chat, {"role": "assistant", "content": "".join(deltas[:2])}]))
    assert len(deltas) >= 2 and finish in ("stop", "length")
    cid = response.headers["x-conversation-id"]
    turns = await services.store.turns(cid)
    # the message once; the reply, the swipe and the continued reply all kept (a prefill is not part of the key)
    assert [t.role for t in turns] == ["user", "assistant", "assistant", "assistant"]
    reply = turns[1]
    assert reply.source == "generate" and reply.text == "".join(deltas)
    assert reply.scores is not None and reply.scores["reason"] == "the persona answers from no response set"
    assert services.generation.speech.violations(reply.text, "반말") == []  # in the card's speech level
    assert swipe.status_code == 200 and continued.status_code == 200
    continuation, _ = _deltas(continued.text)
    assert (await services.store.turns(cid))[-1].text == "".join(deltas[:2]) + "".join(continuation)
