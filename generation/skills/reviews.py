"""Review summarisation skill: many reviews of one item -> summary, pros, cons, sentiment, quotes.

Contract: input `{item?, reviews: [{text, rating?, id?}], rating_max?}`; output `{summary, pros, cons,
sentiment: {positive, neutral, negative}, quotes}`. Sentiment (ratings, else the learned model), pros/cons as
aspects (clustered clauses, with support counts, cited ids, polarity and its source)
and quotes always come from the extractive analysis (`extractive.py`), so every number is grounded. The
summary sentence is written from them in the requested speech level; with an LM loaded the summary is
instead produced map-reduce: reviews are packed into chunks of `chunk_chars` (at most `max_chunks`, sampled
evenly when there are more), each chunk is summarised, then the partial summaries and the extractive digest
are reduced into one. Limits: 1..`max_reviews` reviews; each review is cut to `max_review_chars`, or to
max(50, `max_total_chars` // count) when that is smaller (counted in the trace as `truncated`); reviews
with too little Hangul are skipped (`skipped_non_korean`); if none is
left the request is refused. These checks are `check` (before any generation slot is taken); the extractive
analysis runs through `ctx.offload`.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import cast

from pydantic import BaseModel, ConfigDict, Field

from generation.skills.base import Skill, SkillContext
from generation.skills.errors import SkillInputError
from generation.skills.extractive import Digest, ReviewDoc, analyse
from generation.skills.korean import hangul_ratio


class ReviewIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str
    rating: float | None = None
    id: str | int | None = None


class ReviewsInput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    item: str | None = None
    reviews: list[ReviewIn]
    rating_max: float = Field(10.0, ge=2.0, le=100.0)


class Phrase(BaseModel):
    phrase: str
    support: int
    review_ids: list[str]
    evidence: list[str] = Field(description="each cited review's clause in this aspect, verbatim")
    polarity: str = Field(description="positive (a pro) or negative (a con), as the cited reviews are")
    source: str = Field(description="where the cited reviews' polarity came from: rating, model or lexicon")


class Quote(BaseModel):
    review_id: str
    text: str
    sentiment: str
    cluster_size: int


class Sentiment(BaseModel):
    positive: int
    neutral: int
    negative: int


class ReviewsOutput(BaseModel):
    summary: str
    pros: list[Phrase]
    cons: list[Phrase]
    sentiment: Sentiment
    quotes: list[Quote]


class LmSummary(BaseModel):
    summary: str = Field(min_length=1, max_length=2000)


_ENDINGS = {
    "해요체": ("예요", "언급돼요", "꼽혀요", "리뷰가 없어요"),
    "합쇼체": ("입니다", "언급됩니다", "꼽힙니다", "리뷰가 없습니다"),
    "반말": ("야", "언급돼", "꼽혀", "리뷰가 없어"),
}


def _subject_particle(word: str) -> str:
    last = next((c for c in reversed(word) if "\uac00" <= c <= "\ud7a3"), None)
    if last is None:
        return "이(가)"
    return "이" if (ord(last) - 0xAC00) % 28 else "가"


def template_summary(digest: Digest, item: str | None, level: str | None) -> str:
    copula, mentioned, named, _ = _ENDINGS.get(level or "해요체", _ENDINGS["해요체"])
    n = sum(digest.sentiment.values())
    share = {k: round(100 * v) for k, v in digest.sentiment_share.items()}
    head = f"{item}에 대한 " if item else ""
    parts = [
        f"{head}리뷰 {n}개 중 긍정 {share['positive']}%, 중립 {share['neutral']}%, "
        f"부정 {share['negative']}%{copula}."
    ]
    if digest.pros:
        words = ", ".join(f"'{p['phrase']}'" for p in digest.pros[:3])
        parts.append(f"좋은 점으로 {words}{_subject_particle(digest.pros[min(2, len(digest.pros) - 1)]['phrase'])} "
                     f"자주 {mentioned}.")
    if digest.cons:
        words = ", ".join(f"'{p['phrase']}'" for p in digest.cons[:3])
        parts.append(f"아쉬운 점으로는 {words}{_subject_particle(digest.cons[min(2, len(digest.cons) - 1)]['phrase'])} "
                     f"{named}.")
    return " ".join(parts)


@dataclass(frozen=True)
class ReviewsJob:
    docs: list[ReviewDoc]
    item: str | None
    rating_max: float


class SummarizeReviews(Skill):
    name = "summarize-reviews"
    description = "Summarise many Korean reviews of one item: summary, pros, cons, sentiment, quotes."
    input_model = ReviewsInput
    output_model = ReviewsOutput
    lm_output_model = LmSummary

    def check(self, data: ReviewsInput, ctx: SkillContext) -> ReviewsJob:
        limits = self.settings.reviews
        if not data.reviews:
            raise SkillInputError("reviews is empty; send at least one review", param="reviews")
        if len(data.reviews) > limits.max_reviews:
            raise SkillInputError(
                f"{len(data.reviews)} reviews; the limit is {limits.max_reviews}", param="reviews",
                code="payload_too_large",
            )
        if data.item is not None and len(data.item) > limits.max_item_chars:
            raise SkillInputError(f"item is longer than {limits.max_item_chars} characters", param="item")
        docs, truncated, skipped, blank = [], 0, 0, 0
        # bounded time and memory: many long reviews share the analysis budget evenly
        cap = min(limits.max_review_chars, max(50, limits.max_total_chars // len(data.reviews)))
        for i, review in enumerate(data.reviews):
            if review.rating is not None and not 1 <= review.rating <= data.rating_max:
                raise SkillInputError(
                    f"rating {review.rating} is outside 1..{data.rating_max}", param=f"reviews.{i}.rating"
                )
            text = " ".join(review.text.split())
            if not text:
                blank += 1
                continue
            if len(text) > cap:
                text, truncated = text[:cap], truncated + 1
            if hangul_ratio(text) < limits.min_hangul_ratio:
                skipped += 1
                continue
            docs.append(ReviewDoc(id=str(review.id if review.id is not None else i), text=text, rating=review.rating))
        ctx.trace.update(reviews=len(data.reviews), used=len(docs), truncated=truncated, chars_per_review_cap=cap,
                         skipped_non_korean=skipped, skipped_blank=blank)
        if not docs:
            raise SkillInputError(
                "no usable review: every review is blank or not Korean text", param="reviews",
                code="unsupported_language" if skipped else "empty_reviews",
            )
        return ReviewsJob(docs, data.item, data.rating_max)

    async def run(self, job: ReviewsJob, ctx: SkillContext) -> ReviewsOutput:
        started = time.perf_counter()
        digest = await ctx.offload(analyse, job.docs, job.item, self.settings.reviews, job.rating_max)
        ctx.timing("extractive", started)
        ctx.trace["sentiment_source"] = digest.sentiment_source
        ctx.trace["sentiment_model"] = digest.sentiment_model
        ctx.trace["aspects"] = digest.aspects
        summary = await self._lm_summary(job.docs, digest, job.item, ctx)
        if summary is None:
            summary = template_summary(digest, job.item, ctx.speech_level)
        else:
            ctx.trace["strategy"] = "lm map-reduce + extractive"
        return ReviewsOutput(
            summary=summary,
            pros=[Phrase(**p) for p in digest.pros],
            cons=[Phrase(**p) for p in digest.cons],
            sentiment=Sentiment(**digest.sentiment),
            quotes=[Quote(**q) for q in digest.quotes],
        )

    def chunks(self, docs: list[ReviewDoc]) -> list[str]:
        size, out, current = self.settings.reviews.chunk_chars, [], ""
        for doc in docs:
            line = f"- ({doc.sentiment}) {doc.text[:size]}\n"
            if current and len(current) + len(line) > size:
                out.append(current)
                current = ""
            current += line
        if current:
            out.append(current)
        limit = self.settings.reviews.max_chunks
        if len(out) > limit:
            step = len(out) / limit
            out = [out[int(i * step)] for i in range(limit)]
        return out

    async def _lm_summary(
        self, docs: list[ReviewDoc], digest: Digest, item: str | None, ctx: SkillContext
    ) -> str | None:
        if ctx.chain is None:
            ctx.trace["fallback_reason"] = "no LM loaded"
            return None
        level = ctx.speech_level or "해요체"
        facts = self._facts(digest)
        partials: list[str] = []
        chunks = self.chunks(docs)
        ctx.trace["chunks"] = len(chunks)
        for chunk in chunks:
            part = await ctx.lm({"item": item or "-", "facts": facts, "reviews": chunk, "speech_level": level})
            if part is None:
                return None
            partials.append(cast(LmSummary, part).summary)  # the chain parses lm_output_model
        if len(partials) == 1:
            return ctx.finish_text(partials[0])
        merged = "\n".join(f"- {p}" for p in partials)
        final = await ctx.lm({"item": item or "-", "facts": facts, "reviews": merged, "speech_level": level})
        return None if final is None else ctx.finish_text(cast(LmSummary, final).summary)

    @staticmethod
    def _facts(digest: Digest) -> str:
        pros = ", ".join(f"{p['phrase']}({p['support']})" for p in digest.pros) or "-"
        cons = ", ".join(f"{p['phrase']}({p['support']})" for p in digest.cons) or "-"
        s = digest.sentiment
        return f"긍정 {s['positive']}, 중립 {s['neutral']}, 부정 {s['negative']}; 장점: {pros}; 단점: {cons}"

