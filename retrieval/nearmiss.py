"""Near-miss signs: a stored question that matches the query's words but may ask something else.

Contract: `near_miss(analyzer, query, question)` returns why the stored `question` does not answer `query` (a
phrase naming the first of four language-level signs it shows), or None when nothing says so; the selector
refuses a confident match that shows a sign. Measured with multilingual-e5-small in the fusion
(benchmarks/RESULTS.md): as features of the confidence model the signs got near-zero weights (they are rare in
the fitting data), and the bundled set then answered "주식 추천해줘" with the menu answer (0.80), "오늘 날씨
어때?" with the mood answer and "진짜?" with "진짜 사람 아니지?"; as refusals they cost 0.01 balanced accuracy on
the Question_pair test split (the topic swap also refuses some loose paraphrases that swap a noun for a
synonym) and nothing on StyleKQC, and they keep those answers from speaking of another topic. The signs:
- a topic swap: each text has a topic noun the other lacks and they share none ("주식 추천해줘" /
  "메뉴 추천해줘", "오늘 날씨 어때?" / "오늘 기분 어때요?"). Lexical scores rate such pairs high because everything but
  the topic matches, yet the stored answer is about the other topic;
- an unasked question: the query asks (an interrogative: 언제, 어디, 왜 …) about a topic, and the stored question has
  no topic and does not ask that ("임진왜란은 언제 일어났어?" / "일어났어");
- a bare reaction: every word of the query is an adverb, interjection, pronoun or light predicate ("정말요?", "응",
  "그래"), and the stored question says more (a topic or a predicate the query lacks) or shares only letters with
  it ("응" / "응원해줘"). A reaction needs the conversation, so the LM should answer it;
- a lone predicate: the query is one predicate and nothing else ("싫어", "더워") and the stored question is about a
  topic ("출근 싫어", "선풍기 틀어도 더워"): its answer speaks of that topic.
A query that only adds a topic to a topic-less stored question, without asking anything new, shows no sign ("회사
가기 싫어" / "가기 싫어" is the same wish).
"""

from __future__ import annotations

from retrieval.analyzer import INTERROGATIVES, LIGHT_PREDICATES, KoreanAnalyzer, Reading


def _swap(mine: frozenset[str], theirs: frozenset[str]) -> tuple[frozenset[str], frozenset[str]] | None:
    if mine & theirs or not (mine - theirs) or not (theirs - mine):
        return None
    return mine - theirs, theirs - mine


def _reason(asked: Reading, stored: Reading) -> str | None:
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


def near_miss(analyzer: KoreanAnalyzer, query: str, question: str) -> str | None:
    """Why `question` asks something else than `query` (a phrase for the selector's reason), or None."""
    asked, stored = analyzer.read([query, question])
    return _reason(asked, stored)
