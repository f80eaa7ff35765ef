"""Extractive review analysis: sentiment, pros/cons as grounded aspects, clustered quotes.

Contract: `analyse(reviews, item, settings, rating_max) -> Digest`.
- Sentiment per review: from its rating when present, scaled to 0..1 by `rating_max`
  (x = (r - 1) / (rating_max - 1); x <= 1/3 negative, x >= 0.7 positive, otherwise neutral: on a 1-10 scale
  1-4 negative, 5-7 neutral, 8-10 positive; on 1-5: 1-2, 3, 4-5); else from the learned model chosen by
  `settings.sentiment_model`: `ngram` (the default) is the n-gram model (`sentiment.py`, `models/sentiment.npz`),
  `stacked` that model stacked with fine-tuned e5 (`sentiment_e5.py`; its adapter file is trained once by
  `assistant skill-train sentiment-e5`; +0.9 points of review accuracy for about 1 GB of memory), each falling back
  to the next when its file is absent or unusable; from the lexicon (`lexicon.py`) when no model is left or
  `lexicon` is chosen. Each review's source is counted in `sentiment_source`; which model read them is
  `Digest.sentiment_model`.
- Pros and cons: clauses clustered by meaning (`aspects.py`), each with its support, cited review ids of the
  matching polarity, the polarity and its source.
- Quotes: TF-IDF over morphemes, k-means clusters, the review nearest each centroid (largest clusters first).
- Time and memory are linear in the number of reviews (each already truncated by the skill); the encoder's
  share is bounded by `max_aspect_clauses`.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from sklearn.cluster import KMeans
from sklearn.feature_extraction.text import TfidfVectorizer

from generation.skills import lexicon
from generation.skills.aspects import Clause, pros_cons
from generation.skills.sentiment import SentimentModel, load_model
from generation.skills.sentiment_e5 import StackedSentiment, load_stacked
from generation.skills.settings import ReviewSettings
from korean.encoder import EncoderUnavailable, shared_encoder
from korean.kiwi import shared_kiwi

LABELS = ("positive", "neutral", "negative")
_TERM_TAGS = ("NNG", "NNP", "VA", "VV", "XR", "MAG")


@dataclass
class ReviewDoc:
    id: str
    text: str
    rating: float | None
    sentiment: str = "neutral"
    confidence: float = 0.5
    source: str = "rating"
    terms: list[str] = field(default_factory=list)


@dataclass
class Digest:
    sentiment: dict[str, int]
    sentiment_share: dict[str, float]
    sentiment_source: dict[str, int]
    pros: list[dict[str, Any]]
    cons: list[dict[str, Any]]
    quotes: list[dict[str, Any]]
    docs: list[ReviewDoc]
    aspects: dict[str, Any] = field(default_factory=dict)
    sentiment_model: str = "rating"


def rating_label(rating: float, rating_max: float) -> str:
    x = (rating - 1) / (rating_max - 1) if rating_max > 1 else 0.0
    if x <= 1 / 3:
        return "negative"
    if x >= 0.7:
        return "positive"
    return "neutral"


def sentiment_model(choice: str) -> StackedSentiment | SentimentModel | None:
    """The review-sentiment model `choice` names (`stacked`, `ngram`, `lexicon`), or the next one that is usable;
    None means the lexicon."""
    if choice == "stacked":
        stacked = load_stacked()
        if stacked is not None:
            return stacked
    return load_model() if choice in ("stacked", "ngram") else None


def _polarity(docs: list[ReviewDoc], tokens: list[Any], rating_max: float,
              model: StackedSentiment | SentimentModel | None) -> Counter[str]:
    """Sets each review's sentiment, confidence (P(positive) or the scaled rating) and source."""
    unrated = [i for i, d in enumerate(docs) if d.rating is None]
    probs = model.probability([(docs[i].text, tokens[i]) for i in unrated]) if model and unrated else None
    source: Counter[str] = Counter()
    for doc in docs:
        if doc.rating is not None:
            doc.sentiment, doc.source = rating_label(doc.rating, rating_max), "rating"
            doc.confidence = (doc.rating - 1) / (rating_max - 1) if rating_max > 1 else 0.5
    for j, i in enumerate(unrated):
        doc = docs[i]
        if probs is not None and model is not None:
            doc.confidence = float(probs[j])
            doc.sentiment, doc.source = model.label(doc.confidence), "model"
        else:
            value = lexicon.score(tokens[i])
            doc.sentiment, doc.source = lexicon.label(value), "lexicon"
            doc.confidence = 1.0 / (1.0 + math.exp(-value))
    source.update(d.source for d in docs)
    return source


