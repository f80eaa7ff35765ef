"""Null-query rewriting skill: a query that found nothing becomes up to k queries that may find something.

Contract: input `{query, search?, k?}`; output `{rewrites: [{text, strategy, hits?}]}`, ordered by strategy
(cheapest change of meaning first): `keyword` (conversational -> keyword normalisation: Kiwi rules, then the
edit model learned from SAE4K when its file is shipped, `keyword_edits.py`; no LM),
`spelling` (Kiwi's typo model corrects words, then the keyword normalisation), `spacing` (Kiwi spacing),
`synonym` (one word swapped from a small general table), `lm_paraphrase` (the chat model, when loaded),
`semantic` (with a search backend: texts close in meaning by e5 that are known to get hits on it, past
rewrites that found something and the backend's `titles()`, `semantic.py`), `term_drop` (one less word,
function-like words first). Rewrites equal to the query or to an earlier rewrite
are dropped. With `search`, candidates are counted on that backend in order (at most `max_search_calls`)
and zero-hit rewrites are dropped. The query checks are `check` (before any generation slot is taken); the Kiwi
rules run through `ctx.offload`.
Keyword queries carry no speech level, so the persona's level only reaches the LM prompt.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from typing import Literal, cast

from pydantic import BaseModel, ConfigDict, Field

from generation.skills.base import Skill, SkillContext
from generation.skills.errors import SkillInputError
from generation.skills.keyword_edits import LearnedNormalizer
from generation.skills.korean import eojeols, hangul_ratio
from generation.skills.search import SearchBackend
from generation.skills.semantic import SemanticMemory
from generation.skills.settings import SkillsSettings
from generation.skills.synonyms import SYNONYMS
from korean.encoder import EncoderUnavailable, shared_encoder
from korean.kiwi import shared_kiwi

Strategy = Literal["keyword", "spelling", "spacing", "synonym", "lm_paraphrase", "semantic", "term_drop"]
_DROP_FIRST_TAGS = ("MAG", "MM", "MAJ", "IC")


class RewriteInput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    query: str = Field(max_length=100_000)
    search: str | None = Field(None, max_length=64)
    k: int | None = Field(None, ge=1)


class Rewrite(BaseModel):
    text: str
    strategy: Strategy
    hits: int | None = None


class RewriteOutput(BaseModel):
    rewrites: list[Rewrite]


class LmRewrites(BaseModel):
    rewrites: list[str] = Field(min_length=1, max_length=20)


@dataclass(frozen=True)
class RewriteJob:
    query: str
    k: int
    search: str | None
    backend: SearchBackend | None


@dataclass(frozen=True)
class RuleCandidates:
    """The LM-free rewrites: those ranked before the LM paraphrases, and the term drops ranked after them."""

    before_lm: list[tuple[str, Strategy]]
    term_drops: list[tuple[str, Strategy]]


class RewriteNullQuery(Skill):
    name = "rewrite-null-query"
    description = "Rewrite a Korean search query that found nothing into up to k queries that find something."
    input_model = RewriteInput
    output_model = RewriteOutput
    lm_output_model = LmRewrites

    def __init__(self, settings: SkillsSettings, search_backends: dict[str, SearchBackend] | None = None) -> None:
        super().__init__(settings)
        self.search_backends = dict(search_backends or {})
        self._normalizer: LearnedNormalizer | None = None
        self._memory: SemanticMemory | bool | None = None  # False: no encoder

    @property
    def normalizer(self) -> LearnedNormalizer:
        if self._normalizer is None:
            self._normalizer = LearnedNormalizer(shared_kiwi())
        return self._normalizer

    def memory(self) -> SemanticMemory | None:
        limits = self.settings.rewrite
        if self._memory is None:
            try:
                encoder = shared_encoder(limits.semantic_encoder) if limits.semantic_k else None
            except EncoderUnavailable:
                encoder = None
            self._memory = SemanticMemory(encoder, limits.semantic_memory) if encoder is not None else False
        return self._memory if isinstance(self._memory, SemanticMemory) else None

    def semantic(self, name: str, backend: SearchBackend, query: str) -> list[tuple[str, Strategy]]:
        memory, limits = self.memory(), self.settings.rewrite
        if memory is None:
            return []
        texts = memory.neighbours(name, backend, query, limits.semantic_k, limits.semantic_min_cosine)
        return [(t, "semantic") for t in texts]

    def check(self, data: RewriteInput, ctx: SkillContext) -> RewriteJob:
        limits = self.settings.rewrite
        query = " ".join(data.query.split())
        if not query:
            raise SkillInputError("query is empty", param="query")
        if len(query) > limits.max_query_chars:
            raise SkillInputError(
                f"query has {len(query)} characters; the limit is {limits.max_query_chars}", param="query"
            )
        if hangul_ratio(query) < limits.min_hangul_ratio:
            raise SkillInputError("query is not Korean text (too few Hangul letters)", param="query",
                                  code="unsupported_language")
        k = data.k or limits.max_rewrites
        if k > limits.max_rewrites:
            raise SkillInputError(f"k is {k}; the limit is {limits.max_rewrites}", param="k")
        backend = None
        if data.search is not None:
            if data.search not in self.search_backends:
                known = ", ".join(sorted(self.search_backends)) or "none configured"
                raise SkillInputError(f"unknown search backend {data.search!r} ({known})", param="search")
            backend = self.search_backends[data.search]
        return RewriteJob(query, k, data.search, backend)

    def rules(self, query: str) -> RuleCandidates:
        keyword = self.normalizer.normalize(query)
        candidates: list[tuple[str, Strategy]] = [(keyword, "keyword")]
        corrected = self._spelling(query)
        if corrected is not None:
            candidates.append((self.normalizer.normalize(corrected), "spelling"))
        # spacing is fixed before normalising; only missing spaces are added, existing ones are trusted
        spaced = shared_kiwi().space(corrected or query, reset_whitespace=False)
        if " ".join(spaced.split()) != " ".join((corrected or query).split()):
            candidates.append((self.normalizer.normalize(spaced), "spacing"))
        best = candidates[-1][0]
        candidates += [(t, "synonym") for t in self._synonyms(best)]
        return RuleCandidates(candidates, [(t, "term_drop") for t in self._term_drops(best)])

    async def run(self, job: RewriteJob, ctx: SkillContext) -> RewriteOutput:
        query, k, backend = job.query, job.k, job.backend
        started = time.perf_counter()
        rules = await ctx.offload(self.rules, query)
        candidates = list(rules.before_lm)
        ctx.timing("rules", started)
        lm = await ctx.lm({"query": query, "k": k, "speech_level": ctx.speech_level or "none"})
        if lm is not None:
            candidates += [(ctx.finish_text(t), "lm_paraphrase") for t in cast(LmRewrites, lm).rewrites]
        if backend is not None and job.search is not None:
            candidates += await ctx.offload(self.semantic, job.search, backend, query)
        candidates += rules.term_drops
        unique = self._dedupe(query, candidates)
        ctx.trace["candidates"] = len(unique)
        if backend is None:
            return RewriteOutput(rewrites=[Rewrite(text=t, strategy=s) for t, s in unique[:k]])
        started = time.perf_counter()
        rewrites = []
        limit = self.settings.rewrite.max_search_calls
        ctx.trace["search_calls"] = min(len(unique), limit)
        for text, strategy in unique[:limit]:
            hits = await asyncio.to_thread(backend.count, text)
            if hits > 0:
                rewrites.append(Rewrite(text=text, strategy=strategy, hits=hits))
                if len(rewrites) == k:
                    break
        ctx.timing("search", started)
        ctx.trace["search"] = job.search
        memory = self.memory()
        if memory is not None and job.search is not None:
            memory.remember(job.search, [r.text for r in rewrites])
        return RewriteOutput(rewrites=rewrites)

    @staticmethod
    def _dedupe(query: str, candidates: list[tuple[str, Strategy]]) -> list[tuple[str, Strategy]]:
        seen = {" ".join(query.split())}
        out = []
        for text, strategy in candidates:
            clean = " ".join(text.split())
            if clean and clean not in seen:
                seen.add(clean)
                out.append((clean, strategy))
        return out

    @staticmethod
    def _spelling(query: str) -> str | None:
        """The query with the words Kiwi's typo model corrects rebuilt from the corrected morphemes."""
        kiwi = shared_kiwi()
        tokens = kiwi.tokenize(query, typos="basic")
        if not any(getattr(t, "typo_cost", 0.0) > 0 for t in tokens):
            return None
        words = []
        for word in eojeols(query, tokens):
            if any(getattr(t, "typo_cost", 0.0) > 0 for t in word.tokens):
                words.append(kiwi.join([(t.form, t.tag) for t in word.tokens]))
            else:
                words.append(word.surface)
        return " ".join(words)

    @staticmethod
    def _synonyms(keyword: str) -> list[str]:
        words = keyword.split()
        out = []
        for i, word in enumerate(words):
            for alt in SYNONYMS.get(word, ())[:2]:
                out.append(" ".join([*words[:i], alt, *words[i + 1 :]]))
        return out

    @staticmethod
    def _term_drops(keyword: str) -> list[str]:
        words = keyword.split()
        if len(words) < 2:
            return []
        tagged = shared_kiwi().tokenize(words)
        function_like = [i for i, toks in enumerate(tagged) if toks and toks[0].tag.startswith(_DROP_FIRST_TAGS)]
        order = function_like + [i for i in range(len(words)) if i not in function_like]
        return [" ".join(w for j, w in enumerate(words) if j != i) for i in order]
