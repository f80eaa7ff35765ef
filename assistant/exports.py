"""The leaf names that HTTP surfaces may use, re-exported so that `api` imports no leaf package.

Contract: `api` reaches the leaves only through `assistant` (import-linter's forbidden contract in pyproject.toml):
`Services` methods for behaviour, `assistant.errors` for failures, and this module for the few leaf types and
constants a surface names itself (type annotations, id patterns, card encoding). Adding a name here is a decision
that HTTP may depend on it; behaviour belongs on `Services` instead.
"""

from typing import Any

from generation.structured import ResponseFormat
from personas import PERSONA_ID_PATTERN, Persona, PersonaRegistry, card_png, persona_to_card
from retrieval import ResponseRecord

__all__ = ["PERSONA_ID_PATTERN", "Persona", "PersonaRegistry", "ResponseRecord", "card_png", "persona_to_card",
           "response_format_for"]


def response_format_for(kind: str, schema: dict[str, Any] | None, name: str) -> ResponseFormat:
    """An OpenAI `response_format` as the generator's (an invalid JSON Schema is refused, naming it)."""
    if kind == "json_schema":
        return ResponseFormat.json_schema(schema or {}, name)
    return ResponseFormat.json_object()
