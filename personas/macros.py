"""Character Card text macros and Korean particle agreement.

`{{char}}` and `{{user}}` (any case, inner spaces allowed) and the legacy `<BOT>` / `<USER>` forms are
replaced by the character's and the user's names. Stored persona text keeps the macros; they are
expanded only when a prompt is rendered, so an exported card is the card that was imported.

Korean particles depend on the last syllable of the word before them (받침): "하나는" but
"백운 선생은". A particle written right after a macro is corrected to agree with the substituted
name; names that do not end in a Hangul syllable keep the particle as written.
"""

from __future__ import annotations

import re

# (after a final consonant, after a vowel); longest first so "이에요" wins over "이".
_PARTICLES: tuple[tuple[str, str], ...] = (
    ("이에요", "예요"), ("이랑", "랑"), ("으로", "로"), ("은", "는"),
    ("이", "가"), ("을", "를"), ("과", "와"),
)
_PARTICLE_ALTERNATION = "|".join(sorted({p for pair in _PARTICLES for p in pair}, key=len, reverse=True))
_MACRO = re.compile(
    r"(?:\{\{\s*(char|user)\s*\}\}|<(bot|user)>)(" + _PARTICLE_ALTERNATION + r")?", re.IGNORECASE
)


def _final_consonant(word: str) -> int | None:
    """Index of the final consonant (0 = none) of the word's last syllable, or None if it is not Hangul."""
    if not word:
        return None
    code = ord(word[-1]) - 0xAC00
    return code % 28 if 0 <= code < 11172 else None


def attach(word: str, particle: str) -> str:
    """`word` followed by the form of `particle` that agrees with it ("하나" + "은" -> "하나는")."""
    final = _final_consonant(word)
    if final is None:
        return word + particle
    for with_final, without_final in _PARTICLES:
        if particle in (with_final, without_final):
            # ㄹ-final words take 로, not 으로 (서울로).
            if with_final == "으로":
                return word + ("로" if final in (0, 8) else "으로")
            return word + (with_final if final else without_final)
    return word + particle


def expand_macros(text: str, *, char: str, user: str) -> str:
    def replace(match: re.Match[str]) -> str:
        kind = (match.group(1) or match.group(2)).lower()
        name = user if kind == "user" else char
        return attach(name, match.group(3)) if match.group(3) else name

    return _MACRO.sub(replace, text)
