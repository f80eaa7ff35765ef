"""`retrieval.verifier`: loading a trained verifier and re-deciding a selection with it."""

from __future__ import annotations

from pathlib import Path

import pytest

from retrieval import Calibration, Retrieval
from retrieval.analyzer import shared_analyzer
from retrieval.training import manifest
from retrieval.types import Hit, Selection
from retrieval.verifier import CrossEncoderVerifier, VerifierUnavailable, verify
from tests.conftest import seed_bundled_index


def _selection(decision: str = "retrieve") -> Selection:
    hits = [Hit(id=str(i), question=q, answer=f"답 {i}", score=0.5, response_set="default")
            for i, q in enumerate(["회사 가기 싫어", "오늘 날씨 알려줘", "배가 고파"])]
    return Selection(decision, hits[0] if decision == "retrieve" else None, 0.6, "calibrated", hits)  # type: ignore[arg-type]


def test_threshold_comes_from_the_manifest_unless_given(toy_verifier: Path) -> None:
    assert CrossEncoderVerifier(str(toy_verifier)).threshold == manifest.read(toy_verifier)["threshold"]
    assert CrossEncoderVerifier(str(toy_verifier), threshold=0.3).threshold == 0.3


def test_probabilities_are_one_per_question_in_unit_range(toy_verifier: Path) -> None:
    probs = CrossEncoderVerifier(str(toy_verifier)).probabilities("오늘 날씨 어때", ["오늘 날씨 알려줘", "배가 고파"])
    assert probs.shape == (2,)
    assert ((probs >= 0) & (probs <= 1)).all()
    assert CrossEncoderVerifier(str(toy_verifier)).probabilities("질문", []).shape == (0,)


def test_verify_keeps_a_retrieval_the_verifier_accepts(toy_verifier: Path) -> None:
    selection = _selection("retrieve")
    out = verify(selection, "오늘 날씨 어때", CrossEncoderVerifier(str(toy_verifier), threshold=0.0))
    assert out.decision == "retrieve"
    assert out.hit == selection.hit
    assert "verifier agrees" in out.reason


def test_verify_vetoes_a_retrieval_below_the_threshold(toy_verifier: Path) -> None:
    out = verify(_selection("retrieve"), "오늘 날씨 어때", CrossEncoderVerifier(str(toy_verifier), threshold=1.0))
    assert out.decision == "generate"
    assert out.hit is None
    assert out.threshold == 1.0
    assert out.reason.startswith("verifier:")


def test_verify_never_promotes_a_generation(toy_verifier: Path) -> None:
    selection = _selection("generate")
    assert verify(selection, "오늘 날씨 어때", CrossEncoderVerifier(str(toy_verifier), threshold=0.0)) is selection


def test_verify_keeps_a_selection_without_candidates(toy_verifier: Path) -> None:
    empty = Selection("generate", None, 0.0, "empty query")
    assert verify(empty, "", CrossEncoderVerifier(str(toy_verifier))) is empty


def test_unloadable_verifier_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(VerifierUnavailable, match="cannot load verifier"):
        CrossEncoderVerifier(str(tmp_path / "missing"))


def _facade(verifier: CrossEncoderVerifier | None) -> Retrieval:
    retrieval = Retrieval(shared_analyzer(), Calibration.load(dense=False), verifier=verifier)
    retrieval.add_responses("default", [{"id": "hi", "question": "안녕하세요", "answer": "안녕하세요! 반가워요."}])
    return retrieval


def test_facade_without_verifier_names_the_lexical_path() -> None:
    retrieval = _facade(None)
    assert retrieval.mode == "bm25+char"
    assert retrieval.select("안녕하세요").decision == "retrieve"


def test_facade_with_a_refusing_verifier_generates_and_says_why(toy_verifier: Path) -> None:
    retrieval = _facade(CrossEncoderVerifier(str(toy_verifier), threshold=1.0))
    assert retrieval.mode == "bm25+char + verifier"
    for selection in (retrieval.select("안녕하세요"), retrieval.select_many(["안녕하세요"])[0]):
        assert selection.decision == "generate"
        assert selection.reason.startswith("verifier:")


def test_facade_with_an_accepting_verifier_keeps_the_retrieval(toy_verifier: Path) -> None:
    retrieval = _facade(CrossEncoderVerifier(str(toy_verifier), threshold=0.0))
    selection = retrieval.select("안녕하세요")
    assert selection.decision == "retrieve" and "verifier agrees" in selection.reason


def test_configured_verifier_is_wired_and_named_in_readiness(toy_verifier: Path, tmp_path: Path,
                                                             bundled_index: Path) -> None:
    from assistant.settings import load_settings
    from assistant.wiring.retrieval import build_retrieval

    seed_bundled_index(tmp_path, bundled_index)

    retrieval, statuses = build_retrieval(load_settings(data_dir=tmp_path, retrieval={"verifier": str(toy_verifier)}))
    named = {s.name: s for s in statuses}
    assert named["retrieval.verifier"].ready and "threshold" in named["retrieval.verifier"].detail
    assert named["retrieval.selector"].detail == "bm25+char+dense + verifier"
    assert retrieval.verifier is not None
