"""Character-book (lorebook) activation: which entries a turn brings into the prompt.

Contract: an enabled entry is active when it is `constant`, or when one of its keys occurs in
the scanned text (the last `scan_depth` history messages plus the current message). Keys match
as substrings, which suits Korean, where particles attach to the noun ("한양에", "한양으로" both
contain "한양"); matching ignores case unless the entry is `case_sensitive`. A `selective` entry
also needs one of its `secondary_keys`. V3 `use_regex` entries treat keys as regular
expressions (an invalid pattern never matches). Result order: `insertion_order`, then position
in the book.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from personas.schema import BookEntry, CharacterBook

DEFAULT_SCAN_DEPTH = 4


def _matches(keys: Sequence[str], text: str, *, case_sensitive: bool, use_regex: bool) -> bool:
    for key in keys:
        key = key.strip()
        if not key:
            continue
        if use_regex:
            try:
                if re.search(key, text, 0 if case_sensitive else re.IGNORECASE):
                    return True
            except re.error:
                continue
        elif (key if case_sensitive else key.casefold()) in (text if case_sensitive else text.casefold()):
            return True
    return False


def active_entries(
    book: CharacterBook | None, recent_texts: Sequence[str], *, default_scan_depth: int = DEFAULT_SCAN_DEPTH
) -> list[BookEntry]:
    """Entries of `book` triggered by `recent_texts` (oldest first; the current message last)."""
    if book is None:
        return []
    depth = book.scan_depth if book.scan_depth is not None else default_scan_depth
    # The current message is always scanned; scan_depth counts the history messages before it.
    scanned = "\n".join(recent_texts[-(depth + 1):]) if recent_texts else ""
    chosen: list[tuple[int, int, BookEntry]] = []
    for position, entry in enumerate(book.entries):
        if not entry.enabled or not entry.content.strip():
            continue
        use_regex = bool((entry.model_extra or {}).get("use_regex"))
        case_sensitive = bool(entry.case_sensitive)
        if not entry.constant:
            if not _matches(entry.keys, scanned, case_sensitive=case_sensitive, use_regex=use_regex):
                continue
            if entry.selective and entry.secondary_keys and not _matches(
                entry.secondary_keys, scanned, case_sensitive=case_sensitive, use_regex=use_regex
            ):
                continue
        chosen.append((entry.insertion_order, position, entry))
    return [entry for _, _, entry in sorted(chosen, key=lambda item: (item[0], item[1]))]
