"""Text for the ear: turn a chat reply (possibly markdown, emoji, URLs, lists) into short spoken sentences.

`to_speech(text)` is a pure function. It parses markdown with markdown-it (code blocks, tables, images and raw
HTML are not spoken; a list becomes one sentence of its items; a link is spoken as its text), removes URLs,
emoji and other pictographs, laughter written in bare jamo (ㅋㅋ) and emoticons, writes dates, clock times,
units and currency the way a Korean TTS voice reads them (2025-03-01 -> 2025년 3월 1일, 14:30 -> 14시 30분,
25℃ -> 25도, 60km/h -> 시속 60킬로미터, 1,000 -> 1000, 3~5 -> 3에서 5), splits sentences, cuts any sentence
longer than `max_sentence_chars` at a comma or a space, and keeps whole sentences up to `max_chars` in all.
"""

from __future__ import annotations

import re
import unicodedata
from xml.sax.saxutils import escape

from markdown_it import MarkdownIt
from markdown_it.token import Token

from assistant.keys.settings import SpeakerSettings

_MD = MarkdownIt("commonmark").enable(["table", "strikethrough"])
_SKIP_BLOCKS = {"fence", "code_block", "html_block", "hr"}

_URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
_JAMO_RUN = re.compile(r"[ㄱ-ㅎㅏ-ㅣ]{2,}")
_EMOTICON = re.compile(r"\^+[_.o-]?\^+|[;:]-?[)(DPp](?![A-Za-z])|T_T|ㅠ_ㅠ|ㅜ_ㅜ")
_MARKUP_LEFTOVER = re.compile(r"[*_`#|>]+")
_DATE = re.compile(r"(?<!\d)(\d{4})[-./](\d{1,2})[-./](\d{1,2})(?!\d)")
_TIME = re.compile(r"(?<![\d:])([01]?\d|2[0-3]):([0-5]\d)(?![\d:])")
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}(?!\d))")
_RANGE = re.compile(r"(\d)\s*~\s*(?=\d)")
_NUM = r"(\d+(?:\.\d+)?)"
# Unit after a number -> how it is read; longest first so that "km/h" wins over "km" and "m".
_SPEED = [(re.compile(_NUM + r"\s*km/h\b"), r"시속 \1킬로미터"), (re.compile(_NUM + r"\s*m/s\b"), r"초속 \1미터")]
_UNITS = {
    "°C": "도", "℃": "도", "°F": "도", "℉": "도", "°": "도", "%": "퍼센트", "‰": "퍼밀",
    "km²": "제곱킬로미터", "m²": "제곱미터", "km": "킬로미터", "cm": "센티미터", "mm": "밀리미터", "m": "미터",
    "kg": "킬로그램", "mg": "밀리그램", "g": "그램", "ml": "밀리리터", "mL": "밀리리터", "L": "리터",
    "kWh": "킬로와트시", "kW": "킬로와트", "W": "와트", "GB": "기가바이트", "MB": "메가바이트", "TB": "테라바이트",
    "Hz": "헤르츠", "GHz": "기가헤르츠",
}
_UNIT = re.compile(_NUM + r"\s*(" + "|".join(re.escape(u) for u in sorted(_UNITS, key=len, reverse=True))
                   + r")(?![A-Za-z0-9²])")
_CURRENCY_BEFORE = re.compile(r"([$€£¥₩])\s?" + _NUM)
_CURRENCY = {"$": "달러", "€": "유로", "£": "파운드", "¥": "엔", "₩": "원"}
_SENTENCE_END = re.compile(r"(?<=[.!?…。])\s+|\n+")
_SPACES = re.compile(r"\s+")


def _inline_text(token: Token) -> str:
    parts: list[str] = []
    for child in token.children or []:  # images (alt text too), raw HTML and link targets are not spoken
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
    return "".join(parts)


