"""Rows of independent sequences decoded in one forward pass over one shared transformers `DynamicCache`.

Layout: the cache of every layer is a [rows, heads, columns, head_dim] tensor whose columns are aligned on the
right: the last column holds each row's latest token, and columns a row has no token in (it joined later, or its
new tokens were fewer than another row's) are holes. The 2D attention mask marks holes with 0, and every token
gets its own position (`position_ids` = the number of real tokens before it in its row), so RoPE and causal
masking see each row exactly as if it were alone: a hole is invisible, wherever it is. This is the layout
`model.generate` uses for a left-padded batch, generalised so that rows can join and leave between steps:

- `extend(segments)` feeds each row its own number of new tokens (a prompt chunk, or the one token it sampled)
  in one forward pass and returns the logits of each row's last token;
- `take(indices)` splits rows off (their cache rows are copied out), `concat(batches)` joins batches, padding
  the narrower ones with hole columns on the left;
- leading columns that are holes in every row are dropped, so finished long rows do not leave their width
  behind.

Holes cost attention over masked columns, never wrong results. Sliding-window layers are kept whole (the cache is a
plain `DynamicCache()`), which is exact because the model's own sliding mask still applies.
"""

from __future__ import annotations

import inspect
from collections.abc import Sequence
from typing import Any

KV = list[tuple[Any, Any]]


class ModelRunner:
    """One forward pass of a causal LM over a `RowBatch`; knows the model's keyword names and vocabulary size."""

    def __init__(self, model: Any, pad_id: int) -> None:
        self.model = model
        self.pad_id = pad_id
        params = inspect.signature(model.forward).parameters
        self.cache_arg = "cache" if "cache" in params else "past_key_values"
        self.keep_logits = "logits_to_keep" in params
        self.device = model.device
        self.vocab = int(model.get_output_embeddings().weight.shape[0])

    def new_cache(self, kv: Sequence[tuple[Any, Any]] = ()) -> Any:
        """A `DynamicCache` holding these per-layer (keys, values) as they are (no copy)."""
        from transformers import DynamicCache
        from transformers.cache_utils import DynamicLayer

        cache = DynamicCache()
        for k, v in kv:
            layer = DynamicLayer()
            layer.lazy_initialization(k, v)
            layer.keys, layer.values = k, v
            cache.layers.append(layer)
        return cache

    def forward(self, input_ids: Any, mask: Any, positions: Any, cache: Any) -> Any:
        kwargs: dict[str, Any] = {self.cache_arg: cache}
        if self.keep_logits:
            kwargs["logits_to_keep"] = 1
        out = self.model(input_ids=input_ids, attention_mask=mask, position_ids=positions, use_cache=True, **kwargs)
        return out.logits[:, -1, :].float()


