"""The response selector: retrieve a stored answer or let the LM generate.

Contract: `select(index, calibration, query)` never raises on any string. Empty input, input with no
analysable content (emoji, punctuation), an empty response set, or a best match whose calibrated
confidence is below the threshold all give decision "generate" with a short reason, and so does a confident best
match that shows a near-miss sign (`retrieval.nearmiss`: a swapped topic, an unasked question, a bare reaction, a
lone predicate; the reason names it); otherwise "retrieve" with the hit. `score` is the calibrated probability that
the top answer is right: the confidence model weighs the fused scores, term coverage and the meaning evidence of
the dense retriever.
"""

from __future__ import annotations

import logging
import re

import numpy as np

from retrieval.calibration import Calibration
from retrieval.config import RetrievalConfig
from retrieval.hybrid import Candidate
from retrieval.nearmiss import near_miss
from retrieval.responses import ResponseIndex
from retrieval.types import Hit, Selection

log = logging.getLogger(__name__)

_WORDLIKE = re.compile(r"[0-9A-Za-z\u1100-\u11ff\u3130-\u318f\uac00-\ud7a3\u4e00-\u9fff]")


def _hit(index: ResponseIndex, candidate: Candidate) -> Hit:
    record = index.records[candidate.doc]
    return Hit(id=record.id, question=record.question, answer=record.answer, score=round(candidate.fused, 4),
               response_set=index.name, scores={k: round(v, 4) for k, v in candidate.scores.items()},
               intent=record.intent)


def select_many(index: ResponseIndex, calibration: Calibration, queries: list[str],
                config: RetrievalConfig | None = None) -> list[Selection]:
    """Select for many queries, reading them in one batched Kiwi call and one batched encode."""
    config = config if config is not None else RetrievalConfig()
    if index.index is None:
        return [select(index, calibration, q, config) for q in queries]
    texts = [q[:config.max_query_chars] if isinstance(q, str) else "" for q in queries]
    read = index.index.read_queries(texts, use_dense=calibration.weights.get("dense", 0.0) > 0)
    return [select(index, calibration, q, config, terms=t, vector=v) for q, (t, v) in zip(queries, read, strict=True)]


def select(index: ResponseIndex, calibration: Calibration, query: str, config: RetrievalConfig | None = None, *,
           terms: list[str] | None = None, vector: np.ndarray | None = None) -> Selection:
    """One query against one set. `config` (None: the defaults) bounds the query (`max_query_chars`), the pool read
    from each retriever (`pool_size`) and the candidates reported (`candidates`); `terms` / `vector` are the query
    already read by `select_many`."""
    config = config if config is not None else RetrievalConfig()
    max_query_chars, candidates, pool = config.max_query_chars, config.candidates, config.pool_size
    threshold = calibration.threshold

    def generate(reason: str, score: float = 0.0, cands: list[Hit] | None = None) -> Selection:
        return Selection("generate", None, score, reason, cands or [], index.name, threshold)

    if not isinstance(query, str) or not query.strip():
        return generate("empty query")
    if len(index) == 0 or index.index is None:
        return generate(f"response set {index.name!r} is empty")
    text = query[:max_query_chars]
    if not _WORDLIKE.search(text):
        return generate("query has no words to match (only symbols or emoji)")
    try:
        _, found = index.index.search(text, calibration.weights, k=pool, top=candidates,
                                      group_keys=index.answers, terms=terms, vector=vector)
    except Exception:  # the selector must degrade to generation, never fail the turn
        log.exception("response selection failed for a query of %d characters", len(text))
        return generate("retrieval failed internally; falling back to generation")
    if not found:
        return generate("no stored question shares words with the query")
    hits = [_hit(index, c) for c in found]
    confidence = calibration.confidence(found[0].features)
    if confidence < threshold:
        return generate(f"best match {hits[0].question!r} is not confident enough "
                        f"({confidence:.2f} < {threshold:.2f})", confidence, hits)
    elsewhere = _near_miss(index, text, hits[0].question)
    if elsewhere is not None:
        return generate(f"best match {hits[0].question!r} {elsewhere} (near-miss; confidence {confidence:.2f})",
                        confidence, hits)
    return Selection("retrieve", hits[0], confidence,
                     f"matched stored question {hits[0].question!r} "
                     f"(confidence {confidence:.2f} >= {threshold:.2f})", hits, index.name, threshold)


def _near_miss(index: ResponseIndex, query: str, question: str) -> str | None:
    assert index.index is not None
    try:
        return near_miss(index.index.analyzer, query, question)
    except Exception:  # the check only refines a confident match; failing it must not fail the turn
        log.exception("near-miss check failed; keeping the calibrated decision")
        return None
