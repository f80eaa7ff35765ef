"""Retrieval: Korean hybrid search and the retrieve-or-generate response selector.

Contract: `Retrieval` (built by `assistant.wiring.retrieval`) is the only runtime entry point;
`Retrieval.select(query, response_set)` -> `Selection` and `Retrieval.knowledge(query, collection, k)` ->
`list[Passage]`. `RetrievalConfig` is its settings. This package imports only `korean` of the project. Exports
other than the config load on first use (`korean.exports`), so reading settings does not load Kiwi or faiss.
"""

from typing import TYPE_CHECKING

from korean.exports import lazy_exports
from retrieval.config import RetrievalConfig

if TYPE_CHECKING:
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

__getattr__ = lazy_exports(__name__, {
    "KoreanAnalyzer": "retrieval.analyzer",
    "Calibration": "retrieval.calibration",
    "DenseRetriever": "retrieval.dense",
    "DuplicateRecord": "retrieval.errors",
    "IndexUnusable": "retrieval.errors",
    "InvalidRecord": "retrieval.errors",
    "RetrievalError": "retrieval.errors",
    "UnknownRecord": "retrieval.errors",
    "UnknownResponseSet": "retrieval.errors",
    "Retrieval": "retrieval.facade",
    "BUNDLED_RESPONSES": "retrieval.records",
    "ResponseIndex": "retrieval.responses",
    "Hit": "retrieval.types",
    "Passage": "retrieval.types",
    "ResponseRecord": "retrieval.types",
    "Selection": "retrieval.types",
    "CrossEncoderVerifier": "retrieval.verifier",
    "Verifier": "retrieval.verifier",
    "VerifierUnavailable": "retrieval.verifier",
})

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
    "RetrievalConfig",
    "RetrievalError",
    "Selection",
    "UnknownRecord",
    "UnknownResponseSet",
    "Verifier",
    "VerifierUnavailable",
]
