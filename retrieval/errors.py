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
    """An index on disk cannot be used: missing, corrupt, or built for a different analyser/encoder/data."""


class EncoderUnavailable(RetrievalError, RuntimeError):
    """The configured dense encoder cannot be loaded."""
