"""Fixed expressions whose counterpart at another level is another expression, not another conjugation.

Contract: `formula(text, target)` returns the whole sentence `text` (farewells, 천만에요, 안녕하세요 …, surrounding
spaces and punctuation kept) as its counterpart at `target` level, or None when `text` is no known formula.
`GREETINGS` holds the morphemes of 안녕하- at each level, for a greeting with an ending the formulas do not list.
"""

from __future__ import annotations

import re

from generation.types import SpeechLevel

GREETINGS: dict[str, list[tuple[str, str]]] = {
    "합쇼체": [("안녕", "NNG"), ("하", "XSA"), ("시", "EP"), ("ᆸ니까", "EF")],
    "해요체": [("안녕", "NNG"), ("하", "XSA"), ("세요", "EF")],
    "반말": [("안녕", "IC")],
}
_LEVEL_INDEX = {"합쇼체": 0, "해요체": 1, "반말": 2}
# Formulas whose counterpart is another expression, not another conjugation (잘 자 is no 반말 of 안녕히 주무세요
# by any ending rule). Columns: 합쇼체, 해요체, 반말, then other spellings that map to the same row.
_FORMULAS: tuple[tuple[str, ...], ...] = (
    ("안녕히 주무십시오", "안녕히 주무세요", "잘 자", "잘 자요", "잘 자라", "안녕히 주무셔요"),
    ("안녕히 가십시오", "안녕히 가세요", "잘 가", "잘 가요", "잘 가라"),
    ("안녕히 계십시오", "안녕히 계세요", "잘 있어", "잘 있어요", "잘 있어라"),
    ("천만의 말씀입니다", "천만에요", "천만에", "천만의 말씀이에요", "별말씀을요", "별말씀을 다 하세요"),
    ("잘 먹겠습니다", "잘 먹을게요", "잘 먹을게"),
    ("안녕하십니까", "안녕하세요", "안녕"),
)
_FORMULA_INDEX = {variant: row for row in _FORMULAS for variant in row}
_PUNCTUATED = re.compile(r"(\s*)(.*?)([\s.!?~…]*)", re.S)


def formula(text: str, target: SpeechLevel) -> str | None:
    parts = _PUNCTUATED.fullmatch(text)
    row = _FORMULA_INDEX.get(parts.group(2)) if parts else None
    if parts is None or row is None:
        return None
    return parts.group(1) + row[_LEVEL_INDEX[target]] + parts.group(3)
