"""A one-noun fragment replaces the frame word it is a sibling of, by meaning: "해군은?" after "육군 복무기간 몇
개월이야?" asks "해군 복무기간 몇 개월이야?", "감자는요?" after "고구마 모종 언제 심어요?" asks about 감자.

Contract: `SiblingMatcher.match(fragment, frame)` returns the frame mention (a noun, name, place, person or thing;
never an attribute, time or quantity) whose word ends like the fragment's head in two syllables or more, when
exactly one does ("접이식 우산" for "장우산"), else the one whose sentence-encoder cosine with the fragment's noun is
highest, when that cosine reaches the fitted `threshold` and the frame does not quote it (a quoted name is kept whole:
"주차장은?" after "'새솔 시외버스터미널' 어디 있어?"), else None. Only consulted when no typed slot of the frame
took the fragment (`dst.ellipsis`). The threshold is fitted by `dst.training.sibling` on the written training
dialogues' one-noun fragments and shipped as `data/sibling_matcher.json`; without the file or an encoder, nothing
is matched.
"""

from __future__ import annotations

import functools
import json
import logging
import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from dst.analysis import Analysis, Mention
from dst.mentions import TITLE_RE

log = logging.getLogger(__name__)
_WORD = re.compile(r"\S+")
BUNDLED = Path(__file__).resolve().parent / "data" / "sibling_matcher.json"
SLOT_KINDS = frozenset({"noun", "item", "org", "place", "person"})
WordSimilarity = Callable[[str, Sequence[str]], list[float]]


def frame_slots(frame: Analysis) -> list[Mention]:
    """The frame words a fragment may stand in for."""
    return [m for m in frame.mentions if m.kind in SLOT_KINDS and not m.predicative]


def _quoted(m: Mention, frame: Analysis) -> bool:
    """Whether the frame quotes the mention: a name given as written ("'새솔 시외버스터미널'"), which a fragment of
    another kind ("주차장은?") does not stand in for by meaning alone."""
    return any(q.start(1) <= m.start and m.end <= q.end(1) for q in TITLE_RE.finditer(frame.text))


def _common_suffix(a: str, b: str) -> int:
    n = 0
    while n < min(len(a), len(b)) and a[-1 - n] == b[-1 - n]:
        n += 1
    return n


class SiblingMatcher:
    def __init__(self, threshold: float, similarity: WordSimilarity, meta: dict[str, Any] | None = None) -> None:
        self.threshold = threshold
        self.similarity = similarity
        self.meta = meta or {}

    def scores(self, fragment: Mention, frame: Analysis) -> list[tuple[Mention, float]]:
        slots = frame_slots(frame)
        if not slots:
            return []
        try:
            sims = self.similarity(fragment.text, [m.text for m in slots])
        except Exception:  # the encoder only adds evidence; the rules go on without it
            log.exception("sibling similarity failed; no meaning match")
            return []
        return sorted(zip(slots, sims, strict=True), key=lambda pair: pair[1], reverse=True)

    def match(self, fragment: Mention, frame: Analysis) -> tuple[Mention, float] | None:
        if fragment.kind not in SLOT_KINDS:
            return None
        # a fragment whose head ends like a word of exactly one slot is that slot's sibling ("접이식 우산" for
        # "장우산 살 …"): two shared syllables or more, so "해군" / "육군" still goes to the encoder
        head = fragment.text.split()[-1]
        shared = [(max(_common_suffix(head, w) for w in m.text.split()), m) for m in frame_slots(frame)
                  if m.text != fragment.text]
        best = max((n for n, _ in shared), default=0)
        if best >= 2 and [n for n, _ in shared].count(best) == 1:
            return next(m for n, m in shared if n == best), 1.0
        ranked = self.scores(fragment, frame)
        if ranked and ranked[0][1] >= self.threshold and ranked[0][0].text != fragment.text and not _quoted(
                ranked[0][0], frame):
            return ranked[0]
        return None

    def word_span(self, fragment: Mention, target: Mention) -> tuple[int, int]:
        """The span of the target's word that a one-word fragment stands in for, when the target is several words
        ("해군" for 육군 in "육군 복무기간", "강남점" for 홍대점 in "주사위골목 홍대점"); the whole target when the
        fragment is several words ("버거킹 와퍼" for "맥도날드 빅맥") or the target holds a bare number ("아이오닉 5" is
        one model), except the target's last words when a fragment of several words ends with the same head."""
        words = [(target.start + m.start(), target.start + m.end(), m.group()) for m in _WORD.finditer(target.text)]
        said = fragment.text.split()
        if 2 <= len(said) < len(words) and said[-1] == words[-1][2] and not any(w.isdigit() for _, _, w in words):
            # the same head with other modifiers ("전체 염색" for "뿌리 염색" in "모노톤 헤어 뿌리 염색"): the
            # fragment's words stand in for as many words at the target's end, and the name before them stays
            return words[-len(said)][0], words[-1][1]
        if len(words) < 2 or " " in fragment.text.strip() or any(w.isdigit() for _, _, w in words):
            return target.start, target.end
        # a sibling usually shares its head with the word it stands in for ("강남점" / "홍대점", "해군" / "육군"): when
        # exactly one word ends like the fragment, that is the word, and the encoder is not asked
        shared = [_common_suffix(fragment.text.strip(), w) for _, _, w in words]
        if max(shared) > 0 and shared.count(max(shared)) == 1:
            start, end, _ = words[shared.index(max(shared))]
            return start, end
        try:
            sims = self.similarity(fragment.text, [w for _, _, w in words])
        except Exception:  # the encoder only adds evidence; the whole mention is replaced as before
            log.exception("sibling similarity failed; replacing the whole mention")
            return target.start, target.end
        start, end, _ = max(zip(words, sims, strict=True), key=lambda pair: pair[1])[0]
        return start, end

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        data = {"threshold": self.threshold, "meta": self.meta}
        path.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")

    @classmethod
    def load(cls, similarity: WordSimilarity | None, path: Path | None = None) -> SiblingMatcher | None:
        """The fitted matcher (default: the bundled one), or None without an encoder or a readable file."""
        if similarity is None:
            return None
        path = path or BUNDLED
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            return cls(float(data["threshold"]), similarity, dict(data.get("meta", {})))
        except FileNotFoundError:
            return None
        except (OSError, ValueError, KeyError, TypeError) as exc:
            log.warning("sibling matcher %s not usable (%s); no meaning match", path, exc)
            return None


@functools.cache
def default_sibling_matcher() -> SiblingMatcher | None:
    """The bundled matcher with the offline default encoder (one cached call per word: the frame's words are
    encoded once per frame)."""
    from dst.ranking import default_encoder, encoder_similarity

    encoder = default_encoder()
    return SiblingMatcher.load(encoder_similarity(encoder) if encoder is not None else None)
