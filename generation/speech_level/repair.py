"""Speech-level repair: rewrite each sentence whose ending is not at the target level, leave the rest alone.

Contract: `repair(kiwi, text, target)` returns `text` with every off-level sentence and formulaic fragment ("네!",
"천만에요!") rewritten at `target` level; other text is kept byte-for-byte. Only the words (eojeol) that hold a
replaced morpheme are rebuilt, and Kiwi's `join` conjugates them, so contractions and vowel harmony come from the
analyser rather than from string rules.
"""

from __future__ import annotations

from typing import Any

from generation.speech_level.endings import source_ending, target_ending
from generation.speech_level.expressions import GREETINGS, formula
from generation.speech_level.honorifics import word_swaps
from generation.speech_level.morphs import Morph, sentence_morphs
from generation.types import SpeechLevel
from korean.speech import final_index, level_of_ending


def repair(kiwi: Any, text: str, target: SpeechLevel) -> str:
    """`text` at `target` level, sentence by sentence (the mood of one may decide the next one's ambiguous -어요)."""
    out, cursor, previous = [], 0, "statement"
    for sentence in kiwi.split_into_sents(text, return_tokens=True):
        out.append(text[cursor:sentence.start])
        body = text[sentence.start:sentence.end]
        tokens = sentence_morphs(sentence.tokens, sentence.start, body)
        repaired, previous = _repair_sentence(kiwi, body, tokens, target, previous)
        out.append(repaired)
        cursor = sentence.end
    out.append(text[cursor:])
    return "".join(out)


def _repair_sentence(kiwi: Any, text: str, morphs: list[Morph], target: SpeechLevel,
                     previous: str) -> tuple[str, str]:
    """The sentence at `target` level, and its mood (the next sentence's ambiguous -어요 may depend on it)."""
    idx = final_index(morphs)
    ending = source_ending(morphs, idx, text, previous, target) if idx is not None else None
    if idx is not None and ending is not None and level_of_ending(morphs[idx].form, morphs[idx].tag) == target:
        return text, ending.mood
    fixed = formula(text, target)
    if fixed is not None:
        return fixed, "imperative"
    if idx is None or ending is None:  # a fragment: only interjections and pronouns carry a level ("네!" -> "응!")
        return _rebuild(kiwi, text, morphs, word_swaps(morphs, len(morphs), target)), previous
    final = morphs[idx]
    if [t.form for t in morphs[:idx] if t.tag != "EP"] == ["안녕", "하"]:
        greeting: dict[int, list[tuple[str, str]]] = {i: [] for i in range(1, idx + 1)}
        greeting[0] = GREETINGS[target]
        return _rebuild(kiwi, text, morphs, greeting), ending.mood
    replace = word_swaps(morphs, ending.first, target)
    if final.tag == "JX" and ending.first == idx:  # "저도요": only the polite particle carries the level
        if target == "반말":
            replace[idx] = []
        return _rebuild(kiwi, text, morphs, replace), ending.mood
    for i in range(ending.first, idx + 1):
        replace[i] = []
    replace[ending.first] = target_ending(morphs, ending, target, replace)
    if (target == "합쇼체" and ending.base == "잖아" and idx + 1 < len(morphs)
            and morphs[idx + 1].form == "."):
        replace[idx + 1] = [("?", "SF")]  # "그렇잖아요." asks for agreement: "그렇지 않습니까?"
    return _rebuild(kiwi, text, morphs, replace), ending.mood


def _rebuild(kiwi: Any, text: str, morphs: list[Morph], replace: dict[int, list[tuple[str, str]]]) -> str:
    """Re-join only the words (eojeol) that contain a replaced morpheme."""
    words: list[list[int]] = []
    word_end = -1
    for i, morph in enumerate(morphs):
        if words and morph.start <= word_end:  # touching the previous morpheme: same eojeol
            words[-1].append(i)
        else:
            words.append([i])
        word_end = max(word_end, morph.start + morph.len)
    out, cursor = [], 0
    for word in words:
        start = morphs[word[0]].start
        end = max(morphs[i].start + morphs[i].len for i in word)
        out.append(text[cursor:start])
        changed = [i for i in word if i in replace]
        if changed:
            # keep the word's surface up to the morpheme before the first change ("최저임금" is not re-spaced)
            keep = max(word[0], changed[0] - 1)
            while keep > word[0] and not _verbatim_before(text, morphs[keep - 1], morphs[keep]):
                keep -= 1
            joined: list[tuple[str, str]] = []
            for i in word[word.index(keep):]:
                joined.extend(replace.get(i, [(morphs[i].form, morphs[i].tag)]))
            out.append(text[start:morphs[keep].start] + (kiwi.join(joined) if joined else ""))
        else:
            out.append(text[start:end])
        cursor = end
    out.append(text[cursor:])
    return "".join(out)


def _verbatim_before(text: str, before: Morph, morph: Morph) -> bool:
    """`before` is written as its form and ends where `morph` starts, so joining may begin at `morph`."""
    end = before.start + before.len
    return end == morph.start and text[before.start:end] == before.form and not before.tag.startswith("V")
