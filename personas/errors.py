"""Exceptions of the personas package.

Contract: every problem with persona data is a `PersonaError` (a ValueError) that names the file, the line and
the field when they are known, so an editor can jump to the mistake. Lookups of unknown ids raise
`PersonaNotFound` (a KeyError); state conflicts (read-only persona, stale version) raise `PersonaConflict`.
The composition root translates these into its own HTTP-mapped errors; this package never imports it.
"""

from __future__ import annotations


class PersonaError(ValueError):
    """Invalid persona data: bad YAML, schema violation, oversized file, path outside the persona dir."""

    def __init__(
        self, problem: str, *, file: str | None = None, line: int | None = None, field: str | None = None
    ) -> None:
        self.problem = problem
        self.file = file
        self.line = line
        self.field = field
        super().__init__(self.describe())

    def describe(self) -> str:
        where = self.file or "<persona>"
        if self.line is not None:
            where += f":{self.line}"
        if self.field:
            where += f": field '{self.field}'"
        return f"{where}: {self.problem}"


class PersonaTooLarge(PersonaError):
    """A persona file or card exceeds the configured size limit."""


class CardError(PersonaError):
    """A Character Card (JSON or PNG) that cannot be read or mapped."""


class PromptError(ValueError):
    """render_prompt inputs that cannot produce a prompt (bad role, budget below the fixed parts)."""


class PromptBudgetError(PromptError):
    """The system prompt and the current message alone exceed the token budget.

    `system_tokens > budget_tokens` means the model's context is too small for the persona (a deployment
    problem); otherwise the current message is too long for it (a request problem).
    """

    def __init__(self, message: str, *, budget_tokens: int, system_tokens: int, message_tokens: int) -> None:
        super().__init__(message)
        self.budget_tokens = budget_tokens
        self.system_tokens = system_tokens
        self.message_tokens = message_tokens


class PersonaNotFound(KeyError):
    """No persona with this id is loaded."""

    def __init__(self, persona_id: str) -> None:
        super().__init__(persona_id)
        self.persona_id = persona_id

    def __str__(self) -> str:
        return f"unknown persona '{self.persona_id}'"


class PersonaConflict(RuntimeError):
    """The request conflicts with stored state: read-only persona, stale version, existing id."""
