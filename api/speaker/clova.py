"""POST /v1/speaker/clova: a CLOVA Extensions Kit (CEK 0.1.0) custom extension over the turn pipeline.

LaunchRequest -> the persona's greeting; IntentRequest -> one turn (Clova.StopIntent / Clova.CancelIntent end the
session, Clova.GuideIntent speaks the reprompt); SessionEndedRequest -> an empty, closing response. Replies are
`SimpleSpeech` (one sentence) or `SpeechList` (several), PlainText, `lang: ko`, each sentence at most
`speaker.max_sentence_chars` (<= 200); `sessionAttributes` come back with `conversation_id` added.
With `speaker.clova.public_key_path` set, the `SignatureCEK` header is verified over the raw body first.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Header, Request

from api.auth import app_cache
from api.deps import ServicesDep
from api.errors import ERROR_RESPONSES, ErrorBody
from api.speaker.schemas import CekRequest, SpeakerResponse
from api.speaker.signatures import ClovaVerifier
from api.speaker.turns import Spoken, answer_request, require_platform_auth, say
from api.vocabulary import cancel_on_disconnect
from assistant.keys import Unauthorized
from assistant.services import Services

router = APIRouter(tags=["speaker"])
STOP_INTENTS = {"Clova.StopIntent", "Clova.CancelIntent"}
GUIDE_INTENTS = {"Clova.GuideIntent"}
_RESPONSES = {**ERROR_RESPONSES, 401: {"model": ErrorBody, "description": "Bad or missing SignatureCEK"}}


def _speech(sentences: list[str]) -> dict[str, Any]:
    values = [{"type": "PlainText", "lang": "ko", "value": s} for s in sentences]
    if len(values) == 1:
        return {"type": "SimpleSpeech", "values": values[0]}
    return {"type": "SpeechList", "values": values}


def cek_response(spoken: Spoken | None, attributes: dict[str, Any], services: Services) -> dict[str, Any]:
    response: dict[str, Any] = {"card": {}, "directives": [], "shouldEndSession": True, "outputSpeech": {}}
    if spoken is not None and spoken.sentences:
        response["outputSpeech"] = _speech(spoken.sentences)
        response["shouldEndSession"] = spoken.end_session
        if not spoken.end_session:
            response["reprompt"] = {"outputSpeech": _speech(say(services.settings.speaker.reprompt,
                                                                services.settings.speaker))}
    return {"version": "0.1.0", "sessionAttributes": attributes, "response": response}


def _verifier(request: Request, services: Services) -> ClovaVerifier | None:
    path = services.settings.speaker.clova.public_key_path
    if path is None:
        return None
    cache: dict[str, ClovaVerifier] = app_cache(request.app.state, "clova_verifiers")
    if str(path) not in cache:
        cache[str(path)] = ClovaVerifier.from_file(path)
    return cache[str(path)]


@router.post("/v1/speaker/clova", response_model=SpeakerResponse, responses=_RESPONSES)
async def clova(
    body: CekRequest, request: Request, services: ServicesDep,
    signature: str | None = Header(None, alias="SignatureCEK", max_length=2048),
) -> Any:
    verifier = _verifier(request, services)
    if verifier is not None:
        verifier.verify(await request.body(), signature)
    else:
        require_platform_auth(services, "speaker.clova.public_key_path")
    allowed = services.settings.speaker.clova.application_ids
    app_id = body.context.System.application.applicationId if (
        body.context and body.context.System and body.context.System.application) else None
    if allowed and app_id not in allowed:
        raise Unauthorized(f"extension id {app_id!r} is not accepted", code="application_id")
    attributes = dict(body.session.sessionAttributes or {})
    kind = body.request.type
    turn = answer_request(services, "clova", kind, body.request.intent, body.session.sessionId,
                          stop_intents=STOP_INTENTS, help_intents=GUIDE_INTENTS,
                          request_id=request.scope.get("state", {}).get("request_id"), attributes=attributes)
    spoken = await cancel_on_disconnect(request, turn)
    return cek_response(spoken, attributes, services)
