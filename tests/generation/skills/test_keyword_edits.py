"""The learned keyword edit model: alignment labels, edits, the model file, and where the rules keep the answer."""

from __future__ import annotations

import pytest

from generation.skills.keyword_edits import (
    LearnedNormalizer,
    align,
    apply_edit,
    head_arrays,
    load_edit_model,
    read_edit_model,
)
from generation.skills.keyword_edits_train import fit

ROWS = [  # (index, utterance, core query, type): made up for the test, in SAE4K's shape
    (1, "거실 불 좀 켜줘", "거실 불 켜기", 4),
    (2, "안방 불 좀 켜줘", "안방 불 켜기", 4),
    (3, "부엌 불 좀 꺼줘", "부엌 불 끄기", 4),
    (4, "내일 비 오니", "내일 비 오는지 여부", 0),
    (6, "모레 비 오니", "모레 비 오는지 여부", 0),
    (7, "주말 눈 오니", "주말 눈 오는지 여부", 0),
]


def test_align_labels_keep_delete_and_ending_transform():
    labels, rest = align(["거실", "불", "좀", "켜줘"], ["거실", "불", "켜기"])
    assert labels == ["K", "K", "D", "T:줘>기"] and rest == []
    labels, rest = align(["비", "오니"], ["비", "오는지", "여부"])
    assert labels == ["K", "T:니>는지"] and rest == ["여부"]


def test_edit_applies_only_to_a_matching_ending():
    assert apply_edit("켜줘", "T:줘>기") == "켜기"
    assert apply_edit("오니", "T:줘>기") == "오니"
    assert apply_edit("좀", "D") == "" and apply_edit("불", "K") == "불"


def test_model_file_round_trips_and_applies_learned_edits(kiwi, tmp_path, monkeypatch):
    import numpy as np

    import generation.skills.keyword_edits_train as trainer

    monkeypatch.setattr(trainer, "MIN_EDIT", 1)
    monkeypatch.setattr(trainer, "MIN_APPEND", 1)
    norm = LearnedNormalizer(kiwi)
    ruled, _, tokens = norm.rules.analyse_batch([r[1] for r in ROWS])
    model = fit(ROWS, ruled, tokens)
    path = tmp_path / "edits.npz"
    np.savez_compressed(path, **head_arrays("edits", model.edits), **head_arrays("append", model.append))
    learned = LearnedNormalizer(kiwi, read_edit_model(path))
    assert learned.normalize_batch([r[1] for r in ROWS]) == [r[2] for r in ROWS]


def test_rules_answer_alternative_questions_whole(kiwi):
    model = load_edit_model()
    if model is None:
        pytest.skip("the keyword edit model is not built (assistant skill-train keywords)")
    learned = LearnedNormalizer(kiwi, model)
    utterance = "고속도로로 갈까 국도로 갈까"
    assert learned.normalize(utterance) == learned.rules.normalize(utterance)


def test_without_a_model_file_the_rules_answer(kiwi, tmp_path):
    learned = LearnedNormalizer(kiwi, path=tmp_path / "absent.npz")
    assert learned.model is None
    assert learned.normalize("내일 비 오니") == learned.rules.normalize("내일 비 오니")
