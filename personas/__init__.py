"""Personas: persona files and Character Cards, the registry that serves them, and the prompt control unit.

Public surface used by the composition root: `PersonaRegistry` (load, validate, hot reload, versioned writes),
`Persona` (the validated schema), `render_prompt` (persona + conversation -> chat messages within a
token budget), card import/export helpers, and the package's exceptions. `PersonasConfig` is its settings.
This package imports only `korean` of the project. Exports other than the config load on first use
(`korean.exports`), so reading settings does not load Kiwi or faiss.
"""

from typing import TYPE_CHECKING

from korean.exports import lazy_exports
from personas.config import PersonasConfig

if TYPE_CHECKING:
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

__getattr__ = lazy_exports(__name__, {
    "SPEECH_LEVELS": "korean.speech",
    "card_png": "personas.cards",
    "card_to_persona": "personas.cards",
    "persona_to_card": "personas.cards",
    "read_card": "personas.cards",
    "CardError": "personas.errors",
    "PersonaConflict": "personas.errors",
    "PersonaError": "personas.errors",
    "PersonaNotFound": "personas.errors",
    "PersonaTooLarge": "personas.errors",
    "PromptBudgetError": "personas.errors",
    "PromptError": "personas.errors",
    "dump_persona_yaml": "personas.loader",
    "load_persona_file": "personas.loader",
    "private_parts": "personas.prompt",
    "render_prompt": "personas.prompt",
    "system_prompt": "personas.prompt",
    "PersonaRegistry": "personas.registry",
    "PERSONA_ID_PATTERN": "personas.schema",
    "Persona": "personas.schema",
})

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
    "PersonasConfig",
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
