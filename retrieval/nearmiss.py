"""Near-miss check: a stored question that matches the query's words but asks something else.

Contract: `near_miss(analyzer, query, question)` returns why the stored `question` does not answer `query`, or None
when nothing says so. Two language-level signs, both measured on the held-out Question_pair test split in
benchmarks/RESULTS.md:
- a topic swap (`swapped_topics`): each text has a topic noun the other lacks and they share none ("주식 추천해줘" /
  "메뉴 추천해줘", "오늘 날씨 어때?" / "오늘 기분 어때요?"). Lexical scores rate such pairs high because everything but
  the topic matches, yet the stored answer is about the other topic;
- an unasked question: the query asks (an interrogative: 언제, 어디, 왜 …) about a topic, and the stored question has
  no topic and does not ask that ("임진왜란은 언제 일어났어?" / "일어났어"). Measured: with the stored question's own
  topic allowed, the rule also refused right paraphrases ("그 사람 이상형은 뭘까" / "그사람 이상형 궁금해").
A query that only adds a topic to a topic-less stored question, without asking anything new, is kept ("회사 가기
싫어" / "가기 싫어" is the same wish).
"""

from __future__ import annotations

from retrieval.analyzer import INTERROGATIVES, KoreanAnalyzer


def _swap(mine: frozenset[str], theirs: frozenset[str]) -> tuple[frozenset[str], frozenset[str]] | None:
    if mine & theirs or not (mine - theirs) or not (theirs - mine):
        return None
    return mine - theirs, theirs - mine


def swapped_topics(analyzer: KoreanAnalyzer, query: str, question: str
                   ) -> tuple[frozenset[str], frozenset[str]] | None:
    """The (query-only, question-only) topic nouns when the two texts swap their topic, else None."""
    mine, theirs = analyzer.topics([query, question])
    return _swap(mine, theirs)


def near_miss(analyzer: KoreanAnalyzer, query: str, question: str) -> str | None:
    """Why `question` asks something else than `query` (a phrase for the selector's reason), or None."""
    (query_terms, mine), (question_terms, theirs) = analyzer.terms_and_topics([query, question])
    swap = _swap(mine, theirs)
    if swap is not None:
        return f"is about {', '.join(sorted(swap[1]))}, the query about {', '.join(sorted(swap[0]))}"
    asks = (set(query_terms) & INTERROGATIVES) - set(question_terms)
    added = mine - theirs
    if asks and added and not theirs:
        return f"does not ask {', '.join(sorted(asks))} about {', '.join(sorted(added))} as the query does"
    return None
