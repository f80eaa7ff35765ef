"""Reply hygiene: characters no client should receive are removed from generated text before anything judges it.

Contract: `clean_text(text)` returns `text` without U+FFFD (a token cut inside a multi-byte character), C0 and C1
control characters other than newline and tab (a carriage return becomes nothing, so CRLF is a newline), lone
surrogates, Unicode noncharacters (U+FDD0..U+FDEF, U+xFFFE/U+xFFFF) and the byte-order mark. NEXT LINE (U+0085),
the one C1 control that is a line break, becomes a newline, so the words it separated stay apart. Everything else is
kept byte for byte, including the line and paragraph separators (U+2028, U+2029: text, not controls), zero-width
joiners (emoji sequences) and every Hangul block. It is idempotent and works per character, so a stream can clean
each delta on its own. The generator runs it on every reply, streamed or not, before the speech-level repair, the
output filters and PII masking (`generation.generator`), so those see the text the client will get.
"""

from __future__ import annotations

import re

_UNWANTED = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x84\x86-\x9f\ufffd\ufeff\ufdd0-\ufdef\ufffe\uffff\ud800-\udfff"
    "\U0001fffe\U0001ffff\U0002fffe\U0002ffff\U0003fffe\U0003ffff\U000efffe\U000effff"
    "\U000ffffe\U000fffff\U0010fffe\U0010ffff]"
)
_UNWANTED_OR_NEL = re.compile(f"{_UNWANTED.pattern}|\x85")


def clean_text(text: str) -> str:
    """`text` without replacement characters, control characters (but newline and tab) and noncharacters; NEXT LINE
    (U+0085) as a newline."""
    return _UNWANTED.sub("", text.replace("\x85", "\n"))


def unwanted_characters(text: str) -> list[str]:
    """The characters `clean_text` would remove or replace, as code-point names ("U+200B") in order of appearance
    (for traces)."""
    return [f"U+{ord(c):04X}" for c in _UNWANTED_OR_NEL.findall(text)]
