"""Structured replies (OpenAI `response_format`): JSON objects, optionally matching a JSON Schema.

Contract: `ResponseFormat.json_object()` asks for one JSON object; `ResponseFormat.json_schema(schema, name)` for one
that validates against `schema` (JSON Schema, checked with `jsonschema`; an invalid schema is refused when the format
is built, `InvalidGenerationRequest` naming `response_format.json_schema.schema`). No backend here constrains its
decoding, so the generator asks in the prompt (`instruction`), validates the reply (`problem`: None when it is valid)
and regenerates with the problem named (`correction`), at most `max_regenerations` times; a reply still invalid then
fails the request (`ResponseFormatFailed`), unless it was cut by the token limit (OpenAI's contract: a `length`
finish may carry partial JSON). A code fence around the JSON (```json ... ```) is removed, nothing else.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any, Literal

from generation.errors import GenerationError, InvalidGenerationRequest

_FENCE = re.compile(r"^\s*```(?:json)?\s*\n(.*?)\n?```\s*$", re.DOTALL)


class ResponseFormatFailed(GenerationError):
    """The model's reply was not valid JSON (for the schema) after every regeneration."""


@dataclass(frozen=True)
class ResponseFormat:
    kind: Literal["json_object", "json_schema"]
    schema: dict[str, Any] | None = None
    name: str = "response"
    _validator: Any = field(default=None, compare=False, repr=False)

    @classmethod
    def json_object(cls) -> ResponseFormat:
        return cls("json_object")

    @classmethod
    def json_schema(cls, schema: dict[str, Any], name: str = "response") -> ResponseFormat:
        from jsonschema import Draft202012Validator
        from jsonschema.exceptions import SchemaError

        try:
            Draft202012Validator.check_schema(schema)
        except SchemaError as exc:
            raise InvalidGenerationRequest(f"response_format.json_schema.schema is not a JSON Schema: {exc.message}",
                                           param="response_format.json_schema.schema") from None
        return cls("json_schema", schema, name, Draft202012Validator(schema))

    def instruction(self) -> str:
        if self.schema is None:
            return "Answer with one JSON object only: no text before or after it, no code fence."
        return ("Answer with one JSON object only (no text before or after it, no code fence) that validates "
                f"against this JSON Schema named {self.name!r}: {json.dumps(self.schema, ensure_ascii=False)}")

    def unwrap(self, text: str) -> str:
        fenced = _FENCE.match(text)
        return fenced.group(1).strip() if fenced else text.strip()

    def problem(self, text: str) -> str | None:
        """None when `text` is what the format asks for; else what is wrong with it."""
        try:
            value = json.loads(self.unwrap(text))
        except json.JSONDecodeError as exc:
            return f"not valid JSON ({exc.msg} at line {exc.lineno} column {exc.colno})"
        if not isinstance(value, dict):
            return f"a JSON {type(value).__name__}, not an object"
        if self._validator is not None:
            error = next(iter(self._validator.iter_errors(value)), None)
            if error is not None:
                where = "/".join(str(p) for p in error.absolute_path) or "(root)"
                return f"does not match the schema at {where}: {error.message}"
        return None

    def correction(self, problem: str) -> str:
        return f"Your previous answer was {problem}. {self.instruction()}"


def with_instruction(messages: list[dict[str, str]], text: str) -> list[dict[str, str]]:
    """`messages` with `text` added to the system message (a system message first, as every chat template allows)."""
    if messages and messages[0]["role"] == "system":
        return [{**messages[0], "content": f"{messages[0]['content']}\n\n{text}"}, *messages[1:]]
    return [{"role": "system", "content": text}, *messages]
