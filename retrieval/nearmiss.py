"""Near-miss check: a stored question that shares the query's frame but not its topic asks something else.

Contract: `swapped_topics(analyzer, query, question)` returns the (query-only, question-only) topic nouns when
the two texts swap their topic — each has a topic noun the other lacks and they share none ("주식 추천해줘" /
"메뉴 추천해줘", "오늘 날씨 어때?" / "오늘 기분 어때요?") — and None otherwise. Lexical scores rate such pairs
high because everything but the topic matches, yet the stored answer is about the other topic. A query that only
adds a topic to a topic-less stored question ("회사 가기 싫어" / "가기 싫어") is not a swap. Measured on the
held-out Question_pair test split in benchmarks/RESULTS.md.
"""

from __future__ import annotations

from retrieval.analyzer import KoreanAnalyzer


def swapped_topics(analyzer: KoreanAnalyzer, query: str, question: str
                   ) -> tuple[frozenset[str], frozenset[str]] | None:
    mine, theirs = analyzer.topics([query, question])
    if mine & theirs or not (mine - theirs) or not (theirs - mine):
        return None
    return mine - theirs, theirs - mine
