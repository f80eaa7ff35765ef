"""Alternative questions for the keyword normaliser: "A할까 B할까", "A야 B야", "A할까 아니면 B할까".

Contract: `alternative(kiwi, text, toks, normalize_clause)` returns the keyword query for an utterance that ends
in two or more clauses offered as options, else None. Clauses are options when they differ but close with
the same ending sequence (a question ending, or a plain one on the same predicate: "살아 못 살아"), possibly
joined by "아니면/아님/혹은/또는". When every option has the same non-copula predicate, the options are named
and the predicate becomes a modifier of 것: "고속도로로 갈까 국도로 갈까" -> "고속도로와 국도 중 갈 것";
otherwise each clause is normalised as a yes/no question by `normalize_clause`: "비가 올까 맑을까" ->
"비 올지 맑을지", "봄이야 여름이야" -> "봄인지 여름인지".
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

from generation.skills.keyword_frames import last_unit, main_sentence, thing_copula
from generation.skills.keyword_inflect import surfaces
from generation.skills.keyword_tables import (
    BENEFACTIVE,
    ENDINGS,
    OR_WORDS,
    PRED,
    QUESTION_END,
    Tok,
    ending_keys,
)


def alternative(
    kiwi: Any, text: str, toks: list[Tok], normalize_clause: Callable[[str, list[Tok]], str | None]
) -> str | None:
    """Keyword query for "A할까 B할까" / "A야 B야": clauses offered as options, each closed by a question ending."""
    clauses = option_clauses(toks)
    if clauses is None:
        return None
    lemmas = [predicate_lemma(c) for c in clauses]
    shared = all(lem == lemmas[0] for lem in lemmas) and lemmas[0][-1][1] != "VCP"
    if shared:
        named = shared_options(kiwi, text, clauses, lemmas[0])
        if named:
            return named
    parts = [normalize_clause(text, as_question(c)) for c in clauses]
    if not all(parts):
        return None
    return " ".join(p for p in parts if p)


def option_clauses(toks: list[Tok]) -> list[list[Tok]] | None:
    """The final clauses that are options to each other (two or more), the first with its context, or None."""
    n = len(toks)
    joiner = or_words(toks)
    ends = [
        i for i, t in enumerate(toks)
        if t.tag in {"EF", "EC"} and (i == n - 1 or toks[i + 1].word != t.word) and t.word not in joiner
        # "읽지 않은", "좋지 않을까": an ending that an auxiliary or negation completes closes no clause
        and not (i < n - 1 and (toks[i + 1].tag == "VX" or (t.tag == "EC" and t.form == "지")))
    ]
    if len(ends) < 2 or ends[-1] != n - 1:
        return None
    bounds = [-1, *ends]
    spans = [[t for t in toks[a + 1 : b + 1] if t.word not in joiner] for a, b in itertools.pairwise(bounds)]
    spans = [thing_copula(c) for c in spans]
    k = len(spans) - 1
    while k > 0 and is_option(spans[k - 1], spans[k]):
        k -= 1
    if k == len(spans) - 1:
        return None
    first = main_sentence(thing_copula([t for t in toks[: ends[k] + 1] if t.word not in joiner]))
    clauses = [first, *spans[k + 1 :]]
    if any(not c or not any(t.tag.startswith(PRED) for t in c) for c in clauses):
        return None
    return clauses


def or_words(toks: list[Tok]) -> set[int]:
    """Words that join options: "아니면", "아님", "혹은", "또는"."""
    words: dict[int, list[Tok]] = {}
    for t in toks:
        words.setdefault(t.word, []).append(t)
    return {
        w for w, ts in words.items()
        if "".join(t.form for t in ts) in OR_WORDS or (len(ts) == 1 and ts[0].tag == "MAJ" and ts[0].form in OR_WORDS)
    }


def is_option(this: list[Tok], later: list[Tok]) -> bool:
    """Two clauses are options when they differ but close with the same ending ("갈까 … 갈까", "야 … 야"), a
    question ending or, for a plain one ("살아 못 살아"), on the same predicate."""
    if not this or not later or not any(t.tag.startswith(PRED) for t in this):
        return False
    forms, later_forms = [t.form for t in this], [t.form for t in later]
    if forms[-len(later_forms) :] == later_forms:
        return False  # "앉아 앉아" repeats one request
    if ending_keys(this) != ending_keys(later):
        return False  # "잘 테니 꺼 주겠니": "-니" after "-겠-" is another ending than the clause's "-니"
    return this[-1].form in QUESTION_END or predicate_lemma(this) == predicate_lemma(later)


def predicate_lemma(clause: list[Tok]) -> list[tuple[str, str]]:
    """The final predicate's stems ("갈까" -> [("가", "VV")]), the key for "same predicate"."""
    unit = last_unit(clause)
    stems = [(t.form, t.tag) for t in clause[unit:] if t.tag not in ENDINGS and t.tag.startswith(PRED)]
    return stems or [("", "")]


def as_question(clause: list[Tok]) -> list[Tok]:
    """The clause with its final ending replaced by a plain question ending ("-ㄹ까" keeps its prospective)."""
    last = clause[-1]
    out = list(clause[:-1])
    if last.form in {"ᆯ까", "을까", "ᆯ까요", "을까요"}:
        out.append(Tok("ᆯ", "EP", last.start, last.end, last.word))
    out.append(Tok("니", "EF", last.start, last.end, last.word))
    return out


def shared_options(kiwi: Any, text: str, clauses: list[list[Tok]], lemma: list[tuple[str, str]]) -> str | None:
    """Same predicate in every clause: "A로 갈까 B로 갈까" -> "A와 B 중 갈 것"."""
    options: list[str] = []
    context: list[str] = []
    for k, clause in enumerate(clauses):
        unit = last_unit(clause)
        if unit == 0:
            return None
        word = clause[unit - 1].word
        start = unit - 1
        while start > 0 and clause[start - 1].word == word:
            start -= 1
        # bare nouns before the option word belong to it ("창가 쪽 좌석을")
        while start > 0 and clause[start - 1].tag.startswith(("NN", "NR", "SN")) and clause[start - 1].word != word:
            word = clause[start - 1].word
            prev = start - 1
            while prev > 0 and clause[prev - 1].word == word:
                prev -= 1
            if not all(t.tag.startswith(("NN", "NR", "SN", "XSN")) for t in clause[prev:start]):
                break
            start = prev
        opt = list(clause[start:unit])
        while opt and opt[-1].tag.startswith("J"):
            opt = opt[:-1]
        if not opt or not opt[-1].tag.startswith(("NN", "NR", "SN", "SL", "XSN", "NP")):
            return None
        options.append(" ".join(text[opt[0].start : opt[-1].end].split()))
        if k == 0:
            context = surfaces(text, clause[:start])
    bare = [(f, t) for f, t in lemma if not (t == "VX" and f in BENEFACTIVE)]
    stative = bare[-1][1].startswith(("VA", "XSA")) and bare[-1][0] not in {"있", "없"}
    pred = kiwi.join([*bare, ("ᆫ" if stative else "ᆯ", "ETM")])
    joined = " ".join(kiwi.join([(o, "NNG"), ("와", "JC")]) for o in options[:-1])
    return " ".join([*context, joined, options[-1], "중", pred, "것"])
