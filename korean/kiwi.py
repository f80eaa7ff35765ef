"""The one Kiwi of the process.

Contract: `shared_kiwi()` returns the process's plain `kiwipiepy.Kiwi` (no user words), built and warmed on the
calling thread the first time, and the same instance afterwards; it may be used from many threads at once (Kiwi's
analysis is read-only once built: the Kiwi author's answer in bab2min/Kiwi#145). An instance costs about 450 MB, so
the process holds one: every package reads with it, and dst merges its lexicon's compounds after the analysis
(`dst.analysis.merge_compounds`) instead of teaching a second Kiwi user words. This module is the only place that
constructs a Kiwi; `assistant` decides which packages get it.
"""

from __future__ import annotations

import functools
import threading

from kiwipiepy import Kiwi

_build_lock = threading.Lock()


def shared_kiwi() -> Kiwi:
    """The process's one Kiwi."""
    with _build_lock:  # two threads asking at once must not both spend seconds and 450 MB on a build
        return _build()


@functools.cache
def _build() -> Kiwi:
    # One worker thread: batched `tokenize(list)` needs one, and analyses are short; more only contend for 2 cores.
    kiwi = Kiwi(num_workers=1)
    kiwi.tokenize("")  # finish Kiwi's lazy initialisation here, not inside the first request
    return kiwi
