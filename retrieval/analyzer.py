"""Korean analyser: Kiwi morphemes normalised for lexical matching.

Contract: `analyze(texts)` maps each text to a list of string terms such that inflected and
differently spaced forms of the same words produce the same terms. Predicates (verbs, adjectives,
auxiliaries) become their lemma (`받으니까` -> `받다`), particles, endings, copulas and punctuation are
dropped, nouns, adverbs (negation `안`/`못` matters for intent), numbers, Latin and Hanja tokens are kept.
The term list is deterministic for a given `version` string; indexes record that version in their
manifest and refuse to load under a different one. `read(texts)` gives each text's terms, topic nouns (content
nouns, Latin and numbers; not verbal nouns of 하다-predicates, not time deixis), main predicates and whether it is
a bare reaction, for the near-miss checks of `retrieval.nearmiss`. Thread-safe (one lock around this analyser's
Kiwi calls; a built Kiwi may also be used by other threads at the same time, so the instance can be shared with
other packages).
"""

from __future__ import annotations

import functools
import threading
import unicodedata
from collections.abc import Iterable, Sequence
from typing import Any, Final, NamedTuple

import kiwipiepy
from kiwipiepy import Kiwi

from korean import lexicon as lx
from korean.kiwi import shared_kiwi

# Tag prefixes kept as terms; measured choice (benchmarks/RESULTS.md, analyser ablation): dropping
# particles/endings/copula but keeping adverbs and lemmatised predicates gave the best paraphrase top-1.
_KEEP_EXACT: Final = frozenset(
    {"NNG", "NNP", "NNB", "NR", "NP", "MAG", "MM", "XR", "SL", "SN", "SH", "IC", "W_HASHTAG"}
)
_PREDICATE: Final = frozenset({"VV", "VA", "VX", "VCN"})
_TOPIC: Final = frozenset({"NNG", "NNP", "XR", "SL", "SN", "SH"})
_VERBAL_SUFFIX: Final = frozenset({"XSV", "XSA"})  # 추천/NNG + 하/XSV: the noun is the predicate, not the topic
_PREDICATE_IRREGULAR_SUFFIX: Final = ("-R", "-I")
_MAIN_PREDICATE: Final = frozenset({"VV", "VA"})
# Predicates that carry no intent of their own ("오늘 날씨 어때" asks what "오늘 날씨" asks; "그래" only reacts).
LIGHT_PREDICATES: Final = lx.LIGHT_PREDICATE_LEMMAS
# Terms that react or point but name nothing: adverbs, interjections, determiners, pronouns.
_FUNCTION_TAGS: Final = frozenset({"MAG", "MAJ", "IC", "MM", "NP"})
# Interrogatives as `analyze` returns them (어떻게 -> 어떻다).
INTERROGATIVES: Final = lx.INTERROGATIVE_FORMS | lx.INTERROGATIVE_LEMMAS


class Reading(NamedTuple):
    """One text as the near-miss checks read it."""

    terms: list[str]
    topics: frozenset[str]
    predicates: frozenset[str]  # lemmas of main verbs and adjectives ("고맙다", "가다")
    reaction: bool  # every term is an adverb, interjection, pronoun or light predicate ("정말요?", "응", "그래")


def _base_tag(tag: str) -> str:
    for suffix in _PREDICATE_IRREGULAR_SUFFIX:
        if tag.endswith(suffix):
            return tag[: -len(suffix)]
    return tag


@functools.cache
def shared_analyzer() -> KoreanAnalyzer:
    """One process-wide analyser: Kiwi's model takes seconds to load and the analyser is stateless."""
    return KoreanAnalyzer()


class KoreanAnalyzer:
    """Kiwi-based term extractor used by every lexical retriever and by query analysis."""

    def __init__(self, *, kiwi: Kiwi | None = None) -> None:
        # An injected `kiwi` must have a worker thread (batched `tokenize(list)` needs one) and no user words, which
        # would change the terms; the default is korean's plain shared Kiwi, which has both properties.
        self._kiwi = kiwi if kiwi is not None else shared_kiwi()
        self._lock = threading.Lock()
        self.version = f"kiwi-{kiwipiepy.__version__}/lemma-content-v1"

    @staticmethod
    def normalize_text(text: str) -> str:
        """NFKC (full-width Latin/digits to ASCII, compatibility jamo kept) and lower-case Latin."""
        return unicodedata.normalize("NFKC", text).lower().strip()

    @staticmethod
    def _terms(tokens: Iterable[Any]) -> list[str]:  # kiwipiepy Tokens (untyped)
        terms: list[str] = []
        for token in tokens:
            tag = _base_tag(token.tag)
            if tag in _PREDICATE:
                terms.append(token.lemma)
            elif tag in _KEEP_EXACT:
                terms.append(token.form)
        return terms

    def analyze(self, text: str) -> list[str]:
        """Terms of one text; [] for empty or term-less input (emoji only, punctuation only)."""
        return self.analyze_many([text])[0]

    def analyze_many(self, texts: Sequence[str]) -> list[list[str]]:
        """Terms of many texts, analysed in one batched Kiwi call."""
        normalized = [self.normalize_text(t) for t in texts]
        out: list[list[str]] = [[] for _ in normalized]
        todo = [i for i, t in enumerate(normalized) if t]
        if not todo:
            return out
        with self._lock:
            if len(todo) == 1:
                out[todo[0]] = self._terms(self._kiwi.tokenize(normalized[todo[0]]))
                return out
            results = self._kiwi.tokenize([normalized[i] for i in todo])
            for i, tokens in zip(todo, results, strict=True):
                out[i] = self._terms(tokens)
        return out

    @staticmethod
    def _topics(tokens: Sequence[Any]) -> frozenset[str]:  # kiwipiepy Tokens (untyped)
        out: set[str] = set()
        for i, token in enumerate(tokens):
            tag = _base_tag(token.tag)
            following = _base_tag(tokens[i + 1].tag) if i + 1 < len(tokens) else ""
            form = token.form
            if tag in _TOPIC and following not in _VERBAL_SUFFIX and form not in lx.TIME_DEIXIS:
                out.add(form)
        return frozenset(out)

    def read(self, texts: Sequence[str]) -> list[Reading]:
        """Terms (as `analyze`), topic nouns and main predicates of each text, one batched Kiwi call."""
        normalized = [self.normalize_text(t) for t in texts]
        out = [Reading([], frozenset(), frozenset(), False) for _ in normalized]
        todo = [i for i, t in enumerate(normalized) if t]
        if not todo:
            return out
        with self._lock:
            results = self._kiwi.tokenize([normalized[i] for i in todo])
        for i, tokens in zip(todo, results, strict=True):
            listed = list(tokens)
            predicates = frozenset(t.lemma for t in listed if _base_tag(t.tag) in _MAIN_PREDICATE)
            terms = self._terms(listed)
            reaction = bool(terms) and all(
                _base_tag(t.tag) in _FUNCTION_TAGS or (_base_tag(t.tag) in _PREDICATE and t.lemma in LIGHT_PREDICATES)
                for t in listed if _base_tag(t.tag) in _PREDICATE or _base_tag(t.tag) in _KEEP_EXACT)
            out[i] = Reading(terms, self._topics(listed), predicates, reaction)
        return out

    def split_sentences(self, text: str) -> list[str]:
        """Sentence split (used to chunk knowledge documents)."""
        with self._lock:
            return [s.text for s in self._kiwi.split_into_sents(text)]
