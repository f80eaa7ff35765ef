"""Prompt-prefix KV reuse: the keys and values of a recurring prompt prefix are computed once and reused.

Every turn of a persona starts with the same tokens (the chat template's preamble, the persona's system prompt and
its example dialogues); its KV is the same for every turn. This cache keeps such prefixes, content-addressed by
their token ids, as transformers `DynamicCache` objects on the model's device.

Contract:
- `lookup(ids)` returns the longest stored prefix that `ids` starts with, cut to at most `len(ids) - 1` tokens (the
  last prompt token is always run, since its logits choose the first new token), as a fresh `DynamicCache` holding
  only those tokens, with their count; `(None, 0)` below `min_tokens`. A stored entry is used in part when `ids`
  diverges inside it, so a stored "persona + one conversation" entry still serves another conversation's persona
  part. Among equally long matches the shortest entry is taken and refreshed, which keeps the bare persona prefix
  the hottest entry.
- `offer(ids, extract)` decides what to store after a prompt was prefilled: the longest prefix `ids` shares with any
  of the last `recent` prompts (a prefix that recurs; never a one-off prompt), when it has at least `min_tokens`
  tokens and is not already covered by an entry. `extract(n)` is called only then and returns the per-layer
  (key, value) tensors of the first n prompt tokens.
- Memory is bounded by `max_bytes` (the tensors' own size); the least recently used entries go first, and a prefix
  larger than the budget is not stored. `max_bytes == 0` disables the cache.
- Invalidation is by content: a persona whose prompt changed renders other tokens, so its old entries no longer
  match anything and age out. `clear()` drops everything (the model changed).
- Reuse is exact: positions of cached tokens are their positions in the prompt, so a prompt continued from a
  cached prefix sees the same keys and values as one prefilled whole (up to floating-point summation order).

The keys are token tuples, compared by binary search over slice equality (C speed); with tens of entries a lookup
costs well under a millisecond next to a forward pass. Used from the batcher's single worker thread only.
"""

from __future__ import annotations

from collections import OrderedDict, deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

KV = list[tuple[Any, Any]]


def common_prefix(a: Sequence[int], b: Sequence[int]) -> int:
    """Length of the longest common prefix of two token sequences."""
    lo, hi = 0, min(len(a), len(b))
    if a[:hi] == b[:hi]:
        return hi
    while lo < hi:  # invariant: a[:lo] == b[:lo], a[:hi+1] != b[:hi+1]
        mid = (lo + hi + 1) // 2
        if a[:mid] == b[:mid]:
            lo = mid
        else:
            hi = mid - 1
    return lo


@dataclass
class _Entry:
    kv: KV
    nbytes: int
    hits: int = 0


@dataclass
class PrefixStats:
    lookups: int = 0
    hits: int = 0
    reused_tokens: int = 0
    stored: int = 0
    evicted: int = 0


class PrefixCache:
    def __init__(self, *, max_bytes: int, min_tokens: int, recent: int = 32,
                 make_cache: Callable[[], Any] | None = None) -> None:
        self.max_bytes = max_bytes
        self.min_tokens = max(1, min_tokens)
        self._recent: deque[tuple[int, ...]] = deque(maxlen=recent)
        self._entries: OrderedDict[tuple[int, ...], _Entry] = OrderedDict()
        self._make_cache = make_cache
        self.nbytes = 0
        self.stats = PrefixStats()

    @property
    def enabled(self) -> bool:
        return self.max_bytes > 0

    def __len__(self) -> int:
        return len(self._entries)

    def clear(self) -> None:
        self._entries.clear()
        self._recent.clear()
        self.nbytes = 0

    def _best(self, ids: tuple[int, ...]) -> tuple[tuple[int, ...] | None, int]:
        best, best_len = None, 0
        for key in self._entries:
            n = common_prefix(key, ids)
            if n > best_len or (n == best_len and best is not None and n and len(key) < len(best)):
                best, best_len = key, n
        return best, best_len

    def lookup(self, ids: Sequence[int]) -> tuple[Any, int]:
        """(DynamicCache of the reusable prefix, its token count), or (None, 0); see the module contract."""
        if not self.enabled or not self._entries:
            return None, 0
        self.stats.lookups += 1
        key, n = self._best(tuple(ids))
        n = min(n, len(ids) - 1)
        if key is None or n < self.min_tokens:
            return None, 0
        entry = self._entries[key]
        self._entries.move_to_end(key)
        entry.hits += 1
        self.stats.hits += 1
        self.stats.reused_tokens += n
        return self._as_cache([(k[:, :, :n], v[:, :, :n]) for k, v in entry.kv]), n

    def _as_cache(self, kv: KV) -> Any:
        from transformers import DynamicCache

        cache = self._make_cache() if self._make_cache is not None else DynamicCache()
        for layer, (k, v) in enumerate(kv):
            cache.update(k, v, layer)
        return cache

    def offer(self, ids: Sequence[int], extract: Callable[[int], KV]) -> int:
        """Store the recurring prefix of a prefilled prompt if it is worth it; returns the tokens stored (0: none)."""
        if not self.enabled:
            return 0
        key = tuple(ids)
        shared = max((common_prefix(key, seen) for seen in self._recent), default=0)
        self._recent.append(key)
        if shared < self.min_tokens:
            return 0
        covering, covered = self._best(key[:shared])
        if covering is not None and covered >= shared:
            self._entries.move_to_end(covering)
            return 0
        kv = [(k.contiguous(), v.contiguous()) for k, v in extract(shared)]
        nbytes = sum(k.numel() * k.element_size() + v.numel() * v.element_size() for k, v in kv)
        if nbytes > self.max_bytes:
            return 0
        while self._entries and self.nbytes + nbytes > self.max_bytes:
            _, old = self._entries.popitem(last=False)
            self.nbytes -= old.nbytes
            self.stats.evicted += 1
        self._entries[key[:shared]] = _Entry(kv, nbytes)
        self.nbytes += nbytes
        self.stats.stored += 1
        return shared
