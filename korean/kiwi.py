"""The one Kiwi lifecycle of the process.

Contract: `shared_kiwi()` returns the process's plain `kiwipiepy.Kiwi` (no user words), built and warmed on the
calling thread; `kiwi_with_words(words)` returns a Kiwi that also knows `words` ((form, tag) pairs), one instance
per distinct word set. Both are built once per process and may be used from many threads at once (Kiwi's analysis
is read-only once built: the Kiwi author's answer in bab2min/Kiwi#145). Each instance costs about 450 MB, so the
server holds one: every package reads with `shared_kiwi()`, and dst merges its lexicon's compounds after the
analysis (`dst.analysis.merge_compounds`) instead of teaching a second Kiwi user words. This module is the only
place that constructs a Kiwi; `assistant` decides which instance each package gets.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Iterable

from kiwipiepy import Kiwi

UserWord = tuple[str, str]  # (surface form, Kiwi POS tag), e.g. ("주차비", "NNG")

_build_lock = threading.Lock()


def shared_kiwi() -> Kiwi:
    """The plain Kiwi every package without user words shares."""
    return kiwi_with_words(())


def kiwi_with_words(words: Iterable[UserWord]) -> Kiwi:
    """The Kiwi that knows `words` as user words (score 0), one per distinct set of words."""
    return _build(tuple(sorted(set(words))))


@functools.cache
def _cached(words: tuple[UserWord, ...]) -> Kiwi:
    # One worker thread: batched `tokenize(list)` needs one, and analyses are short; more only contend for 2 cores.
    kiwi = Kiwi(num_workers=1)
    for form, tag in words:
        kiwi.add_user_word(form, tag, 0.0)
    kiwi.tokenize("")  # finish Kiwi's lazy initialisation here, not inside the first request
    return kiwi


def _build(words: tuple[UserWord, ...]) -> Kiwi:
    with _build_lock:  # two threads asking at once must not both spend seconds and 450 MB on a build
        return _cached(words)
