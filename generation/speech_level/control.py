"""The speech-level control the generator uses: one shared Kiwi, safe to call from several threads.

Contract: `SpeechLevelControl.analyse(text)` gives each sentence's level (None for a fragment), `violations(text,
target)` the sentences at another level, `repair(text, target)` the text with those sentences rewritten
(`generation.speech_level.repair`); `complete_prefix` and `prefix_within` cut text at sentence boundaries.
It analyses with the Kiwi it is given, else the process's plain one (`korean.kiwi.shared_kiwi`).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

from generation.speech_level.repair import repair
from korean.speech import SpeechLevel, final_index, level_of_ending


@dataclass(frozen=True)
class SentenceLevel:
    text: str
    level: SpeechLevel | None
    ending: str | None


class SpeechLevelControl:
    """Thread-safe wrapper over one Kiwi instance."""

    def __init__(self, kiwi: Any = None) -> None:
        self._kiwi = kiwi
        self._lock = threading.Lock()

    @property
    def kiwi(self) -> Any:
        with self._lock:
            if self._kiwi is None:
                from korean.kiwi import shared_kiwi

                self._kiwi = shared_kiwi()
            return self._kiwi

    def analyse(self, text: str) -> list[SentenceLevel]:
        result = []
        for sentence in self.kiwi.split_into_sents(text, return_tokens=True):
            idx = final_index(sentence.tokens)
            if idx is None:
                result.append(SentenceLevel(sentence.text, None, None))
                continue
            token = sentence.tokens[idx]
            level = level_of_ending(token.form, token.tag)
            result.append(SentenceLevel(sentence.text, level, token.form))
        return result

    def complete_prefix(self, text: str) -> str:
        """`text` without a trailing unfinished sentence (kept whole when no sentence is complete)."""
        sentences = self.kiwi.split_into_sents(text, return_tokens=True)
        if not sentences:
            return text
        last = sentences[-1]
        tokens = last.tokens
        finished = bool(tokens) and (tokens[-1].tag == "SF" or (final_index(tokens) is not None
                                     and tokens[final_index(tokens)].tag == "EF"))
        if finished or len(sentences) == 1:
            return text
        return text[:sentences[-2].end].rstrip()

    def prefix_within(self, text: str, limit: int) -> str:
        """The longest run of whole sentences of `text` that fits in `limit` characters; a cut at the last
        space (or at `limit`) when even the first sentence is longer."""
        end = 0
        for sentence in self.kiwi.split_into_sents(text):
            if sentence.end > limit:
                break
            end = sentence.end
        if end:
            return text[:end].rstrip()
        cut = text[:limit]
        space = cut.rfind(" ")
        return (cut[:space] if space > 0 else cut).rstrip()

    def violations(self, text: str, target: SpeechLevel) -> list[SentenceLevel]:
        return [s for s in self.analyse(text) if s.level is not None and s.level != target]

    def repair(self, text: str, target: SpeechLevel) -> str:
        """Rewrite every sentence whose ending is not at `target` level, and formulaic fragments ("네!", "천만에요!");
        other text is left byte-for-byte."""
        return repair(self.kiwi, text, target)
