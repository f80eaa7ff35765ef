"""Pair assembly: sources, the inverted Question_pair label and the evaluation hold-out."""

from __future__ import annotations

from pathlib import Path

import pytest

from retrieval.training.pairs import SOURCES, assemble
from retrieval.training.splits import HeldOut

from .conftest import HELD_OUT_QUERY, TOPICS


def test_held_out_validation_texts_and_their_answers_never_reach_training(toy_data: Path) -> None:
    data = assemble(toy_data)
    held = HeldOut.from_root(toy_data)
    assert HELD_OUT_QUERY in held.texts
    texts = set(data.texts())
    assert not texts & held.texts
    # the other question of the held-out answer group is dropped too (hold-out by answer)
    assert "강아지가 사료를 안 먹어" not in texts


def test_question_pair_zero_label_means_same_question(toy_data: Path) -> None:
    data = assemble(toy_data, sources=["question_pair"])
    positives = {(p.anchor, p.positive) for p in data.pairs}
    negatives = {(p.anchor, p.positive) for p in data.negatives}
    assert (TOPICS[0][0], TOPICS[0][1]) in positives
    assert (TOPICS[0][0], TOPICS[1][0]) in negatives
    assert not positives & negatives


def test_every_source_contributes_and_counts_are_reported(toy_data: Path) -> None:
    data = assemble(toy_data)
    counts = data.counts()
    for source in ("sae4k", "stylekqc", "question_pair", "chatbot", "klue_nli"):
        assert counts[f"pairs/{source}"] > 0, source
    assert counts["scored/sts"] == 6
    assert all(0.0 <= s.score <= 1.0 for s in data.scored)
    assert "near_miss/klue_nli" in counts


def test_chatbot_pairs_share_an_answer_and_stay_in_one_group(toy_data: Path) -> None:
    data = assemble(toy_data, sources=["chatbot"])
    by_text = {t[0]: t[3] for t in TOPICS} | {t[1]: t[3] for t in TOPICS} | {t[2]: t[3] for t in TOPICS}
    for pair in data.pairs:
        assert by_text[pair.anchor] == by_text[pair.positive]
        assert pair.group == "chatbot:" + by_text[pair.anchor]


def test_sae4k_keeps_only_the_training_hash_part(toy_data: Path) -> None:
    from retrieval.training.splits import is_train_text

    data = assemble(toy_data, sources=["sae4k"])
    assert data.pairs
    assert all(is_train_text(p.anchor) for p in data.pairs)


def test_unknown_source_and_missing_data_are_refused(toy_data: Path, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unknown training sources"):
        assemble(toy_data, sources=["wikipedia"])
    with pytest.raises(FileNotFoundError, match="shared Korean data"):
        assemble(tmp_path)
    assert set(SOURCES) >= {"sae4k", "sts"}
