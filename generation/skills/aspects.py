"""Pros and cons as aspects: clauses of the reviews, clustered by meaning, each cluster a grounded pro or con.

Contract: `pros_cons(docs, tokens, settings, clause_p, encoder) -> (pros, cons, trace)`.
- Clauses: each review's Kiwi tokens are cut after a word that ends in a connective or final ending or
  punctuation (not a "-지/-게" before an auxiliary: "재미있지 않다" is one clause). A clause is a candidate
  when it names something: a noun that is not a meta noun (영화, 제품, 리뷰, …).
- Side: a clause is a pro candidate when its review is positive and the clause itself is positive
  (`clause_p >= bounds[1]`, the model's own upper threshold), a con candidate when its review is negative and
  the clause itself is negative (`clause_p <= bounds[0]`).
  A review's polarity is its rating's when it has one, else the learned model's (the lexicon's without the
  model file). If one side has no noun-bearing clause, every clause of that side is a candidate.
- Meaning: clauses are embedded by the Korean layer's encoder (multilingual-e5-small) or, without one,
  by character 1-3-gram TF-IDF. At most `max_aspect_clauses` clauses per side are embedded (an even sample
  when there are more: the encoder costs tens of ms per clause on CPU); the trace reports the sample.
- Clusters: k-means with k = round(sqrt(2m)) over a side's m clauses; a cluster's label is its member closest
  to the centroid (cut to `max_label_chars`); its support is the number of distinct reviews with a clause in
  it; its cited ids are those reviews, the most confident first (lowest rating / probability for a con), and
  `evidence` holds each cited review's clause in the cluster, verbatim. Without a rating, a review is cited
  only when its probability is beyond the model's citation bound (`cite`, fitted so that >= 93% of the reviews
  beyond it have a matching rating); a cluster with no citable review is not listed, except the guaranteed
  one below (the trace then counts `below_cite_bound`).
- When an aspect is listed (scale-free): a cluster is listed when its support is at least
  `min_aspect_share` of the side's reviews; and whenever at least `min_con_share` of all reviews are negative
  (positive), the largest negative (positive) cluster is listed even if smaller (citing its most confident
  reviews, below the bound when none is beyond it), so a meaningful share of negative reviews always yields a
  con. At most `max_phrases` per side, largest first.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from sklearn.cluster import KMeans
from sklearn.feature_extraction.text import TfidfVectorizer

from generation.skills.settings import ReviewSettings

META_NOUNS = {
    "영화", "작품", "제품", "상품", "물건", "평점", "점수", "별점", "리뷰", "후기", "정도", "생각", "사람", "진짜",
    "정말", "이번", "처음", "이거", "그거", "하나", "자체", "부분", "느낌", "마지막", "다음", "내용", "것", "수",
}
Aspect = dict[str, Any]  # {phrase, support, review_ids, evidence, polarity, source}
_CUT_TAGS = {"EC", "EF", "SF", "SE", "SP"}
_NOUNS = {"NNG", "NNP"}


@dataclass
class Clause:
    doc: int
    text: str
    tokens: list[Any]


def clauses(text: str, tokens: Sequence[Any]) -> list[Clause]:
    """The clauses of one review (doc index left 0), as spans of the original text."""
    out: list[Clause] = []
    current: list[Any] = []
    for i, tok in enumerate(tokens):
        current.append(tok)
        nxt = tokens[i + 1] if i + 1 < len(tokens) else None
        ends_word = nxt is None or nxt.start > tok.start + tok.len
        cut = tok.tag in _CUT_TAGS or (tok.tag == "NNB" and tok.form == "데")
        if nxt is not None and (not ends_word or not cut or nxt.tag == "VX"):
            continue
        span = text[current[0].start : current[-1].start + current[-1].len].strip(" .,!?~")
        if span:
            out.append(Clause(0, span, current))
        current = []
    return out


def _names_something(clause: Clause) -> bool:
    return any(t.tag in _NOUNS and t.form not in META_NOUNS for t in clause.tokens)


def _vectors(texts: list[str], encoder: Any | None) -> Any:
    if encoder is not None:
        return encoder.encode(texts)
    vec = TfidfVectorizer(analyzer="char_wb", ngram_range=(1, 3), lowercase=False)
    return vec.fit_transform(texts)


def _clusters(items: list[Clause], encoder: Any | None) -> list[tuple[list[int], int]]:
    """(member indices, index of the member nearest the centroid) per cluster."""
    texts = sorted({c.text for c in items})
    rows = _vectors(texts, encoder)
    where = {t: i for i, t in enumerate(texts)}
    k = max(1, min(len(texts), round(math.sqrt(2 * len(items)))))
    if k == 1:
        labels, distances = np.zeros(len(texts), dtype=int), None
    else:
        km = KMeans(n_clusters=k, random_state=0, n_init=1, max_iter=100).fit(rows)
        labels, distances = km.labels_, km.transform(rows)
    out = []
    for cluster in range(k):
        members = [i for i, c in enumerate(items) if labels[where[c.text]] == cluster]
        if not members:
            continue
        if distances is None:
            central = min(members, key=lambda i: (len(items[i].text), items[i].text))
        else:
            central = min(members, key=lambda i: (distances[where[items[i].text], cluster], items[i].text))
        out.append((members, central))
    return out


def _side(docs: Sequence[Any], pieces: list[Clause], polarity: str, settings: ReviewSettings, encoder: Any | None,
          citable: Callable[[Any], bool]) -> tuple[list[Aspect], dict[str, int]]:
    named = [c for c in pieces if _names_something(c)] or pieces
    cap = settings.max_aspect_clauses
    sample = named if len(named) <= cap else [named[int(i * len(named) / cap)] for i in range(cap)]
    info = {"candidates": len(named), "embedded": len(sample)}
    if not sample:
        return [], info
    side_reviews = len({c.doc for c in sample})
    polar_share = sum(1 for d in docs if d.sentiment == polarity) / max(1, len(docs))
    found = []
    for members, central in _clusters(sample, encoder):
        clause_of: dict[int, str] = {}
        for i in members:
            clause_of.setdefault(sample[i].doc, sample[i].text)
        found.append((len(clause_of), sample[central].text, clause_of))
    found.sort(key=lambda f: (-f[0], f[1]))
    sign = 1.0 if polarity == "positive" else -1.0
    picked: list[dict[str, Any]] = []
    guarantee = polar_share >= settings.min_con_share
    for rank, (support, label, reviews) in enumerate(found):
        forced = guarantee and rank == 0
        if support < settings.min_aspect_share * side_reviews and not forced:
            continue
        confident = [d for d in reviews if citable(docs[d])]
        if not confident and not forced:
            continue
        if not confident:  # the guaranteed aspect cites its most confident reviews even below the bound
            info["below_cite_bound"] = 1
        phrase = label[: settings.max_label_chars]
        if any(p["phrase"] == phrase for p in picked):
            continue
        cited = sorted(confident or reviews, key=lambda d: (-sign * docs[d].confidence, d))[: settings.example_ids]
        picked.append({"phrase": phrase, "support": support, "review_ids": [docs[d].id for d in cited],
                       "evidence": [reviews[d] for d in cited], "polarity": polarity,
                       "source": docs[cited[0]].source})
        if len(picked) == settings.max_phrases:
            break
    return picked, info


def pros_cons(docs: Sequence[Any], tokens: Sequence[Sequence[Any]], settings: ReviewSettings,
              clause_p: Callable[[list[Clause]], np.ndarray], encoder: Any | None,
              bounds: tuple[float, float] = (0.5, 0.5), cite: tuple[float, float] = (0.5, 0.5),
              ) -> tuple[list[Aspect], list[Aspect], dict[str, Any]]:
    """Pros and cons of reviews whose `sentiment`, `confidence` and `source` are set (see the module doc)."""
    polar: dict[str, list[Clause]] = {"positive": [], "negative": []}
    found: list[Clause] = []
    for i, (doc, toks) in enumerate(zip(docs, tokens, strict=True)):
        if doc.sentiment in polar:
            for c in clauses(doc.text, toks):
                c.doc = i
                found.append(c)
    p = clause_p(found) if found else np.zeros(0)
    for c, value in zip(found, p, strict=True):
        side = docs[c.doc].sentiment
        if (value >= bounds[1]) if side == "positive" else (value <= bounds[0]):
            polar[side].append(c)
    pros, pro_info = _side(docs, polar["positive"], "positive", settings, encoder,
                           lambda d: d.source == "rating" or d.confidence >= cite[1])
    cons, con_info = _side(docs, polar["negative"], "negative", settings, encoder,
                           lambda d: d.source == "rating" or d.confidence <= cite[0])
    return pros, cons, {"pros": pro_info, "cons": con_info, "encoder": getattr(encoder, "name", "tfidf")}
