"""Retrieval: Korean hybrid search and the retrieve-or-generate response selector.

Contract: `Retrieval` (built by `assistant.wiring.retrieval`) is the only runtime entry point;
`Retrieval.select(query, response_set)` -> `Selection` and `Retrieval.knowledge(query, collection, k)` ->
`list[Passage]`. This package imports no other project package.
"""

from retrieval.analyzer import KoreanAnalyzer
from retrieval.calibration import Calibration
from retrieval.dense import DenseRetriever
from retrieval.errors import (
    DuplicateRecord,
    IndexUnusable,
    InvalidRecord,
    RetrievalError,
    UnknownRecord,
    UnknownResponseSet,
)
from retrieval.facade import Retrieval
from retrieval.records import BUNDLED_RESPONSES
from retrieval.responses import ResponseIndex
from retrieval.types import Hit, Passage, ResponseRecord, Selection
from retrieval.verifier import CrossEncoderVerifier, Verifier, VerifierUnavailable

__all__ = [
    "BUNDLED_RESPONSES",
    "Calibration",
    "CrossEncoderVerifier",
    "DenseRetriever",
    "DuplicateRecord",
    "Hit",
    "IndexUnusable",
    "InvalidRecord",
    "KoreanAnalyzer",
    "Passage",
    "ResponseIndex",
    "ResponseRecord",
    "Retrieval",
    "RetrievalError",
    "Selection",
    "UnknownRecord",
    "UnknownResponseSet",
    "Verifier",
    "VerifierUnavailable",
]
