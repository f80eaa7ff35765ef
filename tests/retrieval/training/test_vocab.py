"""Vocabulary extension and trimming on the tiny model with the real MiniLM WordPiece vocabulary."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import numpy as np
import torch
from sentence_transformers import SentenceTransformer

from retrieval.training.vocab import JAMO, extend, frequent_syllables, trim, unknown_syllables

TEXTS = ["그때 거기서 했던 얘기 기억나?", "좋았어 정말 재밌었어", "외아들이라 결혼 고민이야", "귀여운 강아지 봤어"]


def test_extension_leaves_no_hangul_syllable_unknown(tiny_base: Path) -> None:
    model = SentenceTransformer(str(tiny_base), device="cpu")
    assert unknown_syllables(model, TEXTS), "the bundled vocabulary lacks letters such as final ㅆ"
    extension = extend(model, TEXTS, syllables=5, min_count=1)
    assert len(extension.letters) == 32
    assert len(extension.syllables) == 5
    assert unknown_syllables(model, TEXTS) == []
    # syllables outside the frequent set still tokenize, through their letters
    assert unknown_syllables(model, ["뷁 똠 쀍"]) == []


def test_new_syllable_rows_start_at_the_mean_of_their_letters(tiny_base: Path) -> None:
    model = SentenceTransformer(str(tiny_base), device="cpu")
    extend(model, ["가가가"], syllables=1, min_count=1)
    vocab = model.tokenizer.get_vocab()
    weight = model[0].auto_model.get_input_embeddings().weight.detach()
    letters = unicodedata.normalize("NFD", "가")
    rows = [weight[[vocab[t] for t in (j, "##" + j) if t in vocab]].mean(0) for j in letters]
    assert torch.allclose(weight[vocab["가"]], torch.stack(rows).mean(0), atol=1e-6)
    assert all(j in vocab for j in JAMO)


def test_frequent_syllables_are_ranked_by_count_with_a_floor() -> None:
    assert frequent_syllables(["가가가 나나 다"], limit=5, min_count=2) == ["가", "나"]


def test_trim_shrinks_the_matrix_and_keeps_encodings(tiny_base: Path, tmp_path: Path) -> None:
    model = SentenceTransformer(str(tiny_base), device="cpu")
    extend(model, TEXTS, syllables=20, min_count=1)
    model.save(str(tmp_path))
    before = model.encode([*TEXTS, "hello wifi 123"])
    sizes = trim(tmp_path, model, TEXTS)
    trimmed = SentenceTransformer(str(tmp_path), device="cpu")
    assert sizes["vocab_after"] < sizes["vocab_before"] // 3
    assert trimmed[0].auto_model.get_input_embeddings().weight.shape[0] == sizes["vocab_after"]
    np.testing.assert_allclose(trimmed.encode(TEXTS), before[:-1], atol=1e-5)
    assert unknown_syllables(trimmed, TEXTS) == []
    # unseen Latin text loses sub-words but never becomes [UNK]: single characters are kept
    ids = trimmed.tokenizer("wifi", add_special_tokens=False)["input_ids"]
    assert trimmed.tokenizer.unk_token_id not in ids
