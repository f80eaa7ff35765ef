"""Scopes of an API key: which route families the key may call.

- `chat`: the conversation surfaces (chat, OpenAI-compatible, conversations, context, skills, persona reads).
- `admin`: management: everything under `/v1/admin` and persona writes (put, delete, import).
Scopes are independent (`admin` does not imply `chat`). A key stores them as one space-separated string, in the
order of `SCOPES`, so equal sets always read the same.
"""

from __future__ import annotations

from collections.abc import Iterable

CHAT = "chat"
ADMIN = "admin"
SCOPES: tuple[str, ...] = (CHAT, ADMIN)
DEFAULT_SCOPES: tuple[str, ...] = (CHAT,)


def normalise(scopes: Iterable[str]) -> tuple[str, ...]:
    """Known scopes, deduplicated, in canonical order; ValueError on an unknown scope or an empty set."""
    wanted = {s.strip().lower() for s in scopes}
    unknown = sorted(wanted - set(SCOPES))
    if unknown:
        raise ValueError(f"unknown scope(s) {', '.join(unknown)}; known: {', '.join(SCOPES)}")
    if not wanted:
        raise ValueError(f"a key needs at least one scope ({', '.join(SCOPES)})")
    return tuple(s for s in SCOPES if s in wanted)


def encode(scopes: Iterable[str]) -> str:
    return " ".join(normalise(scopes))


def decode(stored: str) -> tuple[str, ...]:
    # A scope this version does not know (written by a newer one) is dropped, never granted.
    return tuple(s for s in SCOPES if s in stored.split())