def clause_probability(clauses: list[Clause], model: StackedSentiment | SentimentModel | None) -> np.ndarray:
    """P(positive) of each clause: the learned model's, or the lexicon score through a logistic."""
    if model is not None:
        return model.probability([(c.text, c.tokens) for c in clauses])
    return np.array([1.0 / (1.0 + math.exp(-lexicon.score(c.tokens))) for c in clauses])


def _encoder(spec: str) -> Any | None:
    try:
        return shared_encoder(spec)
    except EncoderUnavailable:
        return None


def analyse(docs: list[ReviewDoc], item: str | None, settings: ReviewSettings, rating_max: float) -> Digest:
    tokens = list(shared_kiwi().tokenize([d.text for d in docs]))
    for doc, toks in zip(docs, tokens, strict=True):
        doc.terms = [f"{t.form}/{t.tag[:2]}" for t in toks if t.tag.startswith(_TERM_TAGS)]
    unrated = any(d.rating is None for d in docs)
    choice = settings.sentiment_model
    # with every review rated only the clauses need a polarity: the n-gram model gives it and loads in 0.5 s
    model = sentiment_model(choice if unrated or choice == "lexicon" else "ngram")
    source = _polarity(docs, tokens, rating_max, model)
    counts = Counter(d.sentiment for d in docs)
    sentiment = {k: counts.get(k, 0) for k in LABELS}
    total = max(1, len(docs))
    bounds = (model.lower, model.upper) if model is not None else (0.5, 0.5)
    cite = (model.meta.get("cite_lower", model.lower), model.meta.get("cite_upper", model.upper)) if model else bounds
    pros, cons, aspect_trace = pros_cons(docs, tokens, settings, lambda c: clause_probability(c, model),
                                         _encoder(settings.aspect_encoder), bounds, cite)
    return Digest(
        sentiment=sentiment,
        sentiment_share={k: round(v / total, 4) for k, v in sentiment.items()},
        sentiment_source=dict(source),
        pros=pros,
        cons=cons,
        quotes=_quotes(docs, settings),
        docs=docs,
        aspects=aspect_trace,
        sentiment_model=("stacked" if isinstance(model, StackedSentiment) else "ngram" if model is not None
                         else "lexicon") if unrated else "rating",
    )


def _quotes(docs: list[ReviewDoc], settings: ReviewSettings) -> list[dict[str, Any]]:
    usable = [d for d in docs if d.terms and len(d.text) >= 8]
    if not usable:
        usable = [d for d in docs if d.text]
    if not usable:
        return []
    k = min(settings.max_quotes, settings.clusters, len({" ".join(d.terms) for d in usable}))
    try:
        vectorizer = TfidfVectorizer(analyzer=lambda terms: terms, min_df=1)
        matrix = vectorizer.fit_transform([d.terms or [d.text] for d in usable])
    except ValueError:
        return [_quote(d, len(usable)) for d in usable[:k]]
    if k <= 1 or matrix.shape[1] < 2:
        return [_quote(usable[0], len(usable))]
    km = KMeans(n_clusters=k, random_state=0, n_init=1, max_iter=100).fit(matrix)
    sizes = np.bincount(km.labels_, minlength=k)
    distances = km.transform(matrix)
    quotes = []
    for cluster in np.argsort(-sizes):
        members = np.flatnonzero(km.labels_ == cluster)
        if members.size == 0:
            continue
        preferred = [m for m in members if 20 <= len(usable[m].text) <= 200] or list(members)
        best = min(preferred, key=lambda m: distances[m, cluster])
        quotes.append(_quote(usable[best], int(sizes[cluster])))
    return quotes[: settings.max_quotes]


def _quote(doc: ReviewDoc, cluster_size: int) -> dict[str, Any]:
    text = doc.text if len(doc.text) <= 200 else doc.text[:199] + "…"
    return {"review_id": doc.id, "text": text, "sentiment": doc.sentiment, "cluster_size": cluster_size}
