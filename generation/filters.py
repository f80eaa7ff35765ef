"""Input and output filters: PII masking and a profanity/abuse check with a pluggable classifier.

PII (phone numbers, resident registration numbers, card numbers, e-mail addresses) is replaced by a typed
placeholder such as `[전화번호]`; the same masking is used for logs and, when configured, for replies.
The abuse check matches a Korean word list after removing what people insert to dodge filters (digits,
latin letters, symbols between Hangul), minus benign words that contain an entry (시발점), and then asks an
optional classifier (`AbuseClassifier`: any callable text -> probability) for what a list cannot see.
`AbuseFilter.from_config` builds the configured one (`GenerationConfig`: word list, classifier, threshold).
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from generation.config import DEFAULT_ABUSE_THRESHOLD, GenerationConfig

AbuseClassifier = Callable[[str], float]
DEFAULT_PROFANITY_LIST = Path(__file__).parent / "data" / "profanity_ko.txt"

_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
# Resident registration number: birth date YYMMDD, then the gender/century digit 1-8 and six digits.
_RRN = re.compile(r"(?<!\d)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\s?-?\s?[1-8]\d{6}(?!\d)")
_CARD = re.compile(r"(?<!\d)(?:\d{4}[ -]){3}\d{4}(?!\d)|(?<!\d)\d{4}[ -]\d{6}[ -]\d{5}(?!\d)|(?<!\d)\d{13,19}(?!\d)")
_PHONE = re.compile(
    r"(?<![\d+])(?:\+82[ -]?0?|0)(?:1[016789]|2|[3-6][1-5]|70|50\d)[ -.)]?\d{3,4}[ -.]?\d{4}(?!\d)"
    r"|(?<!\d)1[5-9]\d{2}-\d{4}(?!\d)"
)
PII_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("이메일", _EMAIL), ("주민등록번호", _RRN), ("카드번호", _CARD), ("전화번호", _PHONE),
)


def _luhn_ok(digits: str) -> bool:
    total, parity = 0, len(digits) % 2
    for i, ch in enumerate(digits):
        d = int(ch)
        if i % 2 == parity:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def find_pii(text: str) -> list[tuple[str, str]]:
    """(kind, matched text) for each PII span, earlier patterns taking precedence over overlapping ones."""
    spans: list[tuple[int, int, str]] = []
    for kind, pattern in PII_PATTERNS:
        for m in pattern.finditer(text):
            digits = re.sub(r"\D", "", m.group())
            # Ungrouped digit runs are only card numbers when the checksum agrees (order numbers are not).
            if kind == "카드번호" and m.group().isdigit() and not _luhn_ok(digits):
                continue
            if all(m.end() <= s or m.start() >= e for s, e, _ in spans):
                spans.append((m.start(), m.end(), kind))
    return [(kind, text[s:e]) for s, e, kind in sorted(spans)]


def mask_pii(text: str) -> tuple[str, list[str]]:
    """Replace PII with `[kind]`; returns the masked text and the kinds found (in order)."""
    found = find_pii(text)
    for kind, value in found:
        text = text.replace(value, f"[{kind}]")
    return text, [kind for kind, _ in found]


_NOISE_BETWEEN_HANGUL = re.compile(r"(?<=[가-힣ㄱ-ㅎ])[^가-힣ㄱ-ㅎ\s]+(?=[가-힣ㄱ-ㅎ])")


def normalise_for_matching(text: str) -> str:
    return _NOISE_BETWEEN_HANGUL.sub("", text.lower())


@dataclass(frozen=True)
class FilterHit:
    kind: str  # "banned_phrase" | "profanity" | "classifier"
    match: str


def load_classifier(spec: str) -> AbuseClassifier:
    """Import 'package.module:callable'."""
    module_name, _, attr = spec.partition(":")
    if not attr:
        raise ValueError(f"abuse_classifier must look like 'module:callable', got {spec!r}")
    return getattr(importlib.import_module(module_name), attr)


class AbuseFilter:
    def __init__(self, words: Iterable[str], *, allow: Iterable[str] = (),
                 classifier: AbuseClassifier | None = None, threshold: float = DEFAULT_ABUSE_THRESHOLD) -> None:
        self.words = sorted({normalise_for_matching(w) for w in words if w}, key=len, reverse=True)
        self.allow = sorted({normalise_for_matching(w) for w in allow if w}, key=len, reverse=True)
        self.classifier = classifier
        self.threshold = threshold

    @classmethod
    def from_file(cls, path: Path | None = None, *, classifier: AbuseClassifier | None = None,
                  threshold: float = DEFAULT_ABUSE_THRESHOLD) -> AbuseFilter:
        """Load a word list (default: the bundled Korean list)."""
        raw = Path(path or DEFAULT_PROFANITY_LIST).read_text(encoding="utf-8")
        lines = [line.strip() for line in raw.splitlines() if line.strip() and not line.startswith("#")]
        return cls([w for w in lines if not w.startswith("!")], allow=[w[1:] for w in lines if w.startswith("!")],
                   classifier=classifier, threshold=threshold)

    @classmethod
    def from_config(cls, config: GenerationConfig) -> AbuseFilter:
        """The configured filter: `profanity_list_path` (None: the bundled list), `abuse_classifier` (imported
        here) and `abuse_threshold`."""
        classifier = load_classifier(config.abuse_classifier) if config.abuse_classifier else None
        return cls.from_file(config.profanity_list_path, classifier=classifier, threshold=config.abuse_threshold)

    def check(self, text: str, banned_phrases: Iterable[str] = ()) -> list[FilterHit]:
        hits = [FilterHit("banned_phrase", p) for p in banned_phrases
                if normalise_for_matching(p) in normalise_for_matching(text)]
        norm = normalise_for_matching(text)
        for benign in self.allow:
            norm = norm.replace(benign, " ")
        hits += [FilterHit("profanity", w) for w in self.words if w in norm]
        if self.classifier is not None:
            score = float(self.classifier(text))
            if score >= self.threshold:
                hits.append(FilterHit("classifier", f"{score:.2f}"))
        return hits
