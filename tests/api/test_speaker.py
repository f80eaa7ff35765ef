"""AI-speaker surfaces: CEK and ASK request sequences give valid platform responses, a speaker session is one
conversation (context injection across spoken turns), signatures are enforced when configured."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from api.app import create_app
from api.speaker.alexa import alexa_verifier
from assistant.keys import AuthSettings, SpeakerSettings
from assistant.keys.settings import AlexaSettings, ClovaSettings
from assistant.services import Components, Services
from assistant.settings import Settings
from benchmarks.support.live import services_for, settings_with
from tests.api.conftest import assert_error_body
from tests.api.speaker_pki import alexa_pki, new_key, public_pem, sign

MARKUP = ("*", "#", "`", "http", "- ")


@pytest.fixture
def speaker(gen_client: tuple[httpx.AsyncClient, Services]) -> tuple[httpx.AsyncClient, Services]:
    return gen_client


def cek(kind: str, session: str = "cek-session-1", query: str | None = None, intent: str = "FreeTalkIntent",
        attributes: dict[str, Any] | None = None) -> dict[str, Any]:
    request: dict[str, Any] = {"type": kind}
    if kind == "IntentRequest":
        slots = {"query": {"name": "query", "value": query}} if query is not None else {}
        request["intent"] = {"name": intent, "slots": slots}
    return {"version": "0.1.0",
            "session": {"sessionId": session, "new": kind == "LaunchRequest", "sessionAttributes": attributes or {},
                        "user": {"userId": "u1"}},
            "context": {"System": {"application": {"applicationId": "com.example.assistant"},
                                   "device": {"deviceId": "d1"}, "user": {"userId": "u1"}}},
            "request": request}


def assert_cek_response(body: dict[str, Any], *, ends: bool) -> list[str]:
    assert body["version"] == "0.1.0" and isinstance(body["sessionAttributes"], dict)
    response = body["response"]
    assert response["shouldEndSession"] is ends and response["card"] == {} and response["directives"] == []
    speech = response["outputSpeech"]
    if not speech:
        return []
    values = [speech["values"]] if speech["type"] == "SimpleSpeech" else speech["values"]
    assert speech["type"] in ("SimpleSpeech", "SpeechList") and (speech["type"] == "SpeechList") == (len(values) > 1)
    for value in values:
        assert value["type"] == "PlainText" and value["lang"] == "ko" and 0 < len(value["value"]) <= 200
        assert not any(m in value["value"] for m in MARKUP)
    if not ends:
        assert response["reprompt"]["outputSpeech"]["type"] in ("SimpleSpeech", "SpeechList")
    return [v["value"] for v in values]


async def test_cek_sequence_keeps_context_across_spoken_turns(speaker: tuple[httpx.AsyncClient, Services]) -> None:
    client, services = speaker
    launch = await client.post("/v1/speaker/clova", json=cek("LaunchRequest"))
    assert launch.status_code == 200, launch.text
    assert assert_cek_response(launch.json(), ends=False)

    first = await client.post("/v1/speaker/clova", json=cek("IntentRequest", query="내일 서울 날씨 알려줘",
                                                            attributes={"client": "kept"}))
    assert first.status_code == 200, first.text
    assert assert_cek_response(first.json(), ends=False)
    attributes = first.json()["sessionAttributes"]
    assert attributes["client"] == "kept" and attributes["conversation_id"]

    second = await client.post("/v1/speaker/clova", json=cek("IntentRequest", query="부산은?", attributes=attributes))
    assert assert_cek_response(second.json(), ends=False)
    turns = await services.store.turns(attributes["conversation_id"])
    assert [t.text for t in turns if t.role == "user"] == ["내일 서울 날씨 알려줘", "부산은?"]
    rewrite = turns[2].rewrite
    assert rewrite is not None and "내일" in rewrite and "부산" in rewrite

    ended = await client.post("/v1/speaker/clova", json=cek("SessionEndedRequest", attributes=attributes))
    assert ended.status_code == 200 and assert_cek_response(ended.json(), ends=True) == []


async def test_cek_builtin_intents_and_empty_utterances(speaker: tuple[httpx.AsyncClient, Services]) -> None:
    client, services = speaker
    stop = (await client.post("/v1/speaker/clova", json=cek("IntentRequest", intent="Clova.StopIntent"))).json()
    assert assert_cek_response(stop, ends=True)
    guide = (await client.post("/v1/speaker/clova", json=cek("IntentRequest", intent="Clova.GuideIntent"))).json()
    assert assert_cek_response(guide, ends=False)
    empty = (await client.post("/v1/speaker/clova", json=cek("IntentRequest", session="s-empty", query=" "))).json()
    assert assert_cek_response(empty, ends=False)
    assert await services.store.get("clova-s-empty") is None, "nothing heard, nothing stored"


async def test_slot_values_make_the_utterance_without_a_free_text_slot(
        speaker: tuple[httpx.AsyncClient, Services]) -> None:
    client, services = speaker
    body = cek("IntentRequest", session="s-slots", intent="GreetIntent")
    body["request"]["intent"]["slots"] = {"greeting": {"name": "greeting", "value": "안녕하세요"}}
    response = await client.post("/v1/speaker/clova", json=body)
    assert_cek_response(response.json(), ends=False)
    assert (await services.store.turns("clova-s-slots"))[0].text == "안녕하세요"


@pytest.mark.parametrize("body", [{"version": "0.1.0"}, {**cek("LaunchRequest"), "request": {"type": "Nope"}},
                                  {**cek("LaunchRequest"), "session": {"sessionId": ""}}])
async def test_malformed_cek_requests_are_422_with_the_error_body(speaker: tuple[httpx.AsyncClient, Services],
                                                                 body: dict) -> None:
    assert_error_body(await speaker[0].post("/v1/speaker/clova", json=body), 422)


def alexa(kind: str, session: str = "amzn1.echo-api.session.1", query: str | None = None,
          intent: str = "FreeTalkIntent", timestamp: str | None = None) -> dict[str, Any]:
    request: dict[str, Any] = {"type": kind, "requestId": "amzn1.echo-api.request.1", "locale": "ko-KR",
                               # now, not the import time: a session longer than the allowed clock skew (150 s)
                               # would otherwise send stale requests to the tests that run late
                               "timestamp": timestamp or datetime.now(UTC).isoformat().replace("+00:00", "Z")}
    if kind == "IntentRequest":
        request["intent"] = {"name": intent, "slots": {"query": {"name": "query", "value": query}} if query else {}}
    return {"version": "1.0",
            "session": {"new": kind == "LaunchRequest", "sessionId": session, "attributes": {},
                        "application": {"applicationId": "amzn1.ask.skill.test"}, "user": {"userId": "u"}},
            "context": {}, "request": request}


async def test_alexa_sequence_answers_plain_text_and_keeps_context(
        speaker: tuple[httpx.AsyncClient, Services]) -> None:
    client, services = speaker
    launch = (await client.post("/v1/speaker/alexa", json=alexa("LaunchRequest"))).json()
    assert launch["version"] == "1.0" and launch["response"]["outputSpeech"]["type"] == "PlainText"
    assert launch["response"]["shouldEndSession"] is False and launch["response"]["reprompt"]
    first = (await client.post("/v1/speaker/alexa", json=alexa("IntentRequest", query="내일 서울 날씨 알려줘"))).json()
    await client.post("/v1/speaker/alexa", json=alexa("IntentRequest", query="부산은?"))
    turns = await services.store.turns(first["sessionAttributes"]["conversation_id"])
    assert "내일" in (turns[2].rewrite or "") and "부산" in (turns[2].rewrite or "")
    ended = await client.post("/v1/speaker/alexa", json=alexa("SessionEndedRequest"))
    assert ended.json() == {"version": "1.0", "sessionAttributes": {}, "response": {}}
    stop = (await client.post("/v1/speaker/alexa", json=alexa("IntentRequest", intent="AMAZON.StopIntent"))).json()
    assert stop["response"]["shouldEndSession"] is True


async def test_alexa_ssml_mode_wraps_sentences(api_settings: Settings, components: Components,
                                               database_url: str) -> None:
    settings = settings_with(api_settings, speaker=SpeakerSettings(alexa=AlexaSettings(ssml=True)))
    with services_for(settings, components, database_url) as services:
        transport = httpx.ASGITransport(app=create_app(services=services))
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            body = (await client.post("/v1/speaker/alexa", json=alexa("LaunchRequest"))).json()
    ssml = body["response"]["outputSpeech"]
    assert ssml["type"] == "SSML" and ssml["ssml"].startswith("<speak><s>") and ssml["ssml"].endswith("</s></speak>")


async def test_cek_signature_is_required_and_checked_when_configured(
        api_settings: Settings, components: Components, database_url: str, tmp_path: Path) -> None:
    key = new_key()
    (tmp_path / "clova.pem").write_bytes(public_pem(key))
    settings = settings_with(api_settings, speaker=SpeakerSettings(
        clova=ClovaSettings(public_key_path=tmp_path / "clova.pem")))
    raw = json.dumps(cek("LaunchRequest")).encode()
    headers = {"content-type": "application/json"}
    with services_for(settings, components, database_url) as services:
        transport = httpx.ASGITransport(app=create_app(services=services))
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            assert_error_body(await client.post("/v1/speaker/clova", content=raw, headers=headers), 401)
            bad = {**headers, "SignatureCEK": sign(new_key(), raw)}
            assert_error_body(await client.post("/v1/speaker/clova", content=raw, headers=bad), 401)
            good = {**headers, "SignatureCEK": sign(key, raw)}
            assert (await client.post("/v1/speaker/clova", content=raw, headers=good)).status_code == 200


async def test_alexa_signature_chain_and_timestamp_are_checked_when_configured(
        api_settings: Settings, components: Components, database_url: str, tmp_path: Path) -> None:
    pki = alexa_pki()
    (tmp_path / "roots.pem").write_bytes(pki.root_pem)
    settings = settings_with(api_settings, speaker=SpeakerSettings(alexa=AlexaSettings(
        verify_signature=True, trusted_roots_path=tmp_path / "roots.pem",
        application_ids=["amzn1.ask.skill.test"])))
    url = "https://s3.amazonaws.com/echo.api/echo-api-cert-test.pem"
    with services_for(settings, components, database_url) as services:
        app = create_app(services=services)
        alexa_verifier(app, services).chains.put(url, pki.chain_pem)  # what downloading `url` returns
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            async def post(body: dict[str, Any], signer: Any = pki.leaf_key) -> httpx.Response:
                raw = json.dumps(body).encode()
                return await client.post("/v1/speaker/alexa", content=raw, headers={
                    "content-type": "application/json", "SignatureCertChainUrl": url,
                    "Signature-256": sign(signer, raw)})

            assert (await post(alexa("LaunchRequest"))).status_code == 200
            assert_error_body(await post(alexa("LaunchRequest"), signer=new_key()), 401)
            assert_error_body(await post(alexa("LaunchRequest", timestamp="2020-01-01T00:00:00Z")), 401)
            other_skill = alexa("LaunchRequest")
            other_skill["session"]["application"]["applicationId"] = "amzn1.ask.skill.other"
            assert assert_error_body(await post(other_skill), 401)["code"] == "application_id"


async def test_speaker_surfaces_refuse_unsigned_requests_where_auth_is_required(
        api_settings: Settings, components: Components, database_url: str) -> None:
    settings = settings_with(api_settings, auth=AuthSettings(mode="on"))
    with services_for(settings, components, database_url) as services:
        transport = httpx.ASGITransport(app=create_app(services=services))
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            error = assert_error_body(await client.post("/v1/speaker/clova", json=cek("LaunchRequest")), 401)
            assert error["code"] == "signature_not_configured"
            assert_error_body(await client.post("/v1/speaker/alexa", json=alexa("LaunchRequest")), 401)
