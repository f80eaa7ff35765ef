"""The one Kiwi lifecycle of the process.

Contract: `shared_kiwi()` returns the process's plain `kiwipiepy.Kiwi` (no user words), built and warmed on the
calling thread; `kiwi_with_words(words)` returns the Kiwi that also knows `words` ((form, tag) pairs), one instance
per distinct word set. Both are built once per process and may be used from many threads at once (Kiwi's analysis
is read-only once built: the Kiwi author's answer in bab2min/Kiwi#145). Each instance costs about 400 MB, so a
variant exists only where user words must not leak into other packages' analyses: retrieval's index terms depend on
the exact analysis, so retrieval, generation and personas share the plain one, while dst teaches its own the
compounds it types ("주차비", "작은방"). This module is the only place that constructs a Kiwi; `assistant` decides
which instance each package gets.
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
    with _build_lock:  # two threads asking at once must not both spend seconds and 400 MB on a build
        return _cached(words)
