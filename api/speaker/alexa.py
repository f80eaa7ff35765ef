"""POST /v1/speaker/alexa: an Alexa Skills Kit (ASK 1.0) custom skill over the turn pipeline.

LaunchRequest -> greeting; IntentRequest -> one turn (AMAZON.StopIntent / AMAZON.CancelIntent end the session,
AMAZON.HelpIntent speaks the reprompt); SessionEndedRequest -> an empty response (ASK allows no speech there).
Speech is PlainText, or SSML (`<speak><s>..</s></speak>`) with `speaker.alexa.ssml`. With
`speaker.alexa.verify_signature`, the certificate chain, the body signature and the timestamp are checked first.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, FastAPI, Header, Request

from api.auth import app_cache
from api.deps import ServicesDep
from api.errors import ERROR_RESPONSES, ErrorBody
from api.speaker.schemas import AlexaRequest, SpeakerResponse
from api.speaker.signatures import AlexaVerifier
from api.speaker.speech import to_ssml
from api.speaker.turns import Spoken, answer_request, require_platform_auth, say
from api.vocabulary import cancel_on_disconnect
from assistant.keys import Unauthorized
from assistant.services import Services

router = APIRouter(tags=["speaker"])
STOP_INTENTS = {"AMAZON.StopIntent", "AMAZON.CancelIntent"}
HELP_INTENTS = {"AMAZON.HelpIntent"}
_RESPONSES = {**ERROR_RESPONSES, 401: {
    "model": ErrorBody,
    "description": "Bad or missing request signature, or its certificate chain could not be fetched "
                   "(code signature_cert_timeout or signature_cert_fetch)"}}


def _speech(sentences: list[str], ssml: bool) -> dict[str, Any]:
    if ssml:
        return {"type": "SSML", "ssml": to_ssml(sentences)}
    return {"type": "PlainText", "text": " ".join(sentences)}


def alexa_response(spoken: Spoken | None, attributes: dict[str, Any], services: Services) -> dict[str, Any]:
    ssml = services.settings.speaker.alexa.ssml
    response: dict[str, Any] = {}
    if spoken is not None and spoken.sentences:
        response = {"outputSpeech": _speech(spoken.sentences, ssml), "shouldEndSession": spoken.end_session}
        if not spoken.end_session:
            reprompt = say(services.settings.speaker.reprompt, services.settings.speaker)
            response["reprompt"] = {"outputSpeech": _speech(reprompt, ssml)}
    return {"version": "1.0", "sessionAttributes": attributes, "response": response}


def alexa_verifier(app: FastAPI, services: Services) -> AlexaVerifier:
    """One verifier (and certificate-chain cache) per app and settings."""
    alexa = services.settings.speaker.alexa
    cache: dict[str, AlexaVerifier] = app_cache(app.state, "alexa_verifiers")
    key = alexa.model_dump_json(include={"trusted_roots_path", "max_clock_skew_s", "cert_fetch_timeout_s",
                                         "cert_cache_entries"})
    if key not in cache:
        cache[key] = AlexaVerifier.from_settings(alexa)
    return cache[key]


@router.post("/v1/speaker/alexa", response_model=SpeakerResponse, responses=_RESPONSES)
async def alexa(
    body: AlexaRequest, request: Request, services: ServicesDep,
    cert_url: str | None = Header(None, alias="SignatureCertChainUrl", max_length=2048),
    signature_256: str | None = Header(None, alias="Signature-256", max_length=4096),
    signature: str | None = Header(None, alias="Signature", max_length=4096),
) -> Any:
    settings = services.settings.speaker
    if settings.alexa.verify_signature:
        await alexa_verifier(request.app, services).verify(await request.body(), cert_url, signature_256, signature,
                                                           body.request.timestamp)
    else:
        require_platform_auth(services, "speaker.alexa.verify_signature")
    app_id = body.session.application.applicationId if body.session and body.session.application else None
    if settings.alexa.application_ids and app_id not in settings.alexa.application_ids:
        raise Unauthorized(f"skill id {app_id!r} is not accepted", code="application_id")
    attributes = dict(body.session.attributes or {}) if body.session else {}
    session_id = body.session.sessionId if body.session else (body.request.requestId or "")
    kind = body.request.type
    turn = answer_request(services, "alexa", kind, body.request.intent, session_id,
                          stop_intents=STOP_INTENTS, help_intents=HELP_INTENTS,
                          request_id=request.scope.get("state", {}).get("request_id"), attributes=attributes)
    spoken = await cancel_on_disconnect(request, turn)
    return alexa_response(spoken, attributes, services)
