"""The decoding settings of one persona's turn: the persona's own `generation` values over the server's
`generation.defaults` (a persona file that sets no temperature gets the server's).

Contract: `decoding(persona, defaults)` returns a full `DecodingDefaults`; a request's own overrides (OpenAI
`temperature`, `max_tokens` …) are applied on top by the caller, and `limits.max_new_tokens` caps the result.
"""

from __future__ import annotations

from generation.config import DecodingDefaults
from personas import Persona


def decoding(persona: Persona, defaults: DecodingDefaults) -> DecodingDefaults:
    own = persona.generation
    chosen = {"temperature": own.temperature, "top_p": own.top_p, "max_new_tokens": own.max_new_tokens}
    return defaults.model_copy(update={k: v for k, v in chosen.items() if v is not None})
