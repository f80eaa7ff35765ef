"""The one Kiwi (Korean morphological analyser) that the server's packages share.

Contract: `shared_kiwi()` returns one `kiwipiepy.Kiwi` per process, built and warmed on the calling thread (Kiwi
finishes initialising on its first analysis; once built, one instance may be used from many threads: the Kiwi
author's answer in bab2min/Kiwi#145). Retrieval (index and query terms), generation (speech-level check and
repair, skills) and personas (speech level of imported cards) analyse with it; each instance costs about 400 MB.
It has one worker thread, which retrieval's batched `tokenize(list)` needs and which is retrieval's own choice,
and no user words: no package may add any, because they would change retrieval's index terms. dst is the
exception for that reason: it teaches its Kiwi the lexicon's compounds ("주차비", "작은방"), so it keeps its own.
"""

from __future__ import annotations

import functools

from kiwipiepy import Kiwi


@functools.cache
def shared_kiwi() -> Kiwi:
    kiwi = Kiwi(num_workers=1)
    kiwi.tokenize("")  # finish the lazy initialisation now, on one thread, not inside the first request
    return kiwi
