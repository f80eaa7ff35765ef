from __future__ import annotations

import json
from pathlib import Path

import pytest

from retrieval import IndexUnusable, KoreanAnalyzer, ResponseIndex
from retrieval.records import load_records, records_checksum


@pytest.fixture
def saved(small_set: Path, analyzer: KoreanAnalyzer, tmp_path: Path) -> tuple[Path, ResponseIndex]:
    snapshot = ResponseIndex.build("small", load_records(small_set), analyzer)
    directory = tmp_path / "idx"
    snapshot.save(directory, analyzer)
    return directory, snapshot


def test_saved_index_loads_with_the_same_records(saved: tuple[Path, ResponseIndex], analyzer: KoreanAnalyzer) -> None:
    directory, snapshot = saved
    back = ResponseIndex.load(directory, analyzer, None, expected_checksum=snapshot.checksum)
    assert back.records == snapshot.records


def test_manifest_records_analyser_encoder_counts_and_checksums(saved: tuple[Path, ResponseIndex],
                                                                  analyzer: KoreanAnalyzer) -> None:
    directory, snapshot = saved
    manifest = json.loads((directory / "manifest.json").read_text())
    assert manifest["analyser"] == analyzer.version
    assert manifest["encoder"] is None
    assert manifest["counts"]["records"] == 4
    assert manifest["data_checksum"] == snapshot.checksum
    assert "records.jsonl" in manifest["files"]


def test_corrupt_index_file_is_refused(saved: tuple[Path, ResponseIndex], analyzer: KoreanAnalyzer) -> None:
    directory, _ = saved
    target = directory / "index" / "char" / "vocab.json"
    target.write_text(target.read_text() + " ")
    with pytest.raises(IndexUnusable, match="checksum") as info:
        ResponseIndex.load(directory, analyzer, None)
    assert info.value.reason == "corrupt"


def test_missing_manifest_is_refused(saved: tuple[Path, ResponseIndex], analyzer: KoreanAnalyzer) -> None:
    directory, _ = saved
    (directory / "manifest.json").unlink()
    with pytest.raises(IndexUnusable, match="manifest"):
        ResponseIndex.load(directory, analyzer, None)


def test_missing_directory_is_reported_as_missing(analyzer: KoreanAnalyzer, tmp_path: Path) -> None:
    with pytest.raises(IndexUnusable) as info:
        ResponseIndex.load(tmp_path / "nope", analyzer, None)
    assert info.value.reason == "missing"


def test_index_of_another_analyser_is_refused(saved: tuple[Path, ResponseIndex], analyzer: KoreanAnalyzer) -> None:
    directory, _ = saved
    manifest = json.loads((directory / "manifest.json").read_text())
    manifest["analyser"] = "kiwi-0.0.0/other"
    (directory / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(IndexUnusable, match="analyser") as info:
        ResponseIndex.load(directory, analyzer, None)
    assert info.value.reason == "mismatch"


def test_index_of_other_data_is_reported_stale(saved: tuple[Path, ResponseIndex], analyzer: KoreanAnalyzer) -> None:
    directory, _ = saved
    with pytest.raises(IndexUnusable) as info:
        ResponseIndex.load(directory, analyzer, None, expected_checksum=records_checksum([]))
    assert info.value.reason == "stale"


def test_index_built_with_an_encoder_is_refused_without_it(analyzer: KoreanAnalyzer, small_set: Path,
                                                           tmp_path: Path, minilm: object) -> None:
    snapshot = ResponseIndex.build("small", load_records(small_set), analyzer, minilm)  # type: ignore[arg-type]
    snapshot.save(tmp_path / "dense-idx", analyzer)
    with pytest.raises(IndexUnusable, match="encoder"):
        ResponseIndex.load(tmp_path / "dense-idx", analyzer, None)


def test_manifest_records_what_the_vectors_embed_and_load_checks_it(analyzer: KoreanAnalyzer, small_set: Path,
                                                                     tmp_path: Path, minilm: object) -> None:
    snapshot = ResponseIndex.build("small", load_records(small_set), analyzer, minilm)  # type: ignore[arg-type]
    snapshot.save(tmp_path / "dense-idx", analyzer)
    assert json.loads((tmp_path / "dense-idx" / "manifest.json").read_text())["dense_text"] == "question_answer"
    back = ResponseIndex.load(tmp_path / "dense-idx", analyzer, minilm)  # type: ignore[arg-type]
    assert back.dense_text == "question_answer"
    with pytest.raises(IndexUnusable, match="dense_text") as info:
        ResponseIndex.load(tmp_path / "dense-idx", analyzer, minilm, dense_texts="question")  # type: ignore[arg-type]
    assert info.value.reason == "mismatch"
