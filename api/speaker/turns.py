"""What both speaker surfaces share: session -> conversation, intent -> utterance, a turn -> spoken sentences.

A speaker session is one conversation (`<platform>-<session id>`), so context injection works across spoken
turns ("내일 서울 날씨 알려줘" then "부산은?"). The utterance is the first non-empty free-text slot named in
`speaker.utterance_slots`, else the slot values in order. Capacity and model errors become a spoken apology
(a speaker cannot show an error body); input errors stay HTTP errors. `answer_request` is the request-type and
intent dispatch both platforms use (launch, stop, help, any other intent as a turn).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from api.speaker.schemas import Intent
from api.speaker.speech import to_speech
from assistant.errors import Busy, NotFound, Timeout, Unavailable
from assistant.keys import Unauthorized, auth_required
from assistant.keys.settings import SpeakerSettings
from assistant.pipeline import TurnRequest
from assistant.services import Services

_SAFE = re.compile(r"[^A-Za-z0-9_.:@-]")


@dataclass
class Spoken:
    sentences: list[str]
    end_session: bool
    conversation_id: str | None = None
    source: str | None = None


def conversation_id(platform: str, session_id: str) -> str:
    safe = _SAFE.sub("-", session_id)
    if safe != session_id or len(safe) > 100:
        safe = hashlib.blake2b(session_id.encode(), digest_size=16).hexdigest()
    return f"{platform}-{safe}"


def require_platform_auth(services: Services, setting: str) -> None:
    """Speaker platforms cannot send our API keys: where auth is required, their signature check must be on."""
    settings = services.settings
    if auth_required(settings.auth, settings.server.host):
        raise Unauthorized(f"auth is required here and this speaker surface checks no signature; configure {setting}",
                           code="signature_not_configured")


def utterance(intent: Intent, settings: SpeakerSettings) -> str:
    slots = intent.slots or {}
    for name in settings.utterance_slots:
        slot = slots.get(name)
        if slot is not None and slot.value and slot.value.strip():
            return slot.value.strip()
    return " ".join(s.value.strip() for s in slots.values() if s.value and s.value.strip())


def say(text: str, settings: SpeakerSettings) -> list[str]:
    return to_speech(text, settings)


def greeting(services: Services) -> Spoken:
    settings = services.settings.speaker
    persona_id = settings.persona or services.personas.default_id
    persona = services.find_persona(persona_id)
    if persona is None:
        raise NotFound(f"speaker.persona {persona_id!r} not found", param="persona")
    return Spoken(say(persona.greeting, settings), end_session=False)


async def spoken_turn(services: Services, platform: str, session_id: str, text: str,
                      request_id: str | None) -> Spoken:
    settings = services.settings.speaker
    if not text:
        return Spoken(say(settings.not_understood, settings), end_session=False)
    cid = conversation_id(platform, session_id) if session_id else None
    text = text[: services.settings.limits.max_message_chars]
    try:
        result = await services.pipeline.run(
            # strict=False: a speaker must say something, so the persona's fallback reply is used whatever the setting
            TurnRequest(message=text, conversation_id=cid, persona=settings.persona, request_id=request_id,
                        strict=False))
    except (Busy, Unavailable, Timeout):
        return Spoken(say(settings.unavailable, settings), end_session=False, conversation_id=cid)
    sentences = say(result.reply, settings) or say(settings.not_understood, settings)
    return Spoken(sentences, end_session=False, conversation_id=cid, source=result.source)


def stop(services: Services) -> Spoken:
    settings = services.settings.speaker
    return Spoken(say(settings.goodbye, settings), end_session=True)


async def answer_request(services: Services, platform: str, kind: str, intent: Intent | None, session_id: str,
                         *, stop_intents: set[str], help_intents: set[str], request_id: str | None,
                         attributes: dict) -> Spoken | None:
    """One platform request as speech: launch greets, stop/help intents answer from settings, any other intent
    is a turn (its conversation id saved in the session `attributes`); None for request types we do not answer."""
    if kind == "LaunchRequest":
        return greeting(services)
    if kind != "IntentRequest" or intent is None:
        return None
    if intent.name in stop_intents:
        return stop(services)
    settings = services.settings.speaker
    if intent.name in help_intents:
        return Spoken(say(settings.reprompt, settings), end_session=False)
    spoken = await spoken_turn(services, platform, session_id, utterance(intent, settings), request_id)
    if spoken.conversation_id:
        attributes["conversation_id"] = spoken.conversation_id
    return spoken