class RowBatch:
    """Rows sharing one right-aligned KV cache (see the module docstring). `rows[i]` is any per-row object."""

    def __init__(self, runner: ModelRunner, rows: list[Any], cache: Any, mask: Any, lengths: list[int],
                 seen: Any) -> None:
        self.runner = runner
        self.rows = rows
        self.cache = cache  # None while no row has a token in the cache
        self.mask = mask  # [rows, columns] long, 1 = a token, 0 = a hole
        self.lengths = lengths  # real tokens per row: the next token's position
        self.seen = seen  # [rows, vocab] bool: tokens each row has seen (for the repetition penalty)

    # -- building ---------------------------------------------------------------------------------------
    @classmethod
    def single(cls, runner: ModelRunner, row: Any, prompt_ids: Sequence[int], cache: Any = None,
               cached: int = 0) -> RowBatch:
        """One row whose first `cached` prompt tokens are already in `cache` (a prefix-cache hit)."""
        import torch

        seen = torch.zeros(1, runner.vocab, dtype=torch.bool, device=runner.device)
        ids = torch.tensor([i for i in prompt_ids if 0 <= i < runner.vocab], dtype=torch.long, device=runner.device)
        seen[0, ids] = True
        mask = torch.ones(1, cached, dtype=torch.long, device=runner.device)
        return cls(runner, [row], cache if cached else None, mask, [cached], seen)

    @property
    def size(self) -> int:
        return len(self.rows)

    @property
    def width(self) -> int:
        return int(self.mask.shape[1])

    def _layers(self) -> KV:
        return [] if self.cache is None else [(layer.keys, layer.values) for layer in self.cache.layers]

    def _set_layers(self, kv: KV) -> None:
        self.cache = self.runner.new_cache(kv) if kv else None

    @classmethod
    def concat(cls, batches: Sequence[RowBatch]) -> RowBatch:
        """Join batches into one (rows in order); narrower caches get hole columns on the left (one copy)."""
        import torch

        batches = [b for b in batches if b.size]
        if len(batches) == 1:
            return batches[0]
        width = max(b.width for b in batches)
        rows = sum(b.size for b in batches)
        layered = [b._layers() for b in batches]
        template = next((kv for kv in layered if kv), [])
        layers = []
        for layer, (k0, v0) in enumerate(template):
            keys = k0.new_zeros((rows, k0.shape[1], width, k0.shape[3]))
            values = v0.new_zeros((rows, v0.shape[1], width, v0.shape[3]))
            row = 0
            for b, kv in zip(batches, layered, strict=True):
                if kv:
                    keys[row:row + b.size, :, width - b.width:] = kv[layer][0]
                    values[row:row + b.size, :, width - b.width:] = kv[layer][1]
                row += b.size
            layers.append((keys, values))
        mask = torch.cat([torch.nn.functional.pad(b.mask, (width - b.width, 0)) for b in batches])
        joined = cls(batches[0].runner, [r for b in batches for r in b.rows], None, mask,
                     [n for b in batches for n in b.lengths], torch.cat([b.seen for b in batches]))
        joined._set_layers(layers)
        joined._trim()
        return joined

    # -- decoding ---------------------------------------------------------------------------------------
    def extend(self, segments: Sequence[Sequence[int]]) -> Any:
        """Feed each row its segment (at least one token each) in one forward pass; logits of each row's last token."""
        import torch

        device = self.runner.device
        span = max(len(s) for s in segments)
        ids, seg_mask, positions = [], [], []
        for segment, start in zip(segments, self.lengths, strict=True):
            hole = span - len(segment)
            ids.append([self.runner.pad_id] * hole + list(segment))
            seg_mask.append([0] * hole + [1] * len(segment))
            positions.append([start] * hole + list(range(start, start + len(segment))))
        mask = torch.cat([self.mask, torch.tensor(seg_mask, dtype=torch.long, device=device)], dim=1)
        if self.cache is None:
            self.cache = self.runner.new_cache()
        logits = self.runner.forward(torch.tensor(ids, device=device), mask,
                                     torch.tensor(positions, device=device), self.cache)
        self.mask = mask
        self.lengths = [n + len(s) for n, s in zip(self.lengths, segments, strict=True)]
        return logits

    def mark_seen(self, tokens: Sequence[int]) -> None:
        import torch

        rows = torch.arange(len(tokens), device=self.seen.device)
        ids = torch.tensor(tokens, device=self.seen.device).clamp(0, self.runner.vocab - 1)
        self.seen[rows, ids] = True

    # -- splitting --------------------------------------------------------------------------------------
    def _select(self, indices: Sequence[int]) -> tuple[list[Any], KV, Any, list[int], Any]:
        import torch

        index = torch.tensor(list(indices), dtype=torch.long, device=self.mask.device)
        kv = [(k.index_select(0, index), v.index_select(0, index)) for k, v in self._layers()]
        return ([self.rows[i] for i in indices], kv, self.mask.index_select(0, index),
                [self.lengths[i] for i in indices], self.seen.index_select(0, index))

    def keep(self, indices: Sequence[int]) -> None:
        """Keep only these rows (in this order)."""
        if list(indices) == list(range(self.size)):
            return
        self.rows, kv, self.mask, self.lengths, self.seen = self._select(indices)
        self._set_layers(kv)
        self._trim()

    def take(self, indices: Sequence[int]) -> RowBatch:
        """Split these rows off into a batch of their own; the others stay."""
        if list(indices) == list(range(self.size)):
            taken = RowBatch(self.runner, self.rows, self.cache, self.mask, self.lengths, self.seen)
            self.keep([])
            return taken
        rows, kv, mask, lengths, seen = self._select(indices)
        taken = RowBatch(self.runner, rows, None, mask, lengths, seen)
        taken._set_layers(kv)
        taken._trim()
        chosen = set(indices)
        self.keep([i for i in range(self.size) if i not in chosen])
        return taken

    def _trim(self) -> None:
        """Drop leading columns that are holes in every row."""
        if self.width == 0:
            return
        if self.size == 0:
            self.mask = self.mask[:, :0]
            self.cache = None
            return
        used = self.mask.any(dim=0).nonzero()
        start = int(used[0]) if used.numel() else self.width
        if start == 0:
            return
        self.mask = self.mask[:, start:]
        self._set_layers([(k[:, :, start:], v[:, :, start:]) for k, v in self._layers()])

    def row_kv(self, row: int, tokens: int) -> KV:
        """Keys and values of the first `tokens` tokens of one row, holes removed: [1, heads, tokens, head_dim]."""
        cols = self.mask[row].nonzero().squeeze(1)[:tokens]
        return [(k[row:row + 1].index_select(2, cols), v[row:row + 1].index_select(2, cols))
                for k, v in self._layers()]
