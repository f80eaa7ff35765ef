"""Schemas of the OpenAI-compatible surface (Chat Completions and Models), bounded and documented.

The request models declare the fields this server honours, validated strictly; any other field lands in the
model's extras and is judged by `api.openai.params` (accepted at its no-op value, else a 400 naming it), so nothing
a client sends is dropped silently.
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
    tool_calls: list[dict[str, Any]] | None = Field(None, description="Refused when not empty: no tools here.")

    def text(self) -> str:
        if self.content is None:
            return ""
        if isinstance(self.content, str):
            return self.content
        return "".join(p.text for p in self.content if isinstance(p, TextPart))


class StreamOptions(BaseModel):
    model_config = ConfigDict(extra="ignore")
    include_usage: bool = False


class JsonSchemaFormat(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field("response", min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")
    description: str | None = Field(None, max_length=2000)
    schema_: dict[str, Any] = Field(default_factory=dict, alias="schema")
    strict: bool | None = None


class ResponseFormatField(BaseModel):
    model_config = ConfigDict(extra="forbid")
    type: Literal["text", "json_object", "json_schema"]
    json_schema: JsonSchemaFormat | None = None


class ChatCompletionRequest(BaseModel):
    model_config = ConfigDict(extra="allow")

    model: str = Field(min_length=1, max_length=64, description="Persona id (GET /v1/models lists them).")
    messages: list[ChatMessage] = Field(
        min_length=1, max_length=1000,
        description="The last user message is the turn; earlier user/assistant messages are the history (client-held "
                    "unless X-Conversation-Id names a stored conversation); a last assistant message is a prefill "
                    "that the reply continues.",
    )
    stream: bool = False
    stream_options: StreamOptions | None = None
    max_tokens: int | None = Field(None, ge=1, le=32_768, description="Capped by limits.max_new_tokens.")
    max_completion_tokens: int | None = Field(None, ge=1, le=32_768, description="Same as max_tokens.")
    temperature: float | None = Field(None, ge=0.0, le=2.0)
    top_p: float | None = Field(None, gt=0.0, le=1.0)
    stop: StopText | Annotated[list[StopText], Field(max_length=4)] | None = Field(
        None, description="Up to 4 stop sequences.")
    seed: int | None = Field(None, ge=-(2**63), le=2**63 - 1,
                             description="Sampling seed: the same request and seed give the same reply.")
    response_format: ResponseFormatField | None = Field(
        None, description="json_object / json_schema: the reply is validated (and regenerated) until it is one JSON "
                          "object (matching the schema); such a turn always generates.")
    user: str | None = Field(
        None, min_length=1, max_length=256,
        description="End-user id: recorded, and part of the client-held conversation's key (never shared between "
                    "users).",
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
    source: Literal["retrieve", "generate", "fallback"]
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
