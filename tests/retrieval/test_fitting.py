from __future__ import annotations

import json

import numpy as np
import pytest

from retrieval import Calibration, KoreanAnalyzer
from retrieval.calibration import FEATURES
from retrieval.evaldata import Episode, Query
from retrieval.fitting import decision_accuracy, evaluate, fit, fit_weights, pool_episode, top1_accuracy, weight_grid
from retrieval.records import make_record
from retrieval.types import ResponseRecord


def test_weight_grid_covers_the_simplex_corners() -> None:
    grid = weight_grid(["bm25", "char"], 0.25)
    assert {"bm25": 1.0, "char": 0.0} in grid and {"bm25": 0.0, "char": 1.0} in grid
    assert all(abs(sum(w.values()) - 1.0) < 1e-9 for w in grid)
    assert len(weight_grid(["a", "b", "c"], 0.5)) == 6


def _episode(bundled: list[ResponseRecord], split: str) -> Episode:
    records = [r for i, r in enumerate(bundled) if i % 4 != 0]
    held = [r for i, r in enumerate(bundled) if i % 4 == 0]
    stored_answers = {r.answer for r in records}
    queries = [Query(r.question + "요", r.answer, "paraphrase") for r in held if r.answer in stored_answers]
    ood = ["대한민국의 수도는 어디인가?", "광합성의 원리를 설명해줘", "내일 오후 3시 회의 일정 추가해",
           "삼각형 넓이 구하는 공식은?", "엑셀에서 합계 구하는 법", "비트코인 시세 알려줘"]
    queries += [Query(q, None, "ood") for q in ood]
    return Episode(split, [make_record(r.to_dict()) for r in records], queries)


@pytest.fixture(scope="module")
def pooled(analyzer: KoreanAnalyzer, bundled_records: list[ResponseRecord]):
    return pool_episode(_episode(bundled_records, "train"), analyzer)


def test_fused_weights_are_never_worse_than_the_best_single_retriever(pooled) -> None:
    weights, singles = fit_weights([pooled], step=0.1)
    assert top1_accuracy(pooled, weights) >= max(singles.values())


def test_fit_gives_a_loadable_calibration_that_separates_the_groups(pooled, tmp_path) -> None:
    calibration = fit(pooled, pooled, step=0.1, meta={"command": "test"})
    path = tmp_path / "c.json"
    calibration.save(path)
    back = Calibration.load(path)
    assert back.threshold == calibration.threshold and back.meta["command"] == "test"
    report = evaluate(pooled, back)
    assert report["decision"]["ood"] >= 0.8
    json.dumps(report)


def test_decision_accuracy_counts_wrong_answers_against_retrieval() -> None:
    conf = np.array([0.9, 0.9, 0.1, 0.9])
    correct = np.array([1, 0, 0, 0])
    result = decision_accuracy(conf, correct, ["paraphrase", "paraphrase", "ood", "ood"], 0.5)
    assert result["paraphrase"] == 0.5 and result["ood"] == 0.5


def test_calibration_refuses_impossible_values() -> None:
    with pytest.raises(ValueError):
        Calibration({"bm25": -1.0}, {}, 0.0, 0.5)
    with pytest.raises(ValueError):
        Calibration({"bm25": 1.0}, {}, 0.0, 1.5)
    with pytest.raises(ValueError):
        Calibration({"bm25": 1.0}, {"nonsense": 1.0}, 0.0, 0.5)


def test_bundled_calibration_records_the_command_that_made_it(calibration: Calibration) -> None:
    assert calibration.meta["command"].startswith("assistant index calibrate")
    assert set(calibration.coef) <= set(FEATURES)
    assert 0.0 < calibration.confidence({}) < 1.0
