"""Hard-negative mining: texts that share words with an anchor but belong to another meaning.

Contract: `mine(texts, groups, analyzer, per_anchor)` indexes the texts with BM25 over Kiwi terms
(`retrieval.lexical.Bm25Retriever`) and, for each text, returns up to `per_anchor` of its best BM25
neighbours whose group differs (`groups` come from `meaning_groups`, the connected components of all
paraphrase pairs, so a text reachable by paraphrases is never its own negative) and whose content
terms are not identical to the anchor's (identical content words are no evidence of another intent).
Deterministic for the same input.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from retrieval.analyzer import KoreanAnalyzer
from retrieval.lexical import Bm25Retriever
from retrieval.training.pairs import Pair, components


def meaning_groups(pairs: Sequence[Pair]) -> dict[str, str]:
    """text -> id of its paraphrase component (connected components of all positive pairs and their groups)."""
    edges = [(node, "group:" + p.group) for p in pairs for node in (p.anchor, p.positive)]
    return {x: root for x, root in components(edges).items() if not x.startswith("group:")}


def mine(texts: Sequence[str], groups: Sequence[str], analyzer: KoreanAnalyzer, *, per_anchor: int = 2,
         pool: int = 10, source: str = "mined") -> list[Pair]:
    if len(texts) != len(groups):
        raise ValueError("texts and groups must have the same length")
    if len(texts) < 2:
        return []
    terms = analyzer.analyze_many(list(texts))
    bm25 = Bm25Retriever.build(terms)
    out: list[Pair] = []
    for i, anchor_terms in enumerate(terms):
        if not anchor_terms:
            continue
        scores = bm25.raw_scores(anchor_terms)
        top = np.argsort(-scores, kind="stable")[:pool + 1]
        taken = 0
        for j in top:
            j = int(j)
            if taken >= per_anchor or scores[j] <= 0:
                break
            if j == i or groups[j] == groups[i] or set(terms[j]) == set(anchor_terms):
                continue
            out.append(Pair(texts[i], texts[j], source, groups[i]))
            taken += 1
    return out
