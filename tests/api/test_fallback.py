"""When a turn needs generation and no LM can answer: the persona's fallback reply, stored with the reason; strict
clients keep the 503 (header or setting); a speaker's turn always speaks the fallback."""

from __future__ import annotations

import httpx

from assistant.pipeline import TurnRequest
from assistant.services import Components, Services
from assistant.settings import Settings
from benchmarks.support.live import GENERATE, services_for, settings_with
from tests.api.conftest import assert_error_body


async def test_a_turn_no_lm_can_answer_gets_the_fallback_reply_stored_with_its_reason(
        client: httpx.AsyncClient, services: Services) -> None:
    response = await client.post("/v1/chat", json={"message": GENERATE[0]})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["source"] == "fallback"
    assert body["reply"] == services.settings.personas.fallback.replies["해요체"]  # the assistant persona's level
    assert "no language model is loaded" in body["selection"]["fallback"]
    turns = (await client.get(f"/v1/conversations/{body['conversation_id']}")).json()["turns"]
    assert [(t["role"], t["source"]) for t in turns] == [("user", None), ("assistant", "fallback")]
    assert "reason" in turns[1]["trace"]["generation"]["fallback"]
    strict = await client.post("/v1/chat", json={"message": GENERATE[0]}, headers={"X-Fallback": "off"})
    assert assert_error_body(strict, 503)["code"] == "generation_unavailable"


async def test_with_the_fallback_off_clients_get_503_and_a_speaker_still_speaks_it(
        api_settings: Settings, components: Components, database_url: str) -> None:
    settings = settings_with(api_settings, personas={**api_settings.personas.model_dump(),
                                                      "fallback": {"enabled": False}})
    with services_for(settings, components, database_url) as services:
        from api.app import create_app

        transport = httpx.ASGITransport(app=create_app(services=services))
        async with httpx.AsyncClient(transport=transport, base_url="http://test", timeout=60) as client:
            refused = await client.post("/v1/chat", json={"message": GENERATE[0]})
            assert assert_error_body(refused, 503)["code"] == "generation_unavailable"
            forced = await client.post("/v1/chat", json={"message": GENERATE[0]}, headers={"X-Fallback": "on"})
            assert forced.status_code == 200 and forced.json()["source"] == "fallback"
        spoken = await services.pipeline.run(TurnRequest(message=GENERATE[1], strict=False))  # as a speaker asks
        assert spoken.source == "fallback"
