"""Vocabulary extension and trimming for an English WordPiece (BERT-style) sentence encoder.

Contract: `extend(model, texts)` adds the Hangul letters (conjoining jamo) missing from the vocabulary
and the most frequent Hangul syllables of `texts` as tokens, so that no Hangul text maps to [UNK]; the
syllables are matched before normalisation (the BERT normaliser would split them into letters), the
letters after it. Each new row starts as the mean of its letters' embeddings (a syllable's letters come
from Unicode NFD; a missing letter borrows its compatibility letter or the mean of the known letters).
`trim(directory, texts)` rewrites a saved model so that its embedding matrix keeps only the special
tokens, every single-character token (so any input still tokenizes without [UNK]), the tokens the
texts use and all added tokens: the model gets much smaller and encodes the same.
"""

from __future__ import annotations

import json
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import torch
from safetensors.torch import load_file, save_file
from sentence_transformers import SentenceTransformer
from tokenizers import AddedToken

# Conjoining jamo: leading consonants, vowels, trailing consonants (what NFD makes of a syllable).
JAMO = [chr(c) for r in ((0x1100, 0x1113), (0x1161, 0x1176), (0x11A8, 0x11C3)) for c in range(*r)]
_SYLLABLES = (0xAC00, 0xD7A3)
_EMBEDDING_KEY = "embeddings.word_embeddings.weight"


def is_syllable(ch: str) -> bool:
    return _SYLLABLES[0] <= ord(ch) <= _SYLLABLES[1]


def frequent_syllables(texts: Iterable[str], limit: int, min_count: int = 2) -> list[str]:
    counts = Counter(ch for t in texts for ch in t if is_syllable(ch))
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    return [s for s, n in ranked[:limit] if n >= min_count]


@dataclass(frozen=True)
class Extension:
    letters: list[str]
    syllables: list[str]

    def to_dict(self) -> dict[str, object]:
        return {"letters_added": len(self.letters), "syllables_added": len(self.syllables)}


def _word_embeddings(model: SentenceTransformer) -> torch.nn.Embedding:
    return model[0].auto_model.get_input_embeddings()


def _letter_rows(vocab: dict[str, int], letter: str) -> list[int]:
    return [vocab[t] for t in (letter, "##" + letter) if t in vocab]


def extend(model: SentenceTransformer, texts: Iterable[str], *, syllables: int = 1400,
           min_count: int = 2) -> Extension:
    tokenizer = model.tokenizer
    vocab = tokenizer.get_vocab()
    letters = [j for j in JAMO if j not in vocab]
    chosen = [s for s in frequent_syllables(texts, syllables, min_count) if s not in vocab]
    tokenizer.add_tokens([AddedToken(s, normalized=False) for s in chosen]
                         + [AddedToken(j, normalized=True) for j in letters])
    old = _word_embeddings(model).weight.detach().clone()
    model[0].auto_model.resize_token_embeddings(len(tokenizer), mean_resizing=False)
    weight = _word_embeddings(model).weight
    known = [r for j in JAMO for r in _letter_rows(vocab, j)]
    jamo_mean = old[known].mean(0) if known else old.mean(0)
    new_vocab = tokenizer.get_vocab()
    letter_vec: dict[str, torch.Tensor] = {}
    for j in JAMO:
        rows = _letter_rows(vocab, j) or _letter_rows(vocab, unicodedata.normalize("NFKC", j))
        letter_vec[j] = old[rows].mean(0) if rows else jamo_mean
    with torch.no_grad():
        for j in letters:
            weight[new_vocab[j]] = letter_vec[j]
        for s in chosen:
            weight[new_vocab[s]] = torch.stack([letter_vec[j] for j in unicodedata.normalize("NFD", s)]).mean(0)
    return Extension(letters, chosen)


def unknown_syllables(model: SentenceTransformer, texts: Iterable[str]) -> list[str]:
    """Hangul syllables of `texts` that the model's tokenizer turns into [UNK] (should be none)."""
    tokenizer = model.tokenizer
    syllables = sorted({ch for t in texts for ch in t if is_syllable(ch)})
    return [s for s in syllables if tokenizer.unk_token_id in tokenizer(s, add_special_tokens=False)["input_ids"]]


def _used_ids(model: SentenceTransformer, texts: Sequence[str], batch: int = 2048) -> set[int]:
    used: set[int] = set()
    for start in range(0, len(texts), batch):
        for ids in model.tokenizer(list(texts[start:start + batch]), add_special_tokens=False)["input_ids"]:
            used.update(ids)
    return used


def trim(directory: Path, model: SentenceTransformer, texts: Sequence[str]) -> dict[str, int]:
    """Rewrite the model saved in `directory` (from `model`) with only the rows worth keeping."""
    tok_path = directory / "tokenizer.json"
    spec = json.loads(tok_path.read_text(encoding="utf-8"))
    base_vocab: dict[str, int] = spec["model"]["vocab"]
    keep = set(_used_ids(model, texts))
    keep |= {i for t, i in base_vocab.items() if len(t.removeprefix("##")) == 1}
    keep |= {a["id"] for a in spec["added_tokens"]}
    old_size = int(_word_embeddings(model).weight.shape[0])
    order = sorted(i for i in keep if i < old_size)
    remap = {old: new for new, old in enumerate(order)}
    spec["model"]["vocab"] = {t: remap[i] for t, i in sorted(base_vocab.items(), key=lambda kv: kv[1])
                              if i in remap}
    for added in spec["added_tokens"]:
        added["id"] = remap[added["id"]]
    for special in (spec.get("post_processor") or {}).get("special_tokens", {}).values():
        special["ids"] = [remap[i] for i in special["ids"]]
    if spec.get("padding"):
        spec["padding"]["pad_id"] = remap[spec["padding"]["pad_id"]]
    tok_path.write_text(json.dumps(spec, ensure_ascii=False), encoding="utf-8")
    (directory / "vocab.txt").unlink(missing_ok=True)
    weights_path = directory / "model.safetensors"
    state = load_file(str(weights_path))
    key = next(k for k in state if k.endswith(_EMBEDDING_KEY))
    state[key] = state[key][torch.tensor(order)].contiguous()
    save_file(state, str(weights_path), metadata={"format": "pt"})
    config_path = directory / "config.json"
    config = json.loads(config_path.read_text(encoding="utf-8"))
    config["vocab_size"] = len(order)
    config["pad_token_id"] = remap.get(int(config.get("pad_token_id") or 0), 0)
    config_path.write_text(json.dumps(config, indent=2), encoding="utf-8")
    return {"vocab_before": old_size, "vocab_after": len(order)}
