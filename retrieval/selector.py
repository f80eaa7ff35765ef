"""The response selector: retrieve a stored answer or let the LM generate.

Contract: `select(index, calibration, query)` never raises on any string. Empty input, input with no
analysable content (emoji, punctuation), an empty response set, or a best match whose calibrated
confidence is below the threshold all give decision "generate" with a short reason, and so does a confident
best match whose stored question asks something else (`retrieval.nearmiss`: a swapped topic, or a question about a
topic the stored question lacks); otherwise "retrieve" with the hit. `score` is the calibrated probability that
the top answer is right.
"""

from __future__ import annotations

import logging
import re

from retrieval.calibration import Calibration
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


def select_many(index: ResponseIndex, calibration: Calibration, queries: list[str], *,
                max_query_chars: int = 2000, candidates: int = 5, pool: int = 20) -> list[Selection]:
    """Select for many queries, analysing them in one batched Kiwi call."""
    texts = [q[:max_query_chars] if isinstance(q, str) else "" for q in queries]
    analysed = index.index.analyzer.analyze_many(texts) if index.index is not None else [None] * len(texts)
    return [select(index, calibration, q, max_query_chars=max_query_chars, candidates=candidates, pool=pool,
                   terms=t) for q, t in zip(queries, analysed, strict=True)]


def select(index: ResponseIndex, calibration: Calibration, query: str, *, max_query_chars: int = 2000,
           candidates: int = 5, pool: int = 20, terms: list[str] | None = None) -> Selection:
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
                                      group_keys=index.answers, terms=terms)
    except Exception:  # the selector must degrade to generation, never fail the turn
        log.exception("response selection failed for a query of %d characters", len(text))
        return generate("retrieval failed internally; falling back to generation")
    if not found:
        return generate("no stored question shares words with the query")
    hits = [_hit(index, c) for c in found]
    best = found[0]
    confidence = calibration.confidence(best.features)
    try:
        elsewhere = near_miss(index.index.analyzer, text, hits[0].question) if confidence >= threshold else None
    except Exception:  # the check only refines a confident match; failing it must not fail the turn
        log.exception("near-miss check failed; keeping the calibrated decision")
        elsewhere = None
    if elsewhere is not None:
        return generate(f"best match {hits[0].question!r} {elsewhere} (near-miss; confidence {confidence:.2f})",
                        confidence, hits)
    if confidence >= threshold:
        return Selection("retrieve", hits[0], confidence,
                         f"matched stored question {hits[0].question!r} "
                         f"(confidence {confidence:.2f} >= {threshold:.2f})", hits, index.name, threshold)
    return generate(f"best match {hits[0].question!r} is not confident enough "
                    f"({confidence:.2f} < {threshold:.2f})", confidence, hits)
