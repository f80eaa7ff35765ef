"""What every HTTP surface shares: id patterns, the message checks and the client-disconnect policy.

Contract:
- Ids (README, "Ids"): a persona id is 1-64 lowercase letters, digits, `_` or `-`; a conversation id 1-128 letters,
  digits, `_ . : @ -` (clients choose them, e.g. `user@example.com:2`); a stored response's id 1-128 letters,
  digits, `_ . : # -`; a response set and a model endpoint or version are plain names. All start with a letter or a
  digit. The configured bound on conversation ids (`limits.max_id_chars`) is `check_conversation_id`.
- `check_message(text, settings, param, what)`: a turn's text that is blank is 422 `empty_message`, one over
  `limits.max_message_chars` is 422 `message_too_long`, naming `param`.
- `cancel_on_disconnect(request, work)`: a turn whose client goes away is cancelled, so its conversation lock and
  generation slot free at once (a streamed turn is closed by its response instead).
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any, TypeVar

from fastapi import Request

from assistant.errors import InvalidInput
from assistant.exports import PERSONA_ID_PATTERN
from assistant.routing.settings import NAME_PATTERN
from assistant.settings import Settings

T = TypeVar("T")

PERSONA_ID_MAX_CHARS = 64
CONVERSATION_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.:@-]*$"
CONVERSATION_ID_MAX_CHARS = 128
RECORD_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.:#-]{0,127}$"
SET_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$"
ROUTING_NAME_PATTERN = NAME_PATTERN
FALLBACK_HEADER = ("`off`: a turn that needs an LM when none can answer is a 503 (strict clients), not the persona's "
                   "fallback reply (`personas.fallback`)")

__all__ = [
    "CONVERSATION_ID_MAX_CHARS", "CONVERSATION_ID_PATTERN", "FALLBACK_HEADER", "PERSONA_ID_MAX_CHARS",
    "PERSONA_ID_PATTERN", "RECORD_ID_PATTERN", "ROUTING_NAME_PATTERN", "SET_PATTERN", "cancel_on_disconnect",
    "check_conversation_id", "check_message",
]


def check_message(text: str, settings: Settings, param: str = "message", what: str = "message") -> None:
    limit = settings.limits.max_message_chars
    if not text.strip():
        raise InvalidInput(f"{what} is empty", param=param, code="empty_message")
    if len(text) > limit:
        raise InvalidInput(f"{what} has {len(text)} characters; the limit is {limit}", param=param,
                           code="message_too_long")


def check_conversation_id(conversation_id: str | None, settings: Settings, param: str = "conversation_id") -> None:
    """A client-chosen conversation id within `limits.max_id_chars` (the schemas allow at most 128)."""
    limit = settings.limits.max_id_chars
    if conversation_id is not None and len(conversation_id) > limit:
        raise InvalidInput(f"{param} has {len(conversation_id)} characters; the limit is {limit}", param=param,
                           code="id_too_long")


async def cancel_on_disconnect(request: Request, work: Coroutine[Any, Any, T]) -> T:
    """Run `work`, cancelling it when the client goes away (a generation slot is then freed at once)."""
    task = asyncio.ensure_future(work)

    async def watch() -> None:
        while True:
            message = await request.receive()
            if message["type"] == "http.disconnect":
                task.cancel()
                return

    watcher = asyncio.ensure_future(watch())
    try:
        return await task
    finally:
        watcher.cancel()
