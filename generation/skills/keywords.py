"""Conversational -> keyword normalisation for Korean, LM-free, from Kiwi morphology alone.

Contract: `KeywordNormalizer().normalize("내일 자외선 지수가 어느 정도이니")` returns the core query
("내일 자외선 지수"). Rules are general Korean morphology, never keyed to example strings:
1. fillers (좀, 혹시), clause-initial interjections and linking adverbs (음, 근데) and trailing frames are
   dropped: telling/checking predicates around an embedded question or a noun phrase ("…인지 알려줘",
   "… 확인해 줄래"), modal frames ("-ㄹ 수 있니"),
   wh-predicates and degree questions ("어디지", "뭐야", "어느 정도이니", "얼마나 높지", "뭐가 있니"),
   tag questions ("알았지");
2. the remaining final predicate is re-inflected by sentence type: a request or invitation ("같이 갈래")
   becomes a nominalised "-기" form without benefactive 주다 / trying 보다 / honorific / tense ("꺼 줘" ->
   "끄기"), a prohibition ("-지 마", "-면 안 돼") becomes "-지 않기", a yes/no question becomes an
   embedded "-는지/-ㄴ지" clause ("덥니" -> "더운지"), a noun phrase is kept; a question word that is
   itself the predicate ("생일이 언제야") is dropped without adding a head noun, one inside a clause is
   named by one ("언제 오니" -> "오는 날짜"); "몇" + counter names a count ("몇 번" -> "횟수", "몇 개 있니"
   -> "… 수") except for measures ("몇 도"), which ask the value of the noun before them;
3. a final "clause + 것 + copula" asks about the clause itself: "누가 보낸 거니" is read as "누가 보냈니"
   ("보낸 사람"), "끝나는 거야" as "끝나니", "갈 건가요" keeps its prospective ("갈지"), "기다리는 거다" tells the
   listener what to do ("기다리기");
4. alternative questions, clauses offered as options with the same closing ending ("A할까 B할까", "A야 B야"),
   become "A와 B 중 <predicate> 것" when they share the predicate, else "A-ㄹ지 B-ㄹ지" / "A인지 B인지";
5. words that carry no search content are dropped: first/second-person pronouns with their case particle
   ("내가 보낸 메일" -> "보낸 메일"), subject/topic/object markers, the genitive 의, and the locative 에
   when a noun follows ("거실에 에어컨" -> "거실 에어컨").
6. given a learned sentence type per utterance (`analyse_batch(hints=…)`, from `keyword_edits`), the rules keep the
   last sentence whose form fits it, let it settle an ending the form leaves open ("보일러 켜져 있어" as a
   question: "보일러 켜졌는지"), and name what a prohibition forbids where the form only implies it ("과속은 위험해"
   -> "과속하지 않기", `keyword_inflect.implied_prohibition`). Without hints nothing of this applies.
Typed punctuation is ignored, except that a final "?" makes a plain "-어" on a verb a question ("비 와?" ->
"비 오는지", "비 와" -> "비 오기"). Unknown shapes degrade gracefully: the utterance comes back with only the
safe drops applied.

This module is the entry point; the rules live in `keyword_tables` (closed classes, `Tok`), `keyword_frames`
(what is dropped), `keyword_inflect` (re-inflection) and `keyword_options` (alternative questions).
"""


from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from generation.skills.keyword_frames import (
    drop_frame,
    drop_pronouns,
    flatten,
    follows_declined,
    main_sentence,
    thing_copula,
    wh_relative,
)
from generation.skills.keyword_inflect import reinflect, surfaces
from generation.skills.keyword_options import alternative
from generation.skills.keyword_tables import FILLERS, Tok
from korean.kiwi import shared_kiwi


