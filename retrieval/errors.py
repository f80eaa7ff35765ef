"""Exceptions of the retrieval package (the composition root maps them to API errors)."""

from __future__ import annotations


class RetrievalError(Exception):
    """Base of every retrieval failure."""


class InvalidRecord(RetrievalError, ValueError):
    """A response record or response-set file is malformed (missing question/answer, bad JSON, too long)."""


class UnknownResponseSet(RetrievalError, LookupError):
    """No response set or knowledge collection of that name is loaded."""


class UnknownRecord(RetrievalError, LookupError):
    """No record with that id exists in the response set."""


class DuplicateRecord(RetrievalError, ValueError):
    """A record with that id already exists in the response set."""


class IndexUnusable(RetrievalError, RuntimeError):
    """An index on disk cannot be used: missing, corrupt, or built for a different analyser/encoder/data.

    `reason` is one of "missing", "corrupt", "mismatch" (other analyser/encoder) or "stale" (other data).
    """

    def __init__(self, message: str, *, reason: str = "corrupt") -> None:
        super().__init__(message)
        self.reason = reason
