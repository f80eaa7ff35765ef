"""int8 option for a trained encoder: torch dynamic quantization of its Linear layers.

Contract: `quantize_int8(model)` returns the sentence-transformers model with every `nn.Linear`
replaced by a dynamically quantized int8 version (weights int8, activations quantized per batch; CPU
only), embeddings and layer norms untouched. `int8_size_bytes(model)` is the size of its saved state
dict, i.e. what an int8 copy costs on disk. Load the fp32 directory and quantize at start-up: the
quantized state dict is tied to the torch version, the fp32 directory is not.
"""

from __future__ import annotations

import io

import torch
from sentence_transformers import SentenceTransformer


def quantize_int8(model: SentenceTransformer) -> SentenceTransformer:
    model.eval()
    return torch.ao.quantization.quantize_dynamic(model, {torch.nn.Linear}, dtype=torch.qint8)


def int8_size_bytes(model: SentenceTransformer) -> int:
    buffer = io.BytesIO()
    torch.save(model.state_dict(), buffer)
    return buffer.tell()
