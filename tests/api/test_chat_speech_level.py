"""Retrieved replies speak the persona's speech level: POST /v1/chat, blocking and streamed, on the embedded defaults.

The bundled response set is written in 해요체 and shared by every bundled persona; friend speaks 반말, assistant
해요체. The check is generation's own speech-level analysis (the same Kiwi reading the pipeline repairs with).
"""

from __future__ import annotations

import json

import httpx

from assistant.services import Services


def _events(text: str) -> list[tuple[str, dict]]:
    events = []
    for block in text.strip().split("\n\n"):
        lines = dict(line.split(": ", 1) for line in block.splitlines())
        events.append((lines["event"], json.loads(lines["data"])))
    return events


async def test_retrieved_reply_to_a_banmal_persona_is_in_banmal(client: httpx.AsyncClient,
                                                                services: Services) -> None:
    body = (await client.post("/v1/chat", json={"message": "안녕하세요", "persona": "friend"})).json()
    stored = body["selection"]["hit"]["answer"]
    assert body["source"] == "retrieve" and body["reply"] != stored
    assert services.generation.speech.violations(stored, "반말")  # the stock answer is not 반말 ...
    assert services.generation.speech.violations(body["reply"], "반말") == []  # ... the reply is
    assert body["selection"]["speech_level"] == {"target": "반말", "converted": True}
    turns = (await client.get(f"/v1/conversations/{body['conversation_id']}")).json()["turns"]
    assert turns[-1]["text"] == body["reply"]  # what is stored is what was said


async def test_retrieved_reply_to_a_haeyo_persona_is_the_stored_text(client: httpx.AsyncClient) -> None:
    body = (await client.post("/v1/chat", json={"message": "안녕하세요", "persona": "assistant"})).json()
    assert body["source"] == "retrieve" and body["reply"] == body["selection"]["hit"]["answer"]
    assert body["selection"]["speech_level"] == {"target": "해요체", "converted": False}


async def test_streamed_retrieved_reply_is_converted_too(client: httpx.AsyncClient, services: Services) -> None:
    response = await client.post("/v1/chat", json={"message": "안녕하세요", "persona": "friend", "stream": True})
    assert response.status_code == 200, response.text
    events = _events(response.text)
    selection = next(data for name, data in events if name == "selection")
    streamed = "".join(data["text"] for name, data in events if name == "delta")
    done = next(data for name, data in events if name == "done")
    assert selection["speech_level"] == {"target": "반말", "converted": True}
    assert streamed == done["reply"] != selection["hit"]["answer"] and done["source"] == "retrieve"
    assert services.generation.speech.violations(streamed, "반말") == []


def test_a_failing_repair_answers_the_stored_text_and_says_why(services: Services) -> None:
    """The pipeline's guard around repair (its smallest seam): the real repair raises KeyError for a level it has no
    rules for, which a validated persona cannot hold, so the persona is copied past validation."""
    persona = services.personas.get("friend").model_copy(update={"speech_level": "no-such-level"})
    selection = services.retrieval.select("안녕하세요", persona.response_set)
    assert selection.decision == "retrieve" and selection.hit is not None
    reply, note = services.pipeline._retrieved_reply(persona, selection)
    assert reply == selection.hit.answer
    assert note == {"target": "no-such-level", "converted": False, "error": "KeyError"}
