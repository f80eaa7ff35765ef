"""Extractive, LM-free review analysis: sentiment, pros/cons with grounded support, clustered quotes.

Contract: `analyse(reviews, item, settings, speech_level) -> Digest`.
- Sentiment per review: from its rating when present, scaled to 0..1 by `rating_max`
  (x = (r - 1) / (rating_max - 1); x <= 1/3 negative, x >= 0.7 positive, otherwise neutral: on a 1-10 scale
  1-4 negative, 5-7 neutral, 8-10 positive; on 1-5: 1-2, 3, 4-5), else from the lexicon (`lexicon.py`).
- Keyphrases are Kiwi noun phrases (a noun of 2+ letters, or nouns written together); a pro is a phrase
  over-represented in positive reviews (smoothed log-odds against negative ones), a con the reverse;
  `support` counts the reviews of that polarity that contain the phrase, and every cited id is of a review
  whose text contains the phrase literally. Phrases in the item name or in more than half of the
  reviews are not pros or cons (they describe the item, not an opinion), nor are a few meta nouns
  (영화, 제품, 평점, 리뷰, 생각 …).
- Quotes: TF-IDF over morphemes, k-means clusters, the review nearest each centroid (largest clusters first).
- Time and memory are linear in the number of reviews (each already truncated by the skill).
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from sklearn.cluster import KMeans
from sklearn.feature_extraction.text import TfidfVectorizer

from generation.skills import lexicon
from generation.skills.settings import ReviewSettings
from korean.kiwi import shared_kiwi

LABELS = ("positive", "neutral", "negative")
# nouns that talk about the review itself or the item's category, never an aspect of it
_META_NOUNS = {
    "영화", "작품", "제품", "상품", "물건", "평점", "점수", "별점", "리뷰", "후기", "정도", "생각", "사람", "진짜",
    "정말", "이번", "처음", "이거", "그거", "하나", "자체", "부분", "느낌", "마지막", "다음",
}
_TERM_TAGS = ("NNG", "NNP", "VA", "VV", "XR", "MAG")


@dataclass
class ReviewDoc:
    id: str
    text: str
    rating: float | None
    sentiment: str = "neutral"
    phrases: set[str] = field(default_factory=set)
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


def rating_label(rating: float, rating_max: float) -> str:
    x = (rating - 1) / (rating_max - 1) if rating_max > 1 else 0.0
    if x <= 1 / 3:
        return "negative"
    if x >= 0.7:
        return "positive"
    return "neutral"


def _noun_phrases(tokens: list[Any]) -> set[str]:
    out: set[str] = set()
    run: list[Any] = []
    for tok in [*tokens, None]:
        if tok is not None and tok.tag in {"NNG", "NNP"} and (not run or run[-1].start + run[-1].len == tok.start):
            run.append(tok)
            continue
        if run:
            whole = "".join(t.form for t in run)
            if len(whole) >= 2 and whole not in _META_NOUNS:
                out.add(whole)
            out.update(t.form for t in run if len(t.form) >= 2 and t.form not in _META_NOUNS)
        run = [tok] if tok is not None and tok.tag in {"NNG", "NNP"} else []
    return out


def analyse(docs: list[ReviewDoc], item: str | None, settings: ReviewSettings, rating_max: float) -> Digest:
    kiwi = shared_kiwi()
    source: Counter[str] = Counter()
    for doc, tokens in zip(docs, kiwi.tokenize([d.text for d in docs]), strict=True):
        doc.phrases = _noun_phrases(tokens)
        doc.terms = [f"{t.form}/{t.tag[:2]}" for t in tokens if t.tag.startswith(_TERM_TAGS)]
        if doc.rating is not None:
            doc.sentiment = rating_label(doc.rating, rating_max)
            source["rating"] += 1
        else:
            doc.sentiment = lexicon.label(lexicon.score(tokens))
            source["lexicon"] += 1
    counts = Counter(d.sentiment for d in docs)
    sentiment = {k: counts.get(k, 0) for k in LABELS}
    total = max(1, len(docs))
    pros, cons = _pros_cons(docs, item, settings)
    return Digest(
        sentiment=sentiment,
        sentiment_share={k: round(v / total, 4) for k, v in sentiment.items()},
        sentiment_source=dict(source),
        pros=pros,
        cons=cons,
        quotes=_quotes(docs, settings),
        docs=docs,
    )


def _pros_cons(
    docs: list[ReviewDoc], item: str | None, settings: ReviewSettings
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    by_label: dict[str, dict[str, list[ReviewDoc]]] = {k: defaultdict(list) for k in LABELS}
    df: Counter[str] = Counter()
    for doc in docs:
        for phrase in doc.phrases:
            by_label[doc.sentiment][phrase].append(doc)
            df[phrase] += 1
    n_pos = sum(1 for d in docs if d.sentiment == "positive")
    n_neg = sum(1 for d in docs if d.sentiment == "negative")
    item_words = set((item or "").split()) | {(item or "").replace(" ", "")}
    generic = {p for p, c in df.items() if c > max(2, len(docs) // 2)}

    def ranked(label: str, other: str, n_self: int, n_other: int) -> list[dict[str, Any]]:
        scored = []
        for phrase, hits in by_label[label].items():
            if len(hits) < 2 or phrase in generic or any(phrase in w or w in phrase for w in item_words if w):
                continue
            other_hits = len(by_label[other].get(phrase, ()))
            log_odds = math.log((len(hits) + 0.5) / (n_self + 1)) - math.log((other_hits + 0.5) / (n_other + 1))
            if log_odds <= 0:
                continue
            scored.append((len(hits) * log_odds, phrase, hits))
        scored.sort(key=lambda s: (-s[0], s[1]))
        picked: list[dict[str, Any]] = []
        for _, phrase, hits in scored:
            if any(phrase in p["phrase"] or p["phrase"] in phrase for p in picked):
                continue
            cited = [d.id for d in hits if phrase in d.text][: settings.example_ids]
            picked.append({"phrase": phrase, "support": len(hits), "review_ids": cited})
            if len(picked) == settings.max_phrases:
                break
        return picked

    return ranked("positive", "negative", n_pos, n_neg), ranked("negative", "positive", n_neg, n_pos)


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