def _blocks(text: str) -> list[str]:
    """Markdown -> spoken blocks: one per paragraph or heading, one per list (its items joined)."""
    blocks: list[str] = []
    items: list[str]
    list_depth, items, in_table = 0, [], False
    for token in _MD.parse(text):
        if token.type in ("bullet_list_open", "ordered_list_open"):
            list_depth += 1
        elif token.type in ("bullet_list_close", "ordered_list_close"):
            list_depth -= 1
            if list_depth == 0 and items:
                blocks.append(", ".join(i.rstrip(".!?,;: ") for i in items if i.strip()) + ".")
                items = []
        elif token.type == "table_open":
            in_table = True
        elif token.type == "table_close":
            in_table = False
        elif token.type == "inline" and not in_table:
            spoken = _inline_text(token)
            (items if list_depth else blocks).append(spoken)
        elif token.type in _SKIP_BLOCKS:
            continue
    return blocks


def _strip_symbols(text: str) -> str:
    """Emoji, pictographs, joiners and variation selectors go; letters, digits and punctuation stay."""
    out = []
    for ch in text:
        category = unicodedata.category(ch)
        if category in ("So", "Sk", "Cs", "Co") or ch in "\u200d\ufe0f\ufe0e\u20e3":
            continue
        out.append(ch)
    return "".join(out)


def normalise_for_tts(text: str) -> str:
    """Dates, times, numbers, units and currency as a Korean voice reads them (no markdown handling)."""
    text = _DATE.sub(lambda m: f"{int(m[1])}년 {int(m[2])}월 {int(m[3])}일", text)
    text = _TIME.sub(lambda m: f"{int(m[1])}시" + (f" {int(m[2])}분" if int(m[2]) else ""), text)
    text = _THOUSANDS.sub("", text)
    text = _RANGE.sub(r"\1에서 ", text)
    for pattern, spoken in _SPEED:
        text = pattern.sub(spoken, text)
    text = _UNIT.sub(lambda m: m[1] + _UNITS[m[2]], text)
    text = _CURRENCY_BEFORE.sub(lambda m: m[2] + _CURRENCY[m[1]], text)
    return text


def _clean(block: str) -> str:
    block = _URL.sub("", block)
    block = normalise_for_tts(block)
    block = _EMOTICON.sub("", block)
    block = _JAMO_RUN.sub("", block)
    block = _strip_symbols(block)
    block = _MARKUP_LEFTOVER.sub("", block)
    block = re.sub(r"\(\s*\)|\[\s*\]", "", block)
    return _SPACES.sub(" ", block).strip()


def _cut(sentence: str, limit: int) -> list[str]:
    """Split an over-long sentence at the last comma, else the last space, before the limit."""
    pieces: list[str] = []
    while len(sentence) > limit:
        window = sentence[:limit]
        at = max(window.rfind(", "), window.rfind("، "))
        at = at + 1 if at > limit // 3 else window.rfind(" ")
        if at <= limit // 3:
            at = limit
        pieces.append(sentence[:at].strip())
        sentence = sentence[at:].strip()
    if sentence:
        pieces.append(sentence)
    return pieces


def to_speech(text: str, limits: SpeakerSettings | None = None) -> list[str]:
    """The reply as spoken sentences, each at most `limits.max_sentence_chars`, all together about
    `limits.max_reply_chars` (None: the default speaker settings)."""
    limits = limits if limits is not None else SpeakerSettings()
    max_sentence_chars, max_chars = limits.max_sentence_chars, limits.max_reply_chars
    sentences: list[str] = []
    for block in _blocks(text):
        for sentence in _SENTENCE_END.split(_clean(block)):
            sentence = sentence.strip(" ,;:")
            if sentence and any(ch.isalnum() for ch in sentence):
                if sentence[-1] not in ".!?…":
                    sentence += "."  # a pause for the voice where a heading or a chat line just stops
                sentences.extend(_cut(sentence, max_sentence_chars))
    kept: list[str] = []
    total = 0
    for sentence in sentences:
        if kept and total + len(sentence) + 1 > max_chars:
            break
        kept.append(sentence)
        total += len(sentence) + 1
    return kept


def to_ssml(sentences: list[str]) -> str:
    return "<speak>" + "".join(f"<s>{escape(s)}</s>" for s in sentences) + "</speak>"
