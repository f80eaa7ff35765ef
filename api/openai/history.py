"""The OpenAI surface's messages as one turn: instructions, the history, the user's message and a prefill.

Contract (README, "Client-held history"; docs/openai.md):
- system/developer messages, merged in order, are the operator's instructions; user/assistant messages are the
  conversation. The last user message is the turn; an assistant message after it is a prefill that the reply
  continues (SillyTavern's "continue"); earlier user/assistant messages are the history. A `tool`/`function`
  message or an assistant `tool_calls` is refused (400 `unsupported_parameter`): no tools here.
- Client-held (no `X-Conversation-Id`): the client's history IS the history (context injection and the prompt read
  it; the dialogue state is rebuilt from it), so edits, deletions and swipes are always what the model sees. The
  exchange is stored in the conversation keyed by a hash of everything the reply depends on: the API key, the
  model, `user` and every message up to and including the turn (`node_id`). A resend or swipe of the same messages
  is the same conversation: its user message is kept once and each new reply is added after it (nothing is
  duplicated, no earlier reply is lost); an edit anywhere is another key, so the old branch stays as it was. The
  conversation id comes back in `X-Conversation-Id`.
- Server-held (`X-Conversation-Id`): the stored conversation is the history, so the request carries only the new
  turn (system messages and a prefill allowed); earlier user/assistant messages are refused (400
  `history_with_conversation_id`) rather than ignored.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from api.openai.params import unsupported
from api.openai.schemas import ChatMessage
from assistant.errors import BadRequest

CONVERSATIONAL = ("user", "assistant")


@dataclass(frozen=True)
class ClientTurn:
    instructions: str
    history: tuple[tuple[str, str], ...]
    message: str
    prefill: str


def split_messages(messages: list[ChatMessage]) -> ClientTurn:
    for i, m in enumerate(messages):
        if m.role in ("tool", "function"):
            raise unsupported(f"messages[{i}].role", f"{m.role} messages need tools, which this server does not serve")
        if m.tool_calls:
            raise unsupported(f"messages[{i}].tool_calls", "this server does not serve tools")
    conversation = [(m.role, m.text()) for m in messages if m.role in CONVERSATIONAL]
    prefill = ""
    if conversation and conversation[-1][0] == "assistant":
        prefill = conversation.pop()[1]
    if not conversation or conversation[-1][0] != "user":
        raise BadRequest("the messages need a user message: the last one (before an assistant prefill) is the turn",
                         param="messages", code="last_message_not_user")
    instructions = "\n\n".join(t for m in messages if m.role in ("system", "developer") and (t := m.text().strip()))
    return ClientTurn(instructions, tuple(conversation[:-1]), conversation[-1][1], prefill)


def node_id(owner: str | None, model: str, user: str | None, messages: list[ChatMessage]) -> str:
    """The client-held conversation of these messages (up to the turn: a prefill is not part of the key)."""
    shown = [(m.role, m.name or "", m.text()) for m in messages]
    while shown and shown[-1][0] == "assistant":
        shown.pop()
    key = json.dumps([owner or "", model, user or "", shown], ensure_ascii=False)
    return "oai-" + hashlib.blake2b(key.encode(), digest_size=16).hexdigest()


def refuse_history_with_id(turn: ClientTurn) -> None:
    if turn.history:
        raise BadRequest("X-Conversation-Id names a stored conversation, which is the history: send only the new "
                         "user message (and system messages), or leave the header out to send the history yourself",
                         param="messages", code="history_with_conversation_id")
