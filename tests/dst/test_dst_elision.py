"""The elision model (`dst.elision`) and its open-data training (`dst.training.elision`). The sae4k- and 3i4k-shaped
files here are written for these tests."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from dst.analysis import Analyzer
from dst.elision import ElisionModel, elision_score
from dst.training.elision import elide, elision_examples, fit_elision
from dst.zero import default_zero_detector

SAE4K = [
    "스팸 메일함 다 비워 줘", "거실 에어컨 꺼 줘", "세탁기 몇 분 남았어", "현관문 잠겼는지 확인해 줘",
    "냉장고 온도 몇 도야", "로봇청소기 충전해 줘", "보일러 켜 줘",
    "오늘 날씨 어때", "지금 몇 시야", "내일 비 와", "이번 주말 날씨 알려 줘",
]
FCI = ["2\t안방 조명 밝기 어느 정도야", "3\t주방 환풍기 켜 줘", "2\t오늘 기온 몇 도야", "1\t이건 진술이라 안 읽어요"]


def _root(tmp_path: Path) -> Path:
    (tmp_path / "sae4k").mkdir()
    (tmp_path / "3i4k").mkdir()
    (tmp_path / "sae4k" / "sae4k_dev.tsv").write_text("".join(f"{u}\t{u}\t4\n" for u in SAE4K), encoding="utf-8")
    (tmp_path / "3i4k" / "fci_train_val.txt").write_text("\n".join(FCI) + "\n", encoding="utf-8")
    return tmp_path


class _Encoder:
    """A stand-in with the `Encoder` shape for the fitting code: rows that depend on the text's length only."""

    def encode(self, texts: list[str], *, passage: bool = False) -> np.ndarray:
        rows = np.array([[len(t), 1.0, len(t.split())] for t in texts], dtype=np.float32)
        return rows / np.linalg.norm(rows, axis=1, keepdims=True)


def test_elide_deletes_the_one_named_argument_and_its_particles(analyzer: Analyzer) -> None:
    assert elide(analyzer.analyze("스팸 메일함을 다 비워 줘"), analyzer) == "다 비워 줘"
    assert elide(analyzer.analyze("오늘 날씨 어때"), analyzer) is None  # names nothing to delete
    assert elide(analyzer.analyze("거실 에어컨이랑 안방 조명 꺼 줘"), analyzer) is None  # two things


def test_open_examples_label_elided_and_complete_utterances_with_frames(tmp_path: Path, analyzer: Analyzer) -> None:
    examples = elision_examples(_root(tmp_path), analyzer, limit=100)
    complete = {t for t, y in zip(examples.texts, examples.labels, strict=True) if y == 0}
    elided = {t for t, y in zip(examples.texts, examples.labels, strict=True) if y == 1}
    assert {"지금 몇 시야", "오늘 기온 몇 도야"} <= complete and "다 비워 줘" in elided
    assert "이건 진술이라 안 읽어요" not in complete | elided  # 3i4k statements are not read
    assert len(examples.frames) == len(examples.texts)
    with pytest.raises(ValueError, match="fit the model first"):
        examples.followups()
    model = fit_elision(examples, _Encoder())
    assert len(examples.followups()) == len(examples.texts) and "cross_validated_auc" in model.meta


def test_the_model_round_trips_and_an_unreadable_file_is_refused(tmp_path: Path) -> None:
    model = ElisionModel(np.array([1.0, -1.0, 0.5]), 0.2, meta={"c": 1.0})
    model.save(tmp_path / "elision.json")
    loaded = ElisionModel.load(tmp_path / "elision.json")
    assert loaded is not None and loaded.meta == {"c": 1.0}
    row = np.array([0.3, 0.1, 0.9])
    assert loaded.probability(row) == pytest.approx(model.probability(row), abs=1e-6)
    (tmp_path / "bad.json").write_text("{", encoding="utf-8")
    assert ElisionModel.load(tmp_path / "bad.json") is None and ElisionModel.load(tmp_path / "none.json") is None


def test_a_failing_encoder_gives_no_evidence_instead_of_an_error() -> None:
    class Broken:
        def encode(self, texts: list[str], *, passage: bool = False) -> np.ndarray:
            raise RuntimeError("encoder down")

    assert elision_score(ElisionModel(np.zeros(3), 0.0), Broken())("주차돼요?") == 0.0


def test_the_bundled_detector_reads_the_bundled_elision_model() -> None:
    detector = default_zero_detector()
    assert detector is not None and "elided" in detector.weights
    if detector.elision is None:
        pytest.skip("no sentence encoder here")
    missing, complete = detector.elided("몇 시까지 열어요?"), detector.elided("지금 몇 시야?")
    assert 0.0 <= complete < missing <= 1.0
