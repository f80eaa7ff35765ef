"""Schemas of the OpenAI-compatible surface (Chat Completions and Models), bounded and documented.

Fields frontends send that this server does not use (presence_penalty, seed, logit_bias, ...) are accepted and
ignored, as OpenAI-compatible servers do; the fields it does use are validated strictly.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

StopText = Annotated[str, Field(min_length=1, max_length=200)]


class TextPart(BaseModel):
    model_config = ConfigDict(extra="ignore")
    type: Literal["text"]
    text: str = Field(max_length=100_000)


class OtherPart(BaseModel):
    """A non-text content part (image, audio, ...): accepted, not read."""

    model_config = ConfigDict(extra="allow")
    type: Literal["image_url", "input_audio", "file", "refusal"]


class ChatMessage(BaseModel):
    model_config = ConfigDict(extra="ignore")
    role: Literal["system", "developer", "user", "assistant", "tool", "function"]
    content: str | list[TextPart | OtherPart] | None = Field(None, max_length=100_000)
    name: str | None = Field(None, max_length=128)

    def text(self) -> str:
        if self.content is None:
            return ""
        if isinstance(self.content, str):
            return self.content
        return "".join(p.text for p in self.content if isinstance(p, TextPart))


class StreamOptions(BaseModel):
    model_config = ConfigDict(extra="ignore")
    include_usage: bool = False


class ChatCompletionRequest(BaseModel):
    model_config = ConfigDict(extra="ignore")

    model: str = Field(min_length=1, max_length=64, description="Persona id (GET /v1/models lists them).")
    messages: list[ChatMessage] = Field(
        min_length=1, max_length=1000,
        description="The last message must be the user's: it is the turn. Earlier messages are the client's own "
                    "copy of the history; the stored conversation is what the assistant remembers.",
    )
    stream: bool = False
    stream_options: StreamOptions | None = None
    max_tokens: int | None = Field(None, ge=1, le=32_768, description="Capped by limits.max_new_tokens.")
    max_completion_tokens: int | None = Field(None, ge=1, le=32_768, description="Same as max_tokens.")
    temperature: float | None = Field(None, ge=0.0, le=2.0)
    top_p: float | None = Field(None, gt=0.0, le=1.0)
    stop: StopText | Annotated[list[StopText], Field(max_length=4)] | None = Field(
        None, description="Up to 4 stop sequences.")
    n: int = Field(1, ge=1, le=1, description="Only one choice is produced.")
    user: str | None = Field(
        None, min_length=1, max_length=256,
        description="Stable end-user id: maps to one stored conversation per (API key, persona, user).",
    )

    def stop_list(self) -> list[str] | None:
        if self.stop is None:
            return None
        return [self.stop] if isinstance(self.stop, str) else list(self.stop)


class ResponseMessage(BaseModel):
    role: Literal["assistant"] = "assistant"
    content: str


class Choice(BaseModel):
    index: int = 0
    message: ResponseMessage
    finish_reason: Literal["stop", "length", "content_filter"]
    logprobs: None = None


class Usage(BaseModel):
    prompt_tokens: int
    completion_tokens: int
    total_tokens: int


class AssistantTrace(BaseModel):
    """Extension: what the pipeline did (same as the native chat response)."""

    conversation_id: str
    turn_index: int
    source: Literal["retrieve", "generate"]
    rewrite: dict[str, Any]
    selection: dict[str, Any]


class ChatCompletion(BaseModel):
    id: str
    object: Literal["chat.completion"] = "chat.completion"
    created: int
    model: str
    choices: list[Choice]
    usage: Usage
    system_fingerprint: str | None = None
    assistant: AssistantTrace


class ModelCard(BaseModel):
    id: str
    object: Literal["model"] = "model"
    created: int
    owned_by: str = "assistant"
    name: str | None = None
    description: str | None = None


class ModelList(BaseModel):
    object: Literal["list"] = "list"
    data: list[ModelCard]
