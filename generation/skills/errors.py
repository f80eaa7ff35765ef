"""Skill exceptions (leaf-local; the API maps them: input -> 422 (413 for size codes), unknown skill -> 404,
search backend failure or skills switched off -> 503)."""

from __future__ import annotations


class SkillInputError(ValueError):
    """The payload breaks a documented limit or shape; `param` names the offending field."""

    def __init__(self, message: str, *, param: str | None = None, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.param = param
        self.code = code or "invalid_skill_input"


class SkillNotFound(LookupError):
    def __init__(self, name: str, known: list[str]) -> None:
        super().__init__(f"unknown skill {name!r}; known skills: {', '.join(sorted(known))}")
        self.name = name


class SkillBackendError(RuntimeError):
    """A search backend named by the request failed (network, bad response)."""


class SkillUnavailable(RuntimeError):
    """Skills are switched off in the settings."""
