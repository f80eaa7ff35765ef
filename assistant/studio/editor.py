"""The studio's persona editor: validation with the loader's own errors, the token budget meter, and versions.

Contract:
- `check(yaml_text | document, persona_id)` parses and validates exactly as a persona file is loaded
  (`personas.loader`), so the editor shows the loader's message, 1-based line and dotted field; it never writes.
  It returns both views of the persona (the document for the form, canonical YAML for the raw view).
- `budget(persona, generator, max_new_tokens_cap, defaults)` is what the prompt control unit
  (`personas.render_prompt`) will do with this persona on a first turn: the budget (the LM's context window less the
  reply's tokens, from the persona over the server's decoding `defaults`), the tokens of the system prompt, of each
  example dialogue and lorebook entry, and which example dialogues it would trim.
- Versions are the registry's: every save archives the previous file under `.history/<id>/` beside the persona
  files; `diff` compares two stored versions as YAML, `revert` saves an old version as a new one.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from typing import Any, Protocol

import yaml

from assistant.decoding import decoding
from assistant.pipeline.request import TEMPLATE_TOKENS_PER_MESSAGE
from generation.config import DecodingDefaults
from personas import Persona, PersonaError, PersonaRegistry, PromptError, dump_persona_yaml, render_prompt
from personas.loader import parse_persona_text, validate_document
from personas.prompt import system_prompt

SAMPLE_MESSAGE = "안녕하세요"


def error_view(exc: PersonaError) -> dict[str, Any]:
    return {"message": exc.problem, "line": exc.line, "field": exc.field, "text": str(exc)}


def check(persona_id: str, *, yaml_text: str | None = None,
          document: Mapping[str, Any] | None = None) -> tuple[Persona | None, dict[str, Any]]:
    """Validate one of the two views; the result holds `valid`, `error`, `document` and `yaml`."""
    file = f"{persona_id}.yaml"
    raw: Any = None
    try:
        if yaml_text is not None:
            try:
                raw = yaml.safe_load(yaml_text)
            except yaml.YAMLError:
                raw = None
            persona = parse_persona_text(yaml_text, file=file, file_id=persona_id)
        else:
            raw = dict(document or {})
            raw.setdefault("id", persona_id)
            persona = validate_document(raw, file=file, file_id=persona_id)
    except PersonaError as exc:
        text = yaml_text if yaml_text is not None else _dump_raw(raw)
        return None, {"valid": False, "error": error_view(exc),
                      "document": raw if isinstance(raw, dict) else None, "yaml": text}
    return persona, {"valid": True, "error": None, "document": persona.document(), "yaml": dump_persona_yaml(persona)}


def _dump_raw(raw: Any) -> str:
    return yaml.safe_dump(raw, allow_unicode=True, sort_keys=False, width=1_000_000) if raw else ""


class TokenCounting(Protocol):
    """What the budget meter reads of a generator: its window and its token count (real, or estimated)."""

    @property
    def context_window(self) -> int: ...

    def count_tokens(self, text: str) -> int: ...


def budget(persona: Persona, generator: TokenCounting, max_new_tokens_cap: int,
           defaults: DecodingDefaults) -> dict[str, Any]:
    """The prompt control unit's view of a first turn with this persona (see the module contract)."""
    max_new = min(decoding(persona, defaults).max_new_tokens, max_new_tokens_cap)
    window = generator.context_window
    limit = max(window - max_new, 64)

    def cost(text: str) -> int:
        return generator.count_tokens(text) + TEMPLATE_TOKENS_PER_MESSAGE

    system = cost(system_prompt(persona, user_name="사용자"))
    examples = [sum(cost(t.text) for t in dialogue) for dialogue in persona.examples]
    book = persona.character_book
    lore = [generator.count_tokens(e.content) for e in (book.entries if book else ())]
    kept = len(examples)
    error = None
    try:
        messages = render_prompt(persona, [], SAMPLE_MESSAGE, SAMPLE_MESSAGE, [], limit, generator.count_tokens,
                                 message_overhead_tokens=TEMPLATE_TOKENS_PER_MESSAGE)
        kept = _kept_examples(persona, len(messages) - 2)
    except PromptError as exc:
        kept, error = 0, str(exc)
    message = cost(SAMPLE_MESSAGE)
    used = system + sum(examples[:kept]) + message
    return {
        "context_window": window, "max_new_tokens": max_new, "budget": limit, "system": system,
        "examples": [{"index": i, "tokens": t, "kept": i < kept} for i, t in enumerate(examples)],
        "lore": lore, "message": message, "used": used, "trimmed_examples": len(examples) - kept,
        "fits": error is None, "error": error,
    }


def _kept_examples(persona: Persona, example_turns: int) -> int:
    """How many leading example dialogues fill `example_turns` messages (the control unit trims from the end)."""
    seen = 0
    for index, dialogue in enumerate(persona.examples):
        if seen + len(dialogue) > example_turns:
            return index
        seen += len(dialogue)
    return len(persona.examples)


def versions(registry: PersonaRegistry, persona_id: str) -> list[dict[str, Any]]:
    current = registry.get(persona_id)
    return [{"version": v, "current": v == current.version} for v in registry.versions(persona_id)]


def diff(registry: PersonaRegistry, persona_id: str, old: int, new: int) -> str:
    """Unified diff of two stored versions' YAML (the `version` line left out)."""
    a, b = (_yaml_lines(registry.get_version(persona_id, v)) for v in (old, new))
    return "".join(difflib.unified_diff(a, b, fromfile=f"v{old}", tofile=f"v{new}"))


def _yaml_lines(persona: Persona) -> list[str]:
    return [line for line in dump_persona_yaml(persona).splitlines(keepends=True) if not line.startswith("version:")]


def revert(registry: PersonaRegistry, persona_id: str, version: int) -> Persona:
    """Save stored version `version` as the persona's next version."""
    return registry.put(persona_id, registry.get_version(persona_id, version).document())
