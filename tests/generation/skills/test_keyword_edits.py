"""The learned keyword edit model: alignment labels, edits, the model file, and where the rules keep the answer."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from generation.skills.keyword_edits import (
    PROHIBITION_MARGIN,
    EditModel,
    LearnedNormalizer,
    LinearHead,
    align,
    apply_edit,
    head_arrays,
    load_edit_model,
    read_edit_model,
    sentence_types,
)
from generation.skills.keyword_edits_train import cross_fitted_types, fit, fit_types

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
    import generation.skills.keyword_edits_train as trainer

    monkeypatch.setattr(trainer, "MIN_EDIT", 1)
    monkeypatch.setattr(trainer, "MIN_APPEND", 1)
    norm = LearnedNormalizer(kiwi)
    tokens = norm.rules.tokenize([r[1] for r in ROWS])
    types = fit_types(ROWS, tokens)
    hints = sentence_types(types, [trainer.type_features(r[1], t) for r, t in zip(ROWS, tokens, strict=True)])
    assert hints == ["request"] * 3 + ["yes/no"] * 3
    ruled, _, _ = norm.rules.analyse_batch([r[1] for r in ROWS], hints, tokens)
    model = fit(ROWS, ruled, tokens, hints)
    path = tmp_path / "edits.npz"
    np.savez_compressed(path, **head_arrays("edits", model.edits), **head_arrays("append", model.append),
                        **head_arrays("types", types))
    learned = LearnedNormalizer(kiwi, read_edit_model(path))
    assert learned.model is not None and learned.model.types is not None
    assert learned.normalize_batch([r[1] for r in ROWS]) == [r[2] for r in ROWS]


def test_a_file_without_the_type_head_still_loads_and_gives_no_types(kiwi, tmp_path, monkeypatch):
    import generation.skills.keyword_edits_train as trainer

    monkeypatch.setattr(trainer, "MIN_EDIT", 1)
    monkeypatch.setattr(trainer, "MIN_APPEND", 1)
    norm = LearnedNormalizer(kiwi)
    ruled, _, tokens = norm.rules.analyse_batch([r[1] for r in ROWS])
    model = fit(ROWS, ruled, tokens)
    path = tmp_path / "edits.npz"
    np.savez_compressed(path, **head_arrays("edits", model.edits), **head_arrays("append", model.append))
    learned = LearnedNormalizer(kiwi, read_edit_model(path))
    assert learned.sentence_types(["내일 비 오니"], tokens[:1]) == [None]
    assert learned.normalize_batch([r[1] for r in ROWS]) == [r[2] for r in ROWS]


def test_prohibition_wins_within_its_margin_and_only_there():
    head = LinearHead({"x": 0}, sp.csr_matrix(np.zeros((3, 1))), np.zeros(3), ["request", "prohibition", "yes/no"])
    close = np.array([1.0, 1.0 - PROHIBITION_MARGIN, 0.0])
    far = np.array([1.0, 1.0 - PROHIBITION_MARGIN - 0.01, 0.0])
    for bias, expected in ((close, "prohibition"), (far, "request")):
        shifted = LinearHead(head.index, head.weights, bias, head.labels)
        assert sentence_types(shifted, [{"x": 1}]) == [expected]


def test_cross_fitted_types_come_from_heads_that_did_not_see_the_row(kiwi):
    norm = LearnedNormalizer(kiwi)
    # each utterance twice, in two folds (index % 5), and one prohibition that only its own fold holds
    rows = [(i, r[1], r[2], r[3]) for i, r in enumerate(ROWS * 2)] + [(12, "복도에서 뛰지 마", "복도에서 뛰지 않기", 3)]
    tokens = norm.rules.tokenize([r[1] for r in rows])
    hints = cross_fitted_types(rows, tokens)
    assert hints[:-1] == ["request"] * 3 + ["yes/no"] * 3 + ["request"] * 3 + ["yes/no"] * 3
    assert hints[-1] != "prohibition"  # no head that could name it saw it


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


def _constant_head(label: str, labels: list[str]) -> LinearHead:
    """A head that always says `label` (its bias), whatever the features."""
    bias = np.array([1.0 if x == label else 0.0 for x in labels])
    return LinearHead({"x": 0}, sp.csr_matrix(np.zeros((len(labels), 1))), bias, labels)


def test_the_rules_answer_stays_for_a_prohibition_and_a_question_keeps_its_predicate(kiwi):
    def learned(sentence_type: str) -> LearnedNormalizer:
        model = EditModel(_constant_head("D", ["D", "K"]), _constant_head("", ["", "여부"]),
                          _constant_head(sentence_type, ["yes/no", "prohibition", "request"]))
        return LearnedNormalizer(kiwi, model)

    # edits that delete every word: a prohibition the rules named survives whole, a question keeps its predicate
    assert learned("prohibition").normalize("복도에서 뛰지 마") == "복도에서 뛰지 않기"
    assert learned("yes/no").normalize("내일 비 오니") == "오는지"
    assert learned("request").normalize("내일 비 오니") == "내일 비 오기"  # nothing left: the rules' answer
