"""Personas: persona files and Character Cards, the registry that serves them, and the prompt control unit.

Public surface used by the composition root: `PersonaRegistry` (load, validate, hot reload, versioned writes),
`Persona` (the validated schema), `render_prompt` (persona + conversation -> chat messages within a
token budget), card import/export helpers, and the package's exceptions. This package imports no other project package.
"""

from korean.speech import SPEECH_LEVELS
from personas.cards import card_png, card_to_persona, persona_to_card, read_card
from personas.errors import (
    CardError,
    PersonaConflict,
    PersonaError,
    PersonaNotFound,
    PersonaTooLarge,
    PromptBudgetError,
    PromptError,
)
from personas.loader import dump_persona_yaml, load_persona_file
from personas.prompt import private_parts, render_prompt, system_prompt
from personas.registry import PersonaRegistry
from personas.schema import PERSONA_ID_PATTERN, Persona

__all__ = [
    "PERSONA_ID_PATTERN",
    "SPEECH_LEVELS",
    "CardError",
    "Persona",
    "PersonaConflict",
    "PersonaError",
    "PersonaNotFound",
    "PersonaRegistry",
    "PersonaTooLarge",
    "PromptBudgetError",
    "PromptError",
    "card_png",
    "card_to_persona",
    "dump_persona_yaml",
    "load_persona_file",
    "persona_to_card",
    "private_parts",
    "read_card",
    "render_prompt",
    "system_prompt",
]
