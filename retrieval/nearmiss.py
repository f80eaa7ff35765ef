"""Near-miss check: a stored question that matches the query's words but asks something else.

Contract: `near_miss(analyzer, query, question)` returns why the stored `question` does not answer `query`, or None
when nothing says so. Four language-level signs, all measured on the held-out Question_pair test split in
benchmarks/RESULTS.md:
- a topic swap: each text has a topic noun the other lacks and they share none ("주식 추천해줘" /
  "메뉴 추천해줘", "오늘 날씨 어때?" / "오늘 기분 어때요?"). Lexical scores rate such pairs high because everything but
  the topic matches, yet the stored answer is about the other topic;
- an unasked question: the query asks (an interrogative: 언제, 어디, 왜 …) about a topic, and the stored question has
  no topic and does not ask that ("임진왜란은 언제 일어났어?" / "일어났어"). Measured: with the stored question's own
  topic allowed, the rule also refused right paraphrases ("그 사람 이상형은 뭘까" / "그사람 이상형 궁금해").
- a bare reaction: every word of the query is an adverb, interjection, pronoun or light predicate ("정말요?", "응",
  "그래"), and the stored question says more (a topic or a predicate the query lacks: "정말 고마워" is thanks, "네
  이름은?" asks a name) or shares only letters with it ("응" / "응원해줘"). A reaction needs the conversation, so
  the LM answers it;
- a lone predicate: the query is one predicate and nothing else ("싫어", "더워") and the stored question is about a
  topic ("출근 싫어", "선풍기 틀어도 더워"): its answer speaks of that topic. (Refusing every topic-less query matched
  to a stored question with a topic was measured too: it refused many right paraphrases.)
A query that only adds a topic to a topic-less stored question, without asking anything new, is kept ("회사 가기
싫어" / "가기 싫어" is the same wish).
"""

from __future__ import annotations

from retrieval.analyzer import INTERROGATIVES, LIGHT_PREDICATES, KoreanAnalyzer


def _swap(mine: frozenset[str], theirs: frozenset[str]) -> tuple[frozenset[str], frozenset[str]] | None:
    if mine & theirs or not (mine - theirs) or not (theirs - mine):
        return None
    return mine - theirs, theirs - mine


def near_miss(analyzer: KoreanAnalyzer, query: str, question: str) -> str | None:
    """Why `question` asks something else than `query` (a phrase for the selector's reason), or None."""
    asked, stored = analyzer.read([query, question])
    mine, theirs = asked.topics, stored.topics
    swap = _swap(mine, theirs)
    if swap is not None:
        return f"is about {', '.join(sorted(swap[1]))}, the query about {', '.join(sorted(swap[0]))}"
    asks = (set(asked.terms) & INTERROGATIVES) - set(stored.terms)
    added = mine - theirs
    if asks and added and not theirs:
        return f"does not ask {', '.join(sorted(asks))} about {', '.join(sorted(added))} as the query does"
    if len(set(asked.terms)) == 1 and asked.predicates and not mine and theirs - set(asked.terms):
        return f"is about {', '.join(sorted(theirs))}, the query only says {asked.terms[0]}"
    if asked.reaction:  # "정말요?", "응", "그래"
        if not set(asked.terms) & set(stored.terms):
            return f"shares only letters with the query ({', '.join(asked.terms)})"
        said = (theirs | (stored.predicates - LIGHT_PREDICATES)) - set(asked.terms)
        if said:
            return f"says {', '.join(sorted(said))}, which the query ({', '.join(asked.terms)}) does not"
    return None