def joins_verbal_noun(toks: list[Tok], head_start: int) -> bool:
    """Whether the noun before a head in 하다 is its verbal noun: "환기 해줘", "과음을 하지 마"."""
    before = toks[head_start - 1]
    if before.tag == "JKO":
        return head_start > 1 and toks[head_start - 2].tag == "NNG" and toks[head_start - 2].word == before.word
    return before.tag == "NNG"


class KeywordNormalizer:
    """Conversational utterance -> keyword query (see module docstring)."""

    def __init__(self, kiwi: Any | None = None) -> None:
        self._kiwi = kiwi or shared_kiwi()

    def normalize(self, utterance: str) -> str:
        return self.normalize_batch([utterance])[0]

    def normalize_batch(self, utterances: list[str]) -> list[str]:
        return self.analyse_batch(utterances)[0]

    def tokenize(self, utterances: Sequence[str]) -> list[list[Any]]:
        return [list(tokens) for tokens in self._kiwi.tokenize(list(utterances))]

    def analyse_batch(
        self,
        utterances: Sequence[str],
        hints: Sequence[str | None] | None = None,
        tokens: Sequence[list[Any]] | None = None,
    ) -> tuple[list[str], list[str], list[list[Any]]]:
        """(keyword queries, which path made each: "alternative" or "clause", the Kiwi tokens of each).
        `hints`: a learned sentence type per utterance (`SENTENCE_TYPES`) or None; `tokens`: Kiwi's, when known."""
        results = list(tokens) if tokens is not None else self.tokenize(utterances)
        kinds = list(hints) if hints is not None else [None] * len(results)
        done = [
            self._normalize_one(text, toks, hint) for text, toks, hint in zip(utterances, results, kinds, strict=True)
        ]
        return [d[0] for d in done], [d[1] for d in done], results

    def _normalize_one(self, text: str, raw: list[Any], hint: str | None = None) -> tuple[str, str]:
        toks = flatten(text, raw)
        toks = [t for t in toks if not (t.form in FILLERS and t.tag.startswith("MA"))]
        toks = drop_pronouns(toks)
        options = alternative(self._kiwi, text, toks, self._normalize_clause)
        if options:
            return options, "alternative"
        asked = text.rstrip().endswith("?")
        clause = main_sentence(toks, hint)
        start = next((i for i, t in enumerate(toks) if clause and t is clause[0]), 0)
        if hint == "prohibition" and follows_declined(toks, start):
            hint = None  # "…하지 말고 Y": Y is asked for, not forbidden
        # interjections and linking adverbs that open the clause ("음", "근데", "그럼") carry no search content
        while len(clause) > 1 and clause[0].tag in {"IC", "MAJ"}:
            clause = clause[1:]
        return self._normalize_clause(text, clause, asked=asked, hint=hint) or " ".join(text.split()), "clause"

    def _normalize_clause(
        self, text: str, toks: list[Tok], *, asked: bool = False, hint: str | None = None
    ) -> str | None:
        """One clause -> keyword query, or None when nothing is left to say."""
        if not toks:
            return None
        toks = thing_copula(toks)
        kind, head_noun = None, None
        for _ in range(6):
            toks, changed, frame_kind = drop_frame(toks)
            if not changed:
                break
            kind = frame_kind
            if frame_kind and frame_kind.startswith("wh:"):
                kind, head_noun = None, frame_kind[3:]
        if not toks:
            return None
        if head_noun is None:
            toks, head_noun = wh_relative(toks)
            kind = "relative" if head_noun else kind
        if not toks:
            return head_noun or None
        head_start, head = reinflect(self._kiwi, text, toks, kind, asked=asked, hint=hint)
        if head_noun and not head.endswith(head_noun):
            head = f"{head} {head_noun}".strip()
        body = surfaces(text, toks[:head_start])
        if body and head.startswith("하") and head_start > 0 and joins_verbal_noun(toks, head_start):
            # "환기 해줘" -> "환기하기": a verbal noun and its 하다 are one keyword
            head = body.pop() + head
        return " ".join(p for p in [*body, head] if p).strip() or None
