"""Toy near-miss verifier: mined hard negatives, training from the toy encoder, manifest and threshold."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from sentence_transformers import CrossEncoder

from retrieval.analyzer import KoreanAnalyzer
from retrieval.training import manifest
from retrieval.training.mining import meaning_groups, mine
from retrieval.training.pairs import Pair
from retrieval.training.verifier import VerifierConfig


@pytest.fixture(scope="module")
def kiwi() -> KoreanAnalyzer:
    return KoreanAnalyzer()


def test_mined_negatives_share_words_but_come_from_another_meaning(kiwi: KoreanAnalyzer) -> None:
    texts = ["거실 불 켜 줘", "거실 불 꺼 줘", "거실 불 좀 켜 줄래", "내일 비 와?"]
    groups = ["on", "off", "on", "rain"]
    mined = mine(texts, groups, kiwi, per_anchor=2)
    assert ("거실 불 켜 줘", "거실 불 꺼 줘") in {(p.anchor, p.positive) for p in mined}
    for pair in mined:
        assert groups[texts.index(pair.anchor)] != groups[texts.index(pair.positive)]
    assert all("내일 비 와?" not in (p.anchor, p.positive) for p in mined)


def test_texts_with_identical_content_words_are_not_mined_as_negatives(kiwi: KoreanAnalyzer) -> None:
    mined = mine(["배가 고파", "배 고파"], ["a", "b"], kiwi)
    assert mined == []


def test_meaning_groups_join_paraphrases_transitively() -> None:
    pairs = [Pair("가", "나", "s", "g1"), Pair("나", "다", "s", "g2"), Pair("라", "마", "s", "g3")]
    groups = meaning_groups(pairs)
    assert groups["가"] == groups["다"]
    assert groups["가"] != groups["라"]


def test_verifier_trains_from_the_encoder_and_records_a_validation_threshold(toy_verifier: Path) -> None:
    info = manifest.read(toy_verifier)
    assert info["kind"] == "near-miss-verifier"
    assert info["steps"] == 2
    assert info["data"]["positives"] > 0
    assert "mined/question_pair" in info["data"]
    assert 0.0 <= info["threshold"] <= 1.0
    assert info["dev"]["pairs"] == 2
    model = CrossEncoder(str(toy_verifier), device="cpu")
    probs = np.asarray(model.predict([("오늘 날씨 어때", "오늘 날씨 알려줘"), ("오늘 날씨 어때", "회사 가기 싫어")]))
    assert probs.shape == (2,)
    assert ((probs >= 0) & (probs <= 1)).all()


def test_verifier_options_are_checked(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        VerifierConfig(base="x", data_root=tmp_path, out=tmp_path, per_source=0)
